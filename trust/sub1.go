package trust

import (
	"context"

	"github.com/quirehq/quire"
)

// checkSUB1 verifies the sub-processor list: it exists, every entry says
// what it is for and what it receives, no AI provider that trains on data
// is enabled, and every outbound service the configuration enables (the
// TLS-2 list and the gateway's providers, found independently of the list)
// appears in it.
func checkSUB1(_ context.Context, env *Env) (Status, []string) {
	var e evidence
	if env.SubProcessors == nil {
		e.failf("the sub-processor list is not known: run with the deployment's configuration")
		return e.result()
	}
	e.notef("%d sub-processors, generated from this process's configuration", len(env.SubProcessors))
	for _, s := range env.SubProcessors {
		describeSubProcessor(&e, s)
	}
	for _, l := range env.Local {
		e.notef("not a sub-processor, runs on this machine: %s", l)
	}
	crossCheckOutbound(&e, env)
	for _, p := range env.AI.Providers {
		if findSubProcessor(env.SubProcessors, quire.SubProcessorAI, p.Name) == nil && !localAI(env, p.Name) {
			e.failf("the gateway routes to AI provider %s, which the list omits", p.Name)
		}
	}
	return e.result()
}

func describeSubProcessor(e *evidence, s quire.SubProcessor) {
	e.notef("%s %s (%s, region %s): %s", s.Kind, s.Name, s.Host, s.Region, s.Purpose)
	if s.Purpose == "" || s.DataHandling == "" {
		e.failf("%s %s lacks a purpose or a data-handling statement", s.Kind, s.Name)
	}
	if s.Kind != quire.SubProcessorAI {
		return
	}
	if s.ZeroDataRetention == nil || s.TrainsOnData == nil {
		e.failf("AI provider %s lacks its zero-data-retention or training attestation", s.Name)
		return
	}
	if *s.TrainsOnData {
		e.failf("AI provider %s may train on customer data and is enabled", s.Name)
	}
}

// crossCheckOutbound fails for a remote outbound connection of the
// configuration that the list omits, and for a listed service that the
// configuration does not enable.
func crossCheckOutbound(e *evidence, env *Env) {
	if env.Outbound == nil {
		e.failf("the outbound connections are not known: the list cannot be cross-checked")
		return
	}
	matched := map[*quire.SubProcessor]bool{}
	for _, o := range env.Outbound {
		if o.Loopback {
			continue
		}
		s := findSubProcessor(env.SubProcessors, o.Kind, o.Name)
		if s == nil {
			e.failf("%s (%s) is configured but missing from the sub-processor list", o.What, o.Target)
			continue
		}
		matched[s] = true
	}
	for i := range env.SubProcessors {
		if s := &env.SubProcessors[i]; !matched[s] {
			e.failf("%s %s is listed but no configured outbound connection matches it", s.Kind, s.Name)
		}
	}
}

// findSubProcessor finds the entry of kind (and, for an AI provider, of
// that name).
func findSubProcessor(list []quire.SubProcessor, kind, name string) *quire.SubProcessor {
	for i := range list {
		if list[i].Kind == kind && (kind != quire.SubProcessorAI || list[i].Name == name) {
			return &list[i]
		}
	}
	return nil
}

// localAI reports whether the configuration reaches the provider named
// on loopback, which keeps it off the list.
func localAI(env *Env, name string) bool {
	for _, o := range env.Outbound {
		if o.Kind == quire.SubProcessorAI && o.Name == name {
			return o.Loopback
		}
	}
	return false
}
