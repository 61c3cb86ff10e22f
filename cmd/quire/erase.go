package main

import (
	"context"
	"log/slog"

	"github.com/quirehq/quire/erase"
)

// newErase returns account deletion over the app's stores (claim GDPR-3).
// forget, if not nil, drops a workspace's in-memory search index; a
// command without search passes nil.
func newErase(a *app, forget func(workspaceID string), lg *slog.Logger) (*erase.Service, error) {
	cfg := erase.Config{Deletions: a.stores.deletions, Users: a.stores.users, Workspaces: a.stores.workspaces,
		Accounts: a.stores.auth, Identity: a.auth, Shred: a.barrier.Shred, Shares: a.stores.shares, Forget: forget, Now: now, Logger: lg}
	if a.files != nil {
		cfg.Blobs = a.files
	}
	if a.mail != nil {
		cfg.Mail = a.mail
	}
	return erase.New(cfg)
}

// startErase builds account deletion for a serving instance and starts
// its background purge, which first finishes whatever the queue holds (a
// purge a crash or a restart cut short). The purge stops, and is waited
// for, when the app closes.
func startErase(a *app, forget func(workspaceID string), lg *slog.Logger) (*erase.Service, error) {
	svc, err := newErase(a, forget, lg)
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx) }()
	a.closers = append(a.closers, func() error { stop(); <-done; return nil })
	return svc, nil
}
