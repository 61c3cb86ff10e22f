// Package geminitest is a fake Gemini API and Vertex AI upstream for
// tests: an httptest server on 127.0.0.1 that replays golden HTTP
// responses (status line, headers and body as Google sends them) and
// records every request it receives, so tests can assert what the
// gateway sent (the field allowlist, the credentials, that no key is in a
// URL).
//
// The model in the request path names the scenario: a POST to
// /v1beta/models/chat_text:generateContent (or to the same model under
// Vertex AI's /v1/projects/…/publishers/google/models/) is answered with
// the golden file "chat_text.http", whatever the method. A model list
// (GET …/models) is scenario "models", and Vertex AI's publisher model
// list (GET …/publishers/google/models) is "vertex_models"; a page token
// is appended ("models_TOKEN"). Event streams are written one event at a
// time with a flush after each (or in pieces of the size set with
// SplitEvery). A scenario with no golden file is answered 404 NOT_FOUND,
// as the API does. Headers starting with X-Fake- in a golden file are
// directives, not sent:
//
//	X-Fake-Abort: true   cut the connection after the body (no clean end)
//	X-Fake-Hang: true    after the body, wait until the client goes away,
//	                     then report it on Disconnects
//
// ServeTokens turns on a Google OAuth2 token endpoint at TokenURL, for
// service-account keys whose token_uri points at it: it checks the
// RS256 signature and claims of the JWT assertion, issues access tokens
// with the lifetimes it was given, and from then on the API refuses a
// bearer token it did not issue (401 UNAUTHENTICATED).
//
// It is for tests only. Besides the standard library it imports only
// gateway/internal/goldentest, the replay mechanism the vendors' fakes
// share; what is Google's own (the model in the path, the 404 and 401
// answers, the token endpoint) is here.
package geminitest
