// Package anthropictest is a fake Anthropic upstream for tests: an
// httptest server on 127.0.0.1 that replays golden HTTP responses (status
// line, headers and body exactly as the API sends them) and records every
// request it receives, so tests can assert what the gateway sent (the
// field allowlist, no metadata, credentials and version headers).
//
// The request's model names the scenario: model "messages_text" is
// answered with the golden file "messages_text.http". GET /v1/models is
// scenario "models", and its later pages "models_after_" followed by the
// after_id asked for. Event streams are written one event at a time with
// a flush after each (or in pieces of the size set with SplitEvery, to
// exercise parsers on arbitrary boundaries). A model with no golden file
// is answered 404 not_found_error, as the API does. Headers starting
// with X-Fake- in a golden file are directives, not sent:
//
//	X-Fake-Abort: true   cut the connection after the body (no clean end)
//	X-Fake-Hang: true    after the body, wait until the client goes away,
//	                     then report it on Disconnects
//
// It has the API of gateway/openai/openaitest. It is for tests only.
// Besides the standard library it imports only gateway/internal/goldentest,
// the replay mechanism the vendors' fakes share; what is Anthropic's own
// (how a request names its model, the 404 for an unknown one) is here.
package anthropictest
