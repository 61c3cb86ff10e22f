package trust

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// exportQueue is an export store holding list, for the GDPR-1 check.
type exportQueue struct {
	quire.ExportService
	list []*quire.Export
	err  error
}

func (q exportQueue) FindExportsByState(_ context.Context, states ...string) ([]*quire.Export, error) {
	var out []*quire.Export
	for _, e := range q.list {
		for _, s := range states {
			if e.State == s {
				out = append(out, e)
			}
		}
	}
	return out, q.err
}

func TestGDPR1(t *testing.T) {
	ctx := context.Background()
	now, day := time.Now(), 24*time.Hour
	ready := func(expires time.Duration) *quire.Export {
		return &quire.Export{State: quire.ExportReady, CreatedAt: now.Add(-day), ExpiresAt: now.Add(expires)}
	}
	tests := []struct {
		name    string
		ttl     time.Duration
		list    []*quire.Export
		files   map[string]string // name under the archive directory: content
		want    Status
		evident string
	}{
		{"nothing yet", 7 * day, nil, nil, StatusPass, "no archive is stored yet"},
		{"ready and sealed", 7 * day, []*quire.Export{ready(day), {State: quire.ExportRunning, CreatedAt: now}},
			map[string]string{"a/a": "QBL1\x01 sealed"}, StatusPass, "1 stored archives, each an encrypted blob"},
		{"no expiry", 0, nil, nil, StatusFail, "want a period of at most 30 days"},
		{"expiry too long", 60 * day, nil, nil, StatusFail, "want a period of at most 30 days"},
		{"stuck", 7 * day, []*quire.Export{{State: quire.ExportQueued, CreatedAt: now.Add(-2 * day)}}, nil, StatusFail,
			"1 exports have been queued or running for more than a day"},
		{"expired, not deleted", 7 * day, []*quire.Export{ready(-2 * time.Hour)}, nil, StatusFail, "1 ready archives are past their expiry"},
		{"just expired", 7 * day, []*quire.Export{ready(-time.Minute)}, nil, StatusPass, "0 exports being built, 1 ready"},
		{"plaintext archive", 7 * day, nil, map[string]string{"a/a": "QBL1 sealed", "b/b": "PK\x03\x04 plain zip"}, StatusFail,
			"1 of 2 stored archives are not encrypted"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "exports")
			for name, content := range tc.files {
				if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := &Env{Exports: ExportInfo{Store: exportQueue{list: tc.list}, TTL: tc.ttl, Dir: dir}}
			status, ev := checkGDPR1(ctx, env)
			if status != tc.want || !strings.Contains(strings.Join(ev, "\n"), tc.evident) {
				t.Fatalf("status %s, evidence:\n%s\nwant %s with %q", status, strings.Join(ev, "\n"), tc.want, tc.evident)
			}
		})
	}
	status, ev := checkGDPR1(ctx, &Env{})
	if status != StatusFail || !strings.Contains(strings.Join(ev, "\n"), "not available") {
		t.Fatalf("without exports: %s %v", status, ev)
	}
	status, _ = checkGDPR1(ctx, &Env{Exports: ExportInfo{Store: exportQueue{err: quire.Errorf(quire.EINTERNAL, "down")}, TTL: day}})
	if status != StatusFail {
		t.Fatalf("an unreadable queue: %s", status)
	}
}
