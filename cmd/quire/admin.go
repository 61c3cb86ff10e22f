package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/quirehq/quire/logs"
)

const adminUsage = `Usage:
  quire admin unlock EMAIL   [--config FILE] [--data DIR]   lift a sign-in lockout
  quire admin audit verify   [--config FILE] [--data DIR]   check the audit log's hash chain
  quire admin reports list   [--config FILE] [--data DIR]   vulnerability reports: the overdue, then the newest
  quire admin reports list PAGE                             a further page of 50 reports
  quire admin reports show ID                               one report, with what the reporter wrote
  quire admin reports ack ID | resolve ID | reject ID       answer a report
  quire admin deletions      [--config FILE] [--data DIR]   the account deletion queue: user ID, dates, status
  quire admin purge          [--config FILE] [--data DIR]   finish every pending account deletion now
  quire admin export USER    [-o FILE] [--config FILE] [--data DIR]   write a user's data archive (ID or email), unencrypted
  quire admin retention      [--config FILE] [--data DIR]   run every retention rule now and print what each removed
`

// runAdmin runs the operator's account commands against the configured
// store.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, adminUsage) }
	configPath, dataDir := commonFlags(fs)
	exportTo := fs.String("o", "", "the `file` quire admin export writes (default quire-export-<user ID>.zip)")
	words, err := parseInterspersed(fs, args)
	if err != nil {
		return exitCode(2)
	}
	switch {
	case len(words) == 2 && (words[0] == "unlock" || words[0] == "export"):
	case len(words) == 2 && words[0] == "audit" && words[1] == "verify":
	case len(words) >= 2 && words[0] == "reports" && reportsCommand(words[1:]):
	case len(words) == 1 && (words[0] == "deletions" || words[0] == "purge" || words[0] == "retention"):
	default:
		fmt.Fprint(stderr, adminUsage)
		return exitCode(2)
	}
	a, err := openExisting(ctx, *configPath, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	if a.auth, err = newAuth(a, cliLogger(stderr), func() string { return a.cfg.Server.PublicURL }); err != nil {
		return err
	}
	if words[0] == "reports" {
		return runReports(ctx, a, words[1:], stdout)
	}
	if words[0] == "export" {
		return runAdminExport(ctx, a, words[1], *exportTo, stdout, stderr)
	}
	if words[0] == "retention" {
		return runAdminRetention(ctx, a, stdout, stderr)
	}
	if words[0] == "deletions" || words[0] == "purge" {
		return runAdminDeletions(ctx, a, words[0], stdout, stderr)
	}
	if words[0] == "unlock" {
		if err := a.auth.Unlock(ctx, words[1], ""); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Unlocked %s: its failed-attempt count is reset.\n", words[1])
		return nil
	}
	n, err := a.auth.VerifyAudit(ctx)
	if err != nil {
		fmt.Fprintf(stdout, "The audit log does NOT verify: %v\n", err)
		return exitCode(1)
	}
	fmt.Fprintf(stdout, "The audit log verifies: every entry up to %d is chained to the one before (or to the anchor left by retention).\n", n)
	return nil
}

// parseInterspersed parses flags that may come before, between or after
// the positional words, and returns the words.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return words, nil
		}
		words = append(words, args[0])
		args = args[1:]
	}
}

// cliLogger logs warnings and errors of a command to stderr, masked like
// the server's logs.
func cliLogger(stderr io.Writer) *slog.Logger {
	return slog.New(logs.NewMaskingHandler(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
}
