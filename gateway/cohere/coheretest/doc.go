// Package coheretest is a fake Cohere upstream for tests: an httptest
// server on 127.0.0.1 that replays golden HTTP responses (status line,
// headers and body as Cohere sends them) and records every request it
// receives, so that tests can assert exactly what the gateway sent.
//
// The request names the scenario: a POST by its JSON "model" field (model
// "rerank" is answered with the golden file "rerank.http"), and GET
// /v1/models by "models_" and its endpoint query, then "_" and its
// page_token when there is one ("models_embed", "models_rerank_p2"). A
// scenario with no golden file is answered 404 as Cohere answers an
// unknown model. Handle replaces a golden file with a handler, for
// answers that depend on the request (a batch's vector count). Headers
// starting with X-Fake- in a golden file are directives, not sent:
//
//	X-Fake-Abort: true   cut the connection after the body
//	X-Fake-Hang: true    send the headers, then wait until the client
//	                     goes away, and report it on Disconnects
//
// It is for tests only. Besides the standard library it imports only
// gateway/internal/goldentest, the replay mechanism the vendors' fakes
// share; what is Cohere's own (how a request names its scenario, the 404
// for an unknown model, bodies written whole) is here.
package coheretest
