package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/quirehq/quire/disclosure"
	"github.com/quirehq/quire/edge/ratelimit"
	"github.com/quirehq/quire/mail"
)

// newDisclosure builds vulnerability disclosure (claim VDP-1) from the
// configuration: security.txt's fields, the report store, and the email
// of receipts and operator alerts through a.mail (which newAuth builds;
// without it, nothing is sent and every alert is logged).
func newDisclosure(a *app, logger *slog.Logger) (*disclosure.Service, error) {
	return newDisclosureShared(a, logger, nil)
}

// newDisclosureShared is newDisclosure with the intake's global budgets
// (reports, alerts and receipts an hour) held in lim, the request rate
// limits' limiter: through Redis, when one is configured, every instance
// spends from one budget. Nil keeps them in process.
func newDisclosureShared(a *app, logger *slog.Logger, lim ratelimit.Limiter) (*disclosure.Service, error) {
	d := a.cfg.Disclosure
	var sender mail.Sender
	if a.mail != nil {
		sender = a.mail
	}
	svc, err := disclosure.New(disclosure.Config{
		Reports: a.stores.reports, Mail: sender, OperatorEmail: d.OperatorEmail,
		Txt: disclosure.TxtConfig{Contacts: d.Contacts, ExpiresAfter: d.ExpiresAfter, Policy: d.Policy,
			PreferredLanguages: d.PreferredLanguages, Acknowledgments: d.Acknowledgments, Hiring: d.Hiring, Encryption: d.Encryption},
		ReportsPerHour: d.ReportsPerHour, ReportsGlobalPerHour: d.ReportsGlobalPerHour, AlertsPerHour: d.AlertsPerHour,
		Limiter: lim, Logger: logger, Now: now,
	})
	if err != nil {
		return nil, fmt.Errorf("disclosure: %w", err)
	}
	return svc, nil
}

// startReportScan runs the scan that reminds the operator of reports
// nearing their deadline unacknowledged, for the server's lifetime; the
// returned function stops it and waits for it to end.
func startReportScan(svc *disclosure.Service) func() error {
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); svc.Run(ctx, disclosure.DefaultScanEvery) }()
	return func() error { stop(); <-done; return nil }
}
