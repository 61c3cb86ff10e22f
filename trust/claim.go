package trust

import (
	"context"
	"fmt"
	"time"
)

// Claim is one security promise of CLAIMS.md.
type Claim struct {
	// ID is stable: links, SECURITY.md and monitoring refer to it.
	ID      string
	Section string
	Title   string
	// Text is the claim exactly as CLAIMS.md words it, lines joined.
	Text string
	// Verify describes what Check does, for SECURITY.md; empty when there
	// is no check.
	Verify string
	// Check tests the claim and returns its status with evidence lines.
	// Nil means the claim has no automated check yet (not_implemented).
	Check func(ctx context.Context, env *Env) (Status, []string)
	// Timeout overrides Env.Timeout for a check that needs longer.
	Timeout time.Duration
}

// evidence collects a check's findings. A check records what it saw with
// notef and what broke the claim with failf; result turns that into a
// status. Lines must never contain secrets, keys or user content.
type evidence struct {
	lines  []string
	failed bool
}

func (e *evidence) notef(format string, args ...any) {
	e.lines = append(e.lines, fmt.Sprintf(format, args...))
}

func (e *evidence) failf(format string, args ...any) {
	e.failed = true
	e.lines = append(e.lines, "FAIL: "+fmt.Sprintf(format, args...))
}

func (e *evidence) result() (Status, []string) {
	if e.failed {
		return StatusFail, e.lines
	}
	return StatusPass, e.lines
}
