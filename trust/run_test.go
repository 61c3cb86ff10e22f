package trust

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunClaim(t *testing.T) {
	var nilMap map[string]int
	tests := []struct {
		name     string
		check    func(context.Context, *Env) (Status, []string)
		timeout  time.Duration
		want     Status
		evidence string // a substring of the joined evidence
	}{
		{"no check", nil, 0, StatusNotImplemented, "no automated check yet"},
		{"pass", func(context.Context, *Env) (Status, []string) { return StatusPass, []string{"ok"} }, 0, StatusPass, "ok"},
		{"not applicable", func(context.Context, *Env) (Status, []string) { return StatusNotApplicable, nil }, 0, StatusNotApplicable, ""},
		{"fail", func(context.Context, *Env) (Status, []string) { return StatusFail, []string{"bad"} }, 0, StatusFail, "bad"},
		{"unknown status", func(context.Context, *Env) (Status, []string) { return "maybe", nil }, 0, StatusFail, `status "maybe"`},
		{"check claims not implemented", func(context.Context, *Env) (Status, []string) { return StatusNotImplemented, nil }, 0, StatusFail, "may not report"},
		{"runtime panic", func(context.Context, *Env) (Status, []string) { nilMap["x"] = 1; return StatusPass, nil }, 0, StatusFail, "panicked: assignment to entry in nil map"},
		{"value panic hides the value", func(context.Context, *Env) (Status, []string) { panic("secret-value") }, 0, StatusFail, "panicked"},
		{"honours timeout", func(ctx context.Context, _ *Env) (Status, []string) { <-ctx.Done(); return StatusPass, nil }, 20 * time.Millisecond, StatusFail, "did not finish within 20ms"},
		{"ignores context", func(context.Context, *Env) (Status, []string) { time.Sleep(time.Second); return StatusPass, nil }, 20 * time.Millisecond, StatusFail, "did not finish"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Claim{ID: "T-1", Section: "S", Title: "T", Text: "X", Check: tt.check, Timeout: tt.timeout}
			res := runClaim(context.Background(), &Env{}, c)
			joined := strings.Join(res.Evidence, "\n")
			if res.Status != tt.want || !strings.Contains(joined, tt.evidence) {
				t.Fatalf("status %s, evidence %q; want %s containing %q", res.Status, joined, tt.want, tt.evidence)
			}
			if strings.Contains(joined, "secret-value") {
				t.Fatal("a panic value reached the evidence")
			}
			if res.Evidence == nil {
				t.Fatal("evidence is nil; JSON would show null")
			}
			if res.ID != "T-1" || res.Section != "S" || res.Title != "T" || res.Text != "X" {
				t.Fatalf("result lost the claim's identity: %+v", res)
			}
		})
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := Claim{ID: "T-1", Check: func(ctx context.Context, _ *Env) (Status, []string) { <-ctx.Done(); return StatusPass, nil }}
	res := runClaim(ctx, &Env{}, c)
	if res.Status != StatusFail || !strings.Contains(strings.Join(res.Evidence, ""), "the run was cancelled") {
		t.Fatalf("got %s %q, want a fail saying the run was cancelled", res.Status, res.Evidence)
	}
	// A run deadline shorter than the check's own timeout is the run's, and
	// the evidence must not blame the check.
	dctx, dcancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer dcancel()
	res = runClaim(dctx, &Env{}, c)
	if joined := strings.Join(res.Evidence, ""); res.Status != StatusFail || !strings.Contains(joined, "reached its deadline") {
		t.Fatalf("got %s %q, want a fail naming the run's deadline", res.Status, res.Evidence)
	}
}

func TestPassed(t *testing.T) {
	tests := []struct {
		name     string
		statuses []Status
		want     bool
	}{
		{"all pass", []Status{StatusPass, StatusPass}, true},
		{"not implemented does not fail", []Status{StatusPass, StatusNotImplemented}, true},
		{"not applicable does not fail", []Status{StatusNotApplicable, StatusPass}, true},
		{"one fail", []Status{StatusPass, StatusFail, StatusNotImplemented}, false},
		{"unknown status fails", []Status{StatusPass, "bogus"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rs []Result
			for _, s := range tt.statuses {
				rs = append(rs, Result{Status: s})
			}
			if got := passed(rs); got != tt.want {
				t.Fatalf("passed = %t, want %t", got, tt.want)
			}
		})
	}
}

// TestRunWithoutDependencies runs the real registry with nothing available:
// every implemented check must fail, never pass, and the rest must be
// not_implemented.
func TestRunWithoutDependencies(t *testing.T) {
	rep := Run(context.Background(), nil)
	if rep.Passed {
		t.Fatal("a run with no dependencies passed")
	}
	if len(rep.Results) != len(registry) {
		t.Fatalf("%d results, want %d", len(rep.Results), len(registry))
	}
	for i, res := range rep.Results {
		want := StatusNotImplemented
		if registry[i].Check != nil {
			want = StatusFail
		}
		if res.Status != want || res.ID != registry[i].ID {
			t.Errorf("%s: %s %q, want %s", res.ID, res.Status, res.Evidence, want)
		}
	}
	if rep.Target != "local deployment (no server URL)" || rep.Generated.IsZero() || rep.Version == "" {
		t.Fatalf("report header: %+v", rep)
	}
	tls := rep.Results[2]
	if tls.ID != "TLS-1" || !strings.Contains(strings.Join(tls.Evidence, ""), "no server URL given; run with --url") {
		t.Fatalf("TLS-1 without URL: %q", tls.Evidence)
	}
}

func TestTargetRedactsCredentials(t *testing.T) {
	got := target(&Env{URL: "https://admin:hunter2@example.test:8443"})
	if strings.Contains(got, "hunter2") {
		t.Fatalf("target %q shows the password", got)
	}
}

func TestSchedule(t *testing.T) {
	var runs atomic.Int32
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	get, stop := Schedule(ctx, func(ctx context.Context) *Report {
		n := runs.Add(1)
		if n == 1 {
			<-release
		}
		return &Report{Version: fmt.Sprint(n)}
	}, 20*time.Millisecond)
	for runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	if rep := get(context.Background()); rep != nil {
		t.Fatalf("before the first run finished: %+v, want nil", rep)
	}
	for range 5 { // asking never starts a run
		get(context.Background())
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("%d runs started, want 1", n)
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for runs.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if rep := get(context.Background()); rep == nil || rep.Version == "" {
		t.Fatalf("after runs: %+v", rep)
	}
	stop()
	cancel()
	stopped := runs.Load()
	time.Sleep(100 * time.Millisecond)
	if runs.Load() != stopped {
		t.Fatal("runs went on after the context ended")
	}
}
