// Package openaitest is a fake OpenAI upstream for tests: an httptest
// server on 127.0.0.1 that replays golden HTTP responses (status line,
// headers and body exactly as the API sends them) and records every
// request it receives, so tests can assert what the gateway sent (store:
// false, the field allowlist, credentials).
//
// The request's model names the scenario: model "chat_text" is answered
// with the golden file "chat_text.http". Event streams are written one
// event at a time with a flush after each (or in pieces of the size set
// with SplitEvery, to exercise parsers on arbitrary boundaries). A model
// with no golden file is answered 404 model_not_found, as the API does.
// Headers starting
// with X-Fake- in a golden file are directives, not sent:
//
//	X-Fake-Abort: true   cut the connection after the body (no clean end)
//	X-Fake-Hang: true    after the body, wait until the client goes away,
//	                     then report it on Disconnects
//
// It is for tests only. Besides the standard library it imports only
// gateway/internal/goldentest, the replay mechanism the vendors' fakes
// share; what is OpenAI's own (how a request names its model, the 404
// for an unknown one, the /v1 base URL) is here.
package openaitest
