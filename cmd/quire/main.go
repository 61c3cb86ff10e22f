// Command quire is Quire's single binary: the server, and the operator's
// commands for keys, migrations and the live trust report. This package is
// the only place where Quire's packages are wired together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/quirehq/quire"
)

const usage = `Quire: a self-hosted AI writing workspace.

Usage:
  quire serve   [--config FILE] [--data DIR] [--addr HOST:PORT] [--http-addr HOST:PORT]
  quire migrate [--config FILE] [--data DIR]
  quire keys    status|rotate|rewrap [--config FILE] [--data DIR]
  quire trust   [--url URL] [--config FILE] [--data DIR] [--json]
  quire admin   unlock EMAIL | audit verify | deletions | purge [--config FILE] [--data DIR]
  quire admin   export USER [-o FILE] [--config FILE] [--data DIR]
  quire version

Run "quire COMMAND --help" for the flags of one command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first signal shuts down gracefully; a second one ends the process at once
	}()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ec exitCode
		if errors.As(err, &ec) {
			os.Exit(int(ec))
		}
		var qe *quire.Error
		if errors.As(err, &qe) && quire.ErrorCode(err) != quire.EINTERNAL {
			err = errors.New(qe.Message) // the client-safe message, not the code dump
		}
		fmt.Fprintln(os.Stderr, "quire:", err)
		os.Exit(1)
	}
}

// exitCode ends the program with a status and no further message.
type exitCode int

func (e exitCode) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// run dispatches to one command. Commands read flags from args, write their
// output to stdout and diagnostics to stderr, and stop when ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	// Before any client clones the default transport (claim AI-1).
	defaultFence()
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitCode(2)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "trust":
		return runTrust(ctx, rest, stdout, stderr)
	case "admin":
		return runAdmin(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "quire %s\n", versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "quire: unknown command %q\n\n%s", cmd, usage)
		return exitCode(2)
	}
}

func versionString() string {
	if quire.Commit == "" {
		return quire.Version
	}
	return quire.Version + " (" + quire.Commit + ")"
}
