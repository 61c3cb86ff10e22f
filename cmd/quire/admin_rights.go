package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/quirehq/quire"
)

// runAdminDeletions runs `quire admin deletions` (the queue, identifiers
// and times only) or `quire admin purge` (finish every deletion not done,
// with progress). Purge exits 1 if any deletion could not be finished.
func runAdminDeletions(ctx context.Context, a *app, cmd string, stdout, stderr io.Writer) error {
	svc, err := newErase(a, nil, cliLogger(stderr))
	if err != nil {
		return err
	}
	if cmd == "deletions" {
		list, err := svc.Deletions(ctx)
		if err != nil {
			return err
		}
		printDeletions(stdout, list, now())
		return nil
	}
	fmt.Fprintln(stdout, "Purging every account deletion not yet done…")
	done, err := svc.PurgeAll(ctx, func(d *quire.AccountDeletion, err error) {
		if err != nil {
			fmt.Fprintf(stdout, "  %s  failed (%s); run purge again\n", d.UserID, quire.ErrorCode(err))
			return
		}
		fmt.Fprintf(stdout, "  %s  purged (requested %s)\n", d.UserID, d.RequestedAt.UTC().Format(time.RFC3339))
	})
	fmt.Fprintf(stdout, "Purged %d account(s).\n", done)
	if err != nil {
		return exitCode(1)
	}
	return nil
}

// printDeletions writes the queue as a table: user ID, when requested,
// the deadline, the status (overdue if not done by the deadline).
func printDeletions(w io.Writer, list []*quire.AccountDeletion, at time.Time) {
	if len(list) == 0 {
		fmt.Fprintln(w, "No account deletions.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tREQUESTED\tDEADLINE\tSTATUS")
	for _, d := range list {
		status := d.Status
		if d.Overdue(at) {
			status += " (OVERDUE)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.UserID, d.RequestedAt.UTC().Format(time.RFC3339), d.Deadline.UTC().Format(time.RFC3339), status)
	}
	_ = tw.Flush()
}
