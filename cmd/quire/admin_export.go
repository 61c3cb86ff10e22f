package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/export"
)

// exportsDir is the directory of the data directory that keeps the ready
// export archives, encrypted, apart from the workspaces' files.
func exportsDir(dataDir string) string { return filepath.Join(dataDir, "exports") }

// newExport returns data export over the app's stores (claim GDPR-1).
// With archives set it keeps ready archives, encrypted, in the exports
// directory (a serving instance); without, it only writes archives to a
// caller's writer (the operator's command).
func newExport(a *app, archives bool, lg *slog.Logger) (*export.Service, error) {
	st := a.stores
	cfg := export.Config{Exports: st.exports, Users: st.users, Workspaces: st.workspaces, Folders: st.folders, Notes: st.notes,
		Ideas: st.ideas, Chats: st.chats, Accounts: st.auth, Shares: st.shares, Privacy: st.privacy,
		TTL: a.cfg.Exports.TTL, PerDay: a.cfg.Exports.PerDay, Now: now, Logger: lg}
	if a.files != nil {
		cfg.Files = a.files
	}
	if archives {
		local, err := blob.NewLocal(blob.LocalOptions{Dir: exportsDir(a.cfg.DataDir)})
		if err != nil {
			return nil, fmt.Errorf("exports: %w", err)
		}
		a.closers = append(a.closers, local.Close)
		if cfg.Archives, err = export.NewArchives(a.barrier, local); err != nil {
			return nil, fmt.Errorf("exports: %w", err)
		}
	}
	return export.New(cfg)
}

// startExport builds data export for a serving instance and starts its
// worker, which first builds again whatever export a stop or a crash cut
// short. The worker stops, and is waited for, when the app closes.
func startExport(a *app, lg *slog.Logger) (*export.Service, error) {
	svc, err := newExport(a, true, lg)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	a.closers = append(a.closers, func() error { stop(); <-done; return nil })
	return svc, nil
}

// deletionsWithExports deletes a user's export archives when their
// account's deletion is recorded, so that no archive of theirs waits for
// its expiry.
type deletionsWithExports struct {
	quire.AccountDeletionService
	exports *export.Service
	log     *slog.Logger
}

// RequestDeletion records the deletion, then deletes the user's archives.
// A failure there is logged: the deletion stands, and the archives expire
// and are swept within exports.ttl.
func (d deletionsWithExports) RequestDeletion(ctx context.Context, del *quire.AccountDeletion) error {
	if err := d.AccountDeletionService.RequestDeletion(ctx, del); err != nil {
		return err
	}
	if err := d.exports.ForgetUser(context.WithoutCancel(ctx), del.UserID); err != nil {
		d.log.ErrorContext(ctx, "export archives of a deleted account left to expire", "user", del.UserID, "code", quire.ErrorCode(err))
	}
	return nil
}

// runAdminExport runs `quire admin export USER [-o FILE]`: the archive of
// the user (an ID or an email address), as the user would download it,
// written decrypted to FILE (default quire-export-<user ID>.zip), with
// progress on stderr. The file is created new, readable by its owner
// only, and appears only once complete (writeNew).
func runAdminExport(ctx context.Context, a *app, who, out string, stdout, stderr io.Writer) error {
	svc, err := newExport(a, false, cliLogger(stderr))
	if err != nil {
		return err
	}
	u, err := findUser(ctx, a, who)
	if err != nil {
		return err
	}
	if out == "" {
		out = "quire-export-" + u.ID + ".zip"
	}
	bar := newProgress(stderr, "Exporting")
	size, err := writeNew(ctx, out, func(ctx context.Context, w io.Writer) error {
		return svc.OperatorArchive(ctx, u.ID, w, bar.Update)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote the data of user %s to %s (%d bytes). It is not encrypted: hand it over securely, then delete it.\n", u.ID, out, size)
	return nil
}

// writeNew writes what write yields to the new file out, and returns its
// size: into a temporary file beside it, readable by its owner only,
// synced, then renamed to out (no hard link, which not every file system
// has). The temporary file is removed on any failure, and on an interrupt
// or a termination signal: the first cancels the write, a second ends the
// process at once, after removing it. Only a kill that cannot be caught
// leaves it behind (a hidden .quire-export-*.part file). An existing out
// is refused.
func writeNew(ctx context.Context, out string, write func(ctx context.Context, w io.Writer) error) (size int64, err error) {
	if _, err := os.Lstat(out); err == nil {
		return 0, fmt.Errorf("%s already exists: choose another file with -o", out)
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".quire-export-*.part") // mode 0600
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs, done := make(chan os.Signal, 2), make(chan struct{})
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer func() { signal.Stop(sigs); close(done) }()
	go func() {
		for n := 1; ; n++ {
			select {
			case <-done:
				return
			case <-sigs:
				cancel()
				if n > 1 {
					_ = os.Remove(name)
					os.Exit(130)
				}
			}
		}
	}()
	if err := write(ctx, tmp); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return 0, fmt.Errorf("%s was created meanwhile: choose another file with -o", out)
	}
	if err := os.Rename(name, out); err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	if d, err := os.Open(filepath.Dir(out)); err == nil {
		_ = d.Sync() // the rename itself is durable
		_ = d.Close()
	}
	fi, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// findUser finds a user by ID, or by email address when who has an @.
func findUser(ctx context.Context, a *app, who string) (*quire.User, error) {
	if strings.Contains(who, "@") {
		return a.stores.users.FindUserByEmail(ctx, strings.ToLower(strings.TrimSpace(who)))
	}
	if !quire.ValidID(who) {
		return nil, quire.Errorf(quire.EINVALID, "Give a user ID or an email address.")
	}
	return a.stores.users.FindUserByID(ctx, who)
}
