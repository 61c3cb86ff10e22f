package route

import (
	"context"
	"io"

	"github.com/quirehq/quire/gateway"
)

// stream is a provider stream that delivered its first event. It holds
// the provider's concurrency slot and the attempt's context until it
// ends (io.EOF, an error, or Close), and then reports the attempt to the
// Observer with the last usage it saw. Errors after the first event go
// to the consumer: the client may already have been sent text, so there
// is no fallback.
type stream struct {
	r      *Router
	ctx    context.Context // the caller's, for the Observer
	up     gateway.Stream
	e      *entry
	cancel context.CancelCauseFunc
	a      Attempt

	first    gateway.Event
	hasFirst bool
	usage    gateway.Usage
	hasUsage bool
	err      error // sticky: io.EOF, the failure, or ErrStreamClosed
	ended    bool
}

// Next returns the first event again, then the provider's events; see
// gateway.Stream.
func (s *stream) Next() (gateway.Event, error) {
	if s.err != nil {
		return gateway.Event{}, s.err
	}
	var (
		ev  gateway.Event
		err error
	)
	if s.hasFirst {
		ev, s.first, s.hasFirst = s.first, gateway.Event{}, false
	} else {
		ev, err = s.up.Next()
	}
	if err != nil {
		s.end(err)
		return gateway.Event{}, s.err
	}
	if ev.Type == gateway.EventUsage {
		s.usage, s.hasUsage = ev.Usage, true // the last one wins
	}
	return ev, nil
}

// Close ends the stream, releasing the upstream request; see
// gateway.Stream.
func (s *stream) Close() error {
	s.end(nil)
	s.err = gateway.ErrStreamClosed
	return nil
}

// end finishes the attempt once: err is io.EOF, the upstream's error, or
// nil for a Close before the end.
func (s *stream) end(err error) {
	if s.ended {
		return
	}
	s.ended = true
	s.up.Close()
	a := &s.a
	a.Latency = s.r.now().Sub(a.Start)
	if s.hasUsage {
		u := s.usage
		a.Usage = &u
	}
	o := healthy // already recorded at the first event
	switch {
	case err == io.EOF:
		s.err = io.EOF
	case err == nil:
		pe := gateway.NewError(s.e.name, gateway.ClassCanceled, ErrStreamAbandoned)
		a.Class, a.Err = pe.Class, pe
		o = neutral
	default:
		pe := normalize(s.ctx, s.ctx, s.e.name, err)
		a.Status, a.Class, a.Err = pe.Status, pe.Class, pe
		o = outcomeOf(s.ctx, pe)
		s.err = pe
	}
	s.cancel(nil)
	if o == failed {
		s.r.record(s.e, false, failed)
	}
	<-s.e.sem
	a.Final = true
	if s.r.obs != nil {
		s.r.obs.Attempt(s.ctx, *a)
	}
}
