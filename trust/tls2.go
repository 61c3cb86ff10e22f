package trust

import "context"

// Outbound is one kind of outbound connection the deployment makes, as
// configured (claim TLS-2).
type Outbound struct {
	// What names it: "AI provider main-openai", "PostgreSQL", "SMTP relay".
	What string
	// Target is the host (and port) it connects to; never credentials.
	Target string
	// Verified is true when it uses TLS 1.2+ with certificate verification.
	Verified bool
	// Loopback is true when the target is on this machine.
	Loopback bool
	// Kind is the quire.SubProcessor* kind of the service, and Name the
	// AI provider's configured name, by which claim SUB-1 finds it in the
	// sub-processor list; empty when unknown.
	Kind, Name string
}

// checkTLS2 verifies that every configured outbound connection uses
// verified TLS, or stays on loopback in development.
func checkTLS2(_ context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.Outbound == nil {
		e.failf("the outbound connections are not known: run with the deployment's configuration")
		return e.result()
	}
	for _, o := range env.Outbound {
		switch {
		case o.Verified:
			e.notef("%s (%s): TLS 1.2+ with certificate verification", o.What, o.Target)
		case o.Loopback && !env.Production:
			e.notef("%s (%s): plaintext to loopback, allowed in development only", o.What, o.Target)
		case o.Loopback:
			e.failf("%s (%s): plaintext in production", o.What, o.Target)
		default:
			e.failf("%s (%s): %s", o.What, o.Target, "not TLS with certificate verification to a remote host")
		}
	}
	if len(env.Outbound) == 0 {
		e.notef("no outbound connections are configured")
	}
	e.notef("every outbound client sets TLS 1.2 as its minimum; the AI gateway's client also refuses redirects and any http:// URL that is not loopback in development")
	return e.result()
}
