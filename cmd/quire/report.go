package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/quirehq/quire/trust"
)

// trustInterval is how often the running server re-checks its claims for
// the live /trust page. Each run writes and shreds canary data and scans the
// store, so it runs on this schedule only, never because of a request.
var trustInterval = time.Hour

// reportSource serves the newest scheduled report. It is mounted before the
// server listens and given its schedule once the listeners' URLs are known;
// until the first run ends the page answers 503.
type reportSource struct {
	mu  sync.Mutex
	get func(context.Context) *trust.Report
}

// Set installs the report getter.
func (r *reportSource) Set(get func(context.Context) *trust.Report) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.get = get
}

// Get returns the newest report, or nil if there is none yet.
func (r *reportSource) Get(ctx context.Context) *trust.Report {
	r.mu.Lock()
	get := r.get
	r.mu.Unlock()
	if get == nil {
		return nil
	}
	return get(ctx)
}

// publicReport removes the server's file-system layout from the evidence
// before the report is published: the page proves the claims, it need not
// tell a visitor where the data directory is. Nor how many vulnerability
// reports await an answer, or which: VDP-1 says there only whether one is
// past its deadline (quire trust, for the operator, names them).
func publicReport(rep *trust.Report, dataDir string) *trust.Report {
	for i := range rep.Results {
		if rep.Results[i].ID == "VDP-1" {
			rep.Results[i].Evidence = trust.PublicVDP1Evidence(rep.Results[i].Evidence)
		}
	}
	var paths []string
	if abs, err := filepath.Abs(dataDir); err == nil {
		paths = append(paths, abs)
	}
	paths = append(paths, filepath.Clean(dataDir))
	for i := range rep.Results {
		for j, ev := range rep.Results[i].Evidence {
			for _, p := range paths {
				ev = strings.ReplaceAll(ev, p, "<data dir>")
			}
			rep.Results[i].Evidence[j] = ev
		}
	}
	return rep
}
