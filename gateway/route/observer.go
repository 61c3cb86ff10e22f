package route

import (
	"context"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Observer is told about every attempt the router makes: metering and
// metrics hang off it. It sees only the metadata in Attempt, never a
// prompt or a completion (claim AI-2). It is called synchronously, from
// the goroutine that made the call (for a stream, the one that ended it),
// so it must be quick and safe for concurrent use.
type Observer interface {
	// Attempt reports one finished attempt. ctx is the context of the
	// call (values such as the workspace are there); it may already be
	// cancelled.
	Attempt(ctx context.Context, a Attempt)
}

// Attempt describes one attempt on one provider.
type Attempt struct {
	// Op is "chat", "chat_stream", "embed", "transcribe" or "rerank".
	Op string
	// Provider and Kind name the provider and its wire format.
	Provider, Kind string
	// Model is the model the provider was asked for; Alias is the alias
	// the client named, or "" when it named the model itself.
	Model, Alias string
	// Try counts the tries on this target, from 1 (2 is the first retry).
	Try int
	// Start is when the attempt began (Config.Now).
	Start time.Time
	// Latency is the attempt's whole duration: for a stream, until it
	// ended. FirstEvent is, for a stream, the wait for its first event.
	Latency, FirstEvent time.Duration
	// Status is 200 for a success; for a failure, the upstream's HTTP
	// status (200 for an error inside a stream), or 0 when there was no
	// answer.
	Status int
	// Class and Err describe a failure; Err is nil on success. A stream
	// closed by its consumer before its end is ClassCanceled with
	// ErrStreamAbandoned.
	Class gateway.ErrorClass
	Err   error
	// Usage is the token count the provider reported (for a stream, its
	// last usage event), or nil. It must not be modified.
	Usage *gateway.Usage
	// UsageDuration is the audio a transcription is billed for, when the
	// provider bills by duration.
	UsageDuration time.Duration
	// Final is true on the call's last attempt.
	Final bool
}
