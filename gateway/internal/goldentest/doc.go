// Package goldentest is the replay mechanism the vendor fakes share
// (gateway/openai/openaitest, gateway/anthropic/anthropictest,
// gateway/gemini/geminitest, gateway/cohere/coheretest): it parses golden
// .http files (an HTTP/1.1 response as the API sent it), answers each
// request with the golden file its scenario names, records the requests
// it receives (bodies bounded by MaxBody), lets a test answer a scenario
// with its own handler, and reports clients that go away during a hang.
//
// What differs between vendors stays in the vendor fake and is handed in
// through Options: how a request names its scenario (a JSON field, a
// path segment, a form field), how the API answers an unknown scenario,
// whether a request is refused before it is answered, and whether bodies
// are streamed. The vendor fakes keep their own exported types, so that
// their tests do not depend on this package.
//
// Headers starting with X-Fake- in a golden file are directives, not sent:
//
//	X-Fake-Abort: true   cut the connection after the body (no clean end)
//	X-Fake-Hang: true    after the body (or, with Options.Whole, after the
//	                     head), wait until the client goes away, then
//	                     report it on Disconnects
//
// It is for tests only and imports only the standard library.
package goldentest
