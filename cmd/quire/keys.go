package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

const keysUsage = `Usage: quire keys status|rotate|rewrap [--config FILE] [--data DIR]

  status   show the keyring and data keys (never key material)
  rotate   add a keyring key and a new data key for every scope; new
           values are encrypted under them from now on
  rewrap   re-wrap every data key under the newest keyring key, re-encrypt
           every stored value under its scope's newest data key, then retire
           the keys nothing uses any more. Safe to interrupt: run it again
           to finish.
`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, keysUsage)
		return exitCode(2)
	}
	sub := args[0]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath, dataDir := commonFlags(fs)
	asJSON := fs.Bool("json", false, "print status as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return exitCode(2)
	}
	switch sub {
	case "status", "rotate", "rewrap":
	default:
		fmt.Fprintf(stderr, "quire keys: unknown subcommand %q\n\n%s", sub, keysUsage)
		return exitCode(2)
	}
	a, err := openConfigured(ctx, *configPath, *dataDir, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	switch sub {
	case "rotate":
		if err := a.barrier.Rotate(ctx); err != nil {
			return fmt.Errorf("rotate: %w", err)
		}
		fmt.Fprintln(stdout, "Rotated: new values are encrypted under new keys. Run `quire keys rewrap` to re-encrypt existing data and retire the old keys.")
		return printKeyStatus(ctx, a, stdout, *asJSON)
	case "rewrap":
		return rewrap(ctx, a, stdout, stderr)
	}
	return printKeyStatus(ctx, a, stdout, *asJSON)
}

// rewrap is idempotent at every step, so an interrupted run is finished by
// running it again; Retire, the only destructive step, runs last and deletes
// only versions older than those the records were moved to.
func rewrap(ctx context.Context, a *app, stdout, stderr io.Writer) error {
	plan, err := a.barrier.PlanRetire(ctx)
	if err != nil {
		return err
	}
	if err := a.barrier.RewrapDataKeys(ctx, newProgress(stderr, "data keys").Update); err != nil {
		return fmt.Errorf("rewrap data keys: %w", err)
	}
	if err := a.stores.rewrap(ctx, a.barrier, newProgress(stderr, "records  ").Update); err != nil {
		return fmt.Errorf("re-encrypt records (run `quire keys rewrap` again to finish): %w", err)
	}
	if err := a.files.Rewrap(ctx, newProgress(stderr, "files    ").Update); err != nil {
		return fmt.Errorf("re-encrypt files (run `quire keys rewrap` again to finish): %w", err)
	}
	if exports, err := newExport(a, true, cliLogger(stderr)); err != nil {
		return err
	} else if err := exports.Rewrap(ctx, newProgress(stderr, "exports  ").Update); err != nil {
		return fmt.Errorf("re-encrypt exports (run `quire keys rewrap` again to finish): %w", err)
	}
	d, k, err := a.barrier.Retire(ctx, plan)
	if err != nil {
		return fmt.Errorf("retire old keys: %w", err)
	}
	fmt.Fprintf(stdout, "Rewrapped. Retired %d data keys and %d keyring keys.\n", d, k)
	st, err := a.barrier.Status(ctx)
	if err != nil {
		return err
	}
	if st.OldDataKeys > 0 {
		fmt.Fprintf(stdout, "%d older data keys are kept: their successors are less than %s old, and a running server may still encrypt with them. Run `quire keys rewrap` again after %s to retire them.\n",
			st.OldDataKeys, keyCacheTTL, plan.SettlesAt(keyCacheTTL).Local().Format(time.TimeOnly))
	}
	return printKeyStatus(ctx, a, stdout, false)
}

func printKeyStatus(ctx context.Context, a *app, stdout io.Writer, asJSON bool) error {
	st, err := a.barrier.Status(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	fmt.Fprintf(stdout, "Root key:   %s\n", st.RootKeySource)
	fmt.Fprintf(stdout, "Rotation:   after %s or %d encryptions per data key\n", st.RotateAfter, st.RotateAfterOps)
	fmt.Fprintf(stdout, "Data keys:  %d in %d scopes (%d not newest in their scope, %d wrapped by an older keyring key)\n",
		st.DataKeys, st.Scopes, st.OldDataKeys, st.StaleDataKeys)
	fmt.Fprintf(stdout, "Most used:  %d encryptions reserved on one data key\n\nKeyring:\n", st.MaxOps)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  VERSION\tKIND\tCREATED\tDATA KEYS\t")
	for _, k := range st.Keyring {
		mark := ""
		if k.Newest {
			mark = "(newest)"
		}
		created := "-"
		if !k.CreatedAt.IsZero() {
			created = k.CreatedAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%d\t%s\n", k.Version, k.Kind, created, k.DataKeys, mark)
	}
	return tw.Flush()
}
