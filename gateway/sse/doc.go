// Package sse reads and writes Server-Sent Events (text/event-stream), the
// framing every streaming AI vendor uses.
//
// Reader is a streaming parser that follows the WHATWG HTML "event stream
// interpretation": fields event, data, id and retry; comment lines; data
// lines joined with "\n"; LF, CR and CRLF line endings (also when a CRLF is
// split across reads); a leading byte-order mark; an event without a
// closing blank line at the end of the stream is discarded. It holds at
// most one event in memory and refuses, with ErrEventTooLarge, any line or
// event larger than its limit, so a hostile or broken upstream cannot make
// it grow without bound. Reading allocates only when the buffer grows and
// when an event type or ID differs from the previous one.
//
// Writer writes events to an http.ResponseWriter and flushes after each
// one, refusing event names and IDs that would break the framing.
//
// What this package does not do: reconnect (AI streams are not resumable,
// so Last-Event-ID and retry are parsed but not acted on), decode the data
// (each vendor package parses its own JSON), or replace invalid UTF-8 in
// data (bytes pass through; JSON decoders handle it). Event names and IDs
// are made valid UTF-8.
package sse
