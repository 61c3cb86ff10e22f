package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/logs"
	"github.com/quirehq/quire/retention"
	"github.com/quirehq/quire/trust"
)

// retentionFirstDelay is how long after start the janitor first runs;
// tests shorten it.
var retentionFirstDelay = retention.DefaultFirstDelay

// newJanitor builds the retention janitor over a's stores: the diagnostic
// logs (through sweepLogs), the store's rules with the configured
// periods, orphaned files, extra (the rules of components that register
// their own, such as data exports: retention.ExportRule(svc.TTL(),
// svc.Sweep)), and what is deliberately kept.
func newJanitor(a *app, sweepLogs func() (int, error), lg *slog.Logger, extra ...retention.Rule) (*retention.Janitor, error) {
	cfg := a.cfg
	rules := []retention.Rule{retention.LogRule(cfg.Logs.Retention, sweepLogs)}
	rules = append(rules, retention.StoreRules(a.stores.retention, retention.Periods{
		SessionIdle: cfg.Auth.Sessions.IdleTimeout, Invitations: cfg.Retention.ExpiredInvitations,
		Versions: versionPolicy(cfg), Usage: cfg.Retention.Usage, Audit: cfg.Retention.AuditLog,
	})...)
	if a.files != nil {
		rules = append(rules, retention.FileRule(files.DefaultGrace, a.files.SweepAll))
	}
	rules = append(rules, extra...)
	rules = append(rules, retention.KeptRules()...)
	j, err := retention.New(retention.Config{Rules: rules, Every: cfg.Retention.Every, FirstDelay: retentionFirstDelay,
		Logger: lg, Now: now})
	if err != nil {
		return nil, fmt.Errorf("retention: %w", err)
	}
	return j, nil
}

// runAdminRetention runs every retention rule once now and prints what
// each removed. It fails (exit 1) if a rule failed.
func runAdminRetention(ctx context.Context, a *app, stdout, stderr io.Writer) error {
	lg, err := logs.New(logs.Options{Dir: a.cfg.Logs.Dir, Retention: a.cfg.Logs.Retention, Level: slog.LevelWarn, Stderr: stderr})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	defer lg.Close()
	exp, err := newExport(a, true, cliLogger(stderr))
	if err != nil {
		return err
	}
	j, err := newJanitor(a, lg.Sweep, cliLogger(stderr), retention.ExportRule(exp.TTL(), exp.Sweep))
	if err != nil {
		return err
	}
	return printRetention(stdout, j.RunOnce(ctx))
}

// printRetention writes the rules as a table: name, period, removed,
// outcome. It returns exitCode(1) if a rule failed. The orphaned files'
// line says that a single run removes none of them.
func printRetention(w io.Writer, list []retention.Status) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tKEEP\tREMOVED\tRESULT")
	failed := 0
	for _, st := range list {
		keep, removed, result := "-", "-", "kept, not swept"
		if st.Keep > 0 {
			keep = days(st.Keep)
		}
		if st.Swept {
			removed, result = fmt.Sprint(st.Removed), "ok"
			switch {
			case st.Error != "":
				failed++
				result = "FAILED (" + st.Error + ")"
			case st.Name == retention.FileRuleName:
				// Orphans are removed when two sweeps at least the grace
				// apart find them; one run only finds them.
				result = fmt.Sprintf("ok (one run only finds orphans: they are removed by a run at least %s later, as quire serve makes)", days(st.Keep))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", st.Name, keep, removed, result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		fmt.Fprintf(w, "%d rule(s) failed; the warnings on stderr give their error codes.\n", failed)
		return exitCode(1)
	}
	return nil
}

// days writes d in whole days or hours (7d, 1h) when it is one, else as Go
// does.
func days(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	}
	return d.String()
}

// withLiveRetention serves the reports of get with the retention rules as
// they are now, so that the page shows the janitor's latest runs rather
// than those of the hour the report was made; without their counts, since
// the page is public (trust.PublicRetention).
func withLiveRetention(get func(context.Context) *trust.Report, rules func() []retention.Status) func(context.Context) *trust.Report {
	return func(ctx context.Context) *trust.Report {
		rep := get(ctx)
		if rep == nil {
			return nil
		}
		live := *rep
		live.Retention = trust.PublicRetention(rules())
		return &live
	}
}
