package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/retention"
)

// retentionList is a janitor's rules as quire serve reports them: one
// that ran, one that failed, one not run yet and one kept.
func retentionList() []retention.Status {
	at := time.Now().Add(-10 * time.Minute)
	return []retention.Status{
		{Name: "diagnostic logs", Description: "Diagnostic log files are deleted 7 days after the day they cover.", Keep: 7 * 24 * time.Hour,
			Swept: true, LastRun: at, Removed: 2, Total: 5},
		{Name: "audit log", Description: "Audit entries are deleted after 365 days.", Keep: 365 * 24 * time.Hour, Swept: true, LastRun: at, Error: "internal"},
		{Name: "sessions", Description: "Sessions are deleted once they expire.", Swept: true},
		{Name: "security reports", Description: "Reports are kept."},
	}
}

func TestRetentionListed(t *testing.T) {
	rep := &Report{Retention: retentionList()}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Retention rules", "diagnostic logs (keep 7 days): last run ", "removed 2",
		"audit log (keep 365 days): last run", "failed (internal)", "sessions (keep -): not run yet", "security reports (keep -): kept, not swept",
		"    Reports are kept."} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("the text report lacks %q:\n%s", want, text.String())
		}
	}
	// The server publishes its rules without counts (PublicRetention);
	// the page never shows them.
	public := &Report{Retention: PublicRetention(rep.Retention)}
	h := Handler(func(context.Context) *Report { return public })
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust.json", nil))
	var doc struct {
		Retention []map[string]any `json:"retention"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Retention) != 4 {
		t.Fatalf("trust.json retention = %v (%v)", doc.Retention, err)
	}
	for _, k := range []string{"name", "description", "keepNs", "swept", "lastRun"} {
		if _, ok := doc.Retention[0][k]; !ok {
			t.Errorf("a rule lacks %q: %v", k, doc.Retention[0])
		}
	}
	for _, k := range []string{"removed", "total"} {
		if _, ok := doc.Retention[0][k]; ok {
			t.Errorf("trust.json shows %q: %v", k, doc.Retention[0])
		}
	}
	h = Handler(func(context.Context) *Report { return rep })
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust", nil))
	page := rec.Body.String()
	for _, want := range []string{`<section id="retention">`, "Diagnostic log files are deleted 7 days", "365 days", ": ok", "failed (internal)", "kept, not swept"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if strings.Contains(page, "removed 2") {
		t.Error("the page shows what a run removed")
	}

	rep = &Report{}
	rec = httptest.NewRecorder()
	Handler(func(context.Context) *Report { return rep }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust", nil))
	if !strings.Contains(rec.Body.String(), "The retention rules are not known") {
		t.Error("the page does not say the rules are unknown")
	}
}

func TestRetentionEvidence(t *testing.T) {
	list := retentionList()
	for _, tc := range []struct {
		name    string
		env     *Env
		rule    string
		fails   bool
		contain string
	}{
		{"unknown", &Env{}, "diagnostic logs", false, "not known"},
		{"ran", &Env{Retention: RetentionInfo{Rules: func() []retention.Status { return list }, Running: true, Every: time.Hour}},
			"diagnostic logs", false, "ago succeeded"},
		{"failed", &Env{Retention: RetentionInfo{Rules: func() []retention.Status { return list }, Running: true}},
			"audit log", true, "failed (internal)"},
		{"not yet", &Env{Retention: RetentionInfo{Rules: func() []retention.Status { return list }, Running: true, Every: time.Hour}},
			"sessions", false, "has not run yet"},
		{"beside the server", &Env{Retention: RetentionInfo{Rules: func() []retention.Status { return list }, Every: time.Hour}},
			"audit log", false, "enforced by the server's janitor every 1 hour"},
		{"missing", &Env{Retention: RetentionInfo{Rules: func() []retention.Status { return list[1:] }, Running: true}},
			"diagnostic logs", true, "has no rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e evidence
			retentionEvidence(&e, tc.env, tc.rule)
			st, lines := e.result()
			if (st == StatusFail) != tc.fails || !strings.Contains(strings.Join(lines, "\n"), tc.contain) {
				t.Fatalf("status %s, evidence %q; want fail=%v and %q", st, lines, tc.fails, tc.contain)
			}
			if strings.Contains(strings.Join(lines, "\n"), "removed") {
				t.Fatalf("evidence %q shows what a run removed", lines)
			}
		})
	}
}

func TestRunListsRetention(t *testing.T) {
	env := sub1Env()
	env.Retention = RetentionInfo{Rules: retentionList, Running: true}
	got := Run(context.Background(), env).Retention
	if len(got) != 4 || got[0].Name != "diagnostic logs" || got[0].LastRun.IsZero() {
		t.Fatalf("Run's report lists %+v", got)
	}
	if got[0].Removed != 0 || got[0].Total != 0 {
		t.Fatalf("the server's report shows counts: %+v", got[0])
	}
}
