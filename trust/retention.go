package trust

import (
	"fmt"
	"io"
	"time"

	"github.com/quirehq/quire/retention"
)

// RetentionInfo describes the retention janitor, whose rules the report
// lists (what is deleted, after how long, and when each last ran).
type RetentionInfo struct {
	// Rules returns the rules with the outcome of their last run in this
	// process; nil means the rules are not known.
	Rules func() []retention.Status
	// Running is true when the janitor runs in this process (quire
	// serve); false for a report made beside the server (quire trust),
	// where no run is seen.
	Running bool
	// Every is how often the janitor runs every rule.
	Every time.Duration
}

// retentionRules returns the rules of env, or nil.
func retentionRules(env *Env) []retention.Status {
	if env.Retention.Rules == nil {
		return nil
	}
	return env.Retention.Rules()
}

// reportedRules returns the rules of env as a report lists them: without
// their counts when the janitor runs in this process, since that report
// is the server's public one (see PublicRetention).
func reportedRules(env *Env) []retention.Status {
	list := retentionRules(env)
	if env.Retention.Running {
		return PublicRetention(list)
	}
	return append([]retention.Status{}, list...)
}

// PublicRetention returns list fit for the public trust page and
// trust.json: when each rule last ran and whether it failed, not how much
// it deleted (an activity signal). quire admin retention and the text
// report, for the operator, keep the counts.
func PublicRetention(list []retention.Status) []retention.Status {
	out := make([]retention.Status, 0, len(list))
	for _, st := range list {
		out = append(out, st.Public())
	}
	return out
}

// retentionEvidence adds to e what the janitor says of the rule named:
// that it exists, when it last ran and whether that run succeeded (not
// what it removed: with the janitor running, the report is the server's
// public one). A rule missing
// from a known list, or whose last run failed, fails e. Unknown rules
// (no janitor in env) are only noted: the claim's own checks stand.
func retentionEvidence(e *evidence, env *Env, name string) {
	list := retentionRules(env)
	if list == nil {
		e.notef("retention rules not known to this check: run it with the deployment's configuration")
		return
	}
	for _, st := range list {
		if st.Name != name {
			continue
		}
		switch {
		case !env.Retention.Running:
			e.notef("retention rule %q is enforced by the server's janitor every %s; its runs are reported on the server's /trust page", name, keepLabel(env.Retention.Every))
		case st.LastRun.IsZero():
			e.notef("retention rule %q: the janitor runs it every %s and has not run yet", name, keepLabel(env.Retention.Every))
		case st.Error != "":
			e.failf("retention rule %q: its last run, %s ago, failed (%s)", name, approx(time.Since(st.LastRun)), st.Error)
		default:
			e.notef("retention rule %q: last run %s ago succeeded", name, approx(time.Since(st.LastRun)))
		}
		return
	}
	e.failf("the retention janitor has no rule %q", name)
}

// retentionLine describes one rule's last run, with what it removed, for
// the text report (the operator's).
func retentionLine(st retention.Status) string {
	switch {
	case !st.Swept:
		return "kept, not swept"
	case st.LastRun.IsZero():
		return "not run yet in this process"
	case st.Error != "":
		return fmt.Sprintf("last run %s failed (%s)", st.LastRun.UTC().Format(time.RFC3339), st.Error)
	}
	return fmt.Sprintf("last run %s removed %d", st.LastRun.UTC().Format(time.RFC3339), st.Removed)
}

// publicRetentionLine describes one rule's last run for the public page:
// when, and whether it succeeded.
func publicRetentionLine(st retention.Status) string {
	switch {
	case !st.Swept:
		return "kept, not swept"
	case st.LastRun.IsZero():
		return "not run yet in this process"
	case st.Error != "":
		return fmt.Sprintf("last run %s failed (%s)", st.LastRun.UTC().Format(time.RFC3339), st.Error)
	}
	return fmt.Sprintf("last run %s: ok", st.LastRun.UTC().Format(time.RFC3339))
}

// keepLabel writes a rule's period in days or hours, or "-" for none.
func keepLabel(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d <= 0:
		return "-"
	case d == day:
		return "1 day"
	case d%day == 0:
		return fmt.Sprintf("%d days", d/day)
	case d == time.Hour:
		return "1 hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}

// writeRetention writes the retention rules after the claims: name,
// period and last run, with the description indented below.
func (r *Report) writeRetention(w io.Writer, indent string) {
	if len(r.Retention) == 0 {
		return
	}
	fmt.Fprintf(w, "\nRetention rules (what is deleted, after how long)\n")
	for _, st := range r.Retention {
		fmt.Fprintf(w, "%s (keep %s): %s\n", printable(st.Name), keepLabel(st.Keep), retentionLine(st))
		fmt.Fprintf(w, "%s%s\n", indent, printable(st.Description))
	}
}
