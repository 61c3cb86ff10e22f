// Package http serves Quire over HTTPS. It owns the listeners (HTTPS, and a
// plain-HTTP listener that only redirects), the timeouts and size limits, the
// middleware stack in one ordered list, the built-in health routes, and the
// one function that renders errors.
//
// Handlers return errors instead of writing them: Error maps a quire error
// code to a status in one table and renders the body
//
//	{"error": {"code": "not_found", "message": "Note not found.", "id": "…"}}
//
// where id appears on 5xx responses only, is logged together with the full
// error, and is all the client learns about an internal failure.
package http
