package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

func boolp(b bool) *bool { return &b }

// sub1Env is a deployment with one remote AI provider, an SMTP relay and
// a PostgreSQL on loopback, described consistently.
func sub1Env() *Env {
	return &Env{
		SubProcessors: []quire.SubProcessor{
			{Kind: quire.SubProcessorAI, Name: "main-openai", Vendor: "openai", Host: "openai default endpoint", Models: []string{"gpt-4o-mini"},
				Purpose: quire.PurposeAI, DataHandling: quire.HandlingAI, ZeroDataRetention: boolp(true), TrainsOnData: boolp(false),
				Region: quire.RegionUnstated, Attestation: "https://vendor.example/dpa"},
			{Kind: quire.SubProcessorSMTP, Name: "SMTP relay", Host: "smtp.example.com:587", Purpose: quire.PurposeSMTP,
				DataHandling: quire.HandlingSMTP, Region: "EU"},
		},
		Local: []string{"PostgreSQL on loopback (127.0.0.1:5432)"},
		Outbound: []Outbound{
			{What: "AI provider main-openai", Target: "openai default endpoint", Verified: true, Kind: quire.SubProcessorAI, Name: "main-openai"},
			{What: "SMTP relay (starttls)", Target: "smtp.example.com:587", Verified: true, Kind: quire.SubProcessorSMTP},
			{What: "PostgreSQL", Target: "configured hosts", Loopback: true, Kind: quire.SubProcessorPostgres},
		},
		AI: AIInfo{Providers: []AIProvider{{Name: "main-openai", Kind: "openai", ZDR: true}}},
	}
}

func TestSUB1(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mut    func(*Env)
		status Status
		want   string
	}{
		{"consistent", func(*Env) {}, StatusPass, "not a sub-processor, runs on this machine: PostgreSQL on loopback"},
		{"no list", func(e *Env) { e.SubProcessors = nil }, StatusFail, "the sub-processor list is not known"},
		{"no outbound", func(e *Env) { e.Outbound = nil }, StatusFail, "cannot be cross-checked"},
		{"configured service missing", func(e *Env) { e.SubProcessors = e.SubProcessors[:1] }, StatusFail,
			"FAIL: SMTP relay (starttls) (smtp.example.com:587) is configured but missing from the sub-processor list"},
		{"listed service not configured", func(e *Env) { e.Outbound = e.Outbound[1:] }, StatusFail,
			"FAIL: ai_provider main-openai is listed but no configured outbound connection matches it"},
		{"gateway provider missing", func(e *Env) {
			e.AI.Providers = append(e.AI.Providers, AIProvider{Name: "other", Kind: "anthropic"})
		}, StatusFail, "FAIL: the gateway routes to AI provider other, which the list omits"},
		{"gateway provider on loopback", func(e *Env) {
			e.AI.Providers = append(e.AI.Providers, AIProvider{Name: "local", Kind: "openai_compatible"})
			e.Outbound = append(e.Outbound, Outbound{What: "AI provider local", Loopback: true, Kind: quire.SubProcessorAI, Name: "local"})
		}, StatusPass, "ai_provider main-openai (openai default endpoint"},
		{"trains on data", func(e *Env) { e.SubProcessors[0].TrainsOnData = boolp(true) }, StatusFail,
			"FAIL: AI provider main-openai may train on customer data and is enabled"},
		{"no attestation", func(e *Env) { e.SubProcessors[0].ZeroDataRetention = nil }, StatusFail,
			"FAIL: AI provider main-openai lacks its zero-data-retention or training attestation"},
		{"no purpose", func(e *Env) { e.SubProcessors[1].Purpose = "" }, StatusFail,
			"FAIL: smtp SMTP relay lacks a purpose or a data-handling statement"},
		{"nothing external", func(e *Env) {
			e.SubProcessors, e.Outbound, e.AI = []quire.SubProcessor{}, []Outbound{}, AIInfo{}
		}, StatusPass, "0 sub-processors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := sub1Env()
			tt.mut(env)
			status, ev := checkSUB1(context.Background(), env)
			joined := strings.Join(ev, "\n")
			if status != tt.status || !strings.Contains(joined, tt.want) {
				t.Errorf("status %s, want %s with %q:\n%s", status, tt.status, tt.want, joined)
			}
		})
	}
}

// TestSubprocessorsShown: Run copies the list into the report, and both
// /trust.json and /trust show it.
func TestSubprocessorsShown(t *testing.T) {
	env := sub1Env()
	rep := &Report{Results: []Result{{ID: "SUB-1", Section: "Sub-processors", Status: StatusPass, Evidence: []string{}}},
		Subprocessors: env.SubProcessors}
	h := Handler(func(context.Context) *Report { return rep })

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust.json", nil))
	var doc struct {
		Subprocessors []map[string]any `json:"subprocessors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Subprocessors) != 2 {
		t.Fatalf("trust.json subprocessors = %v (%v): %s", doc.Subprocessors, err, rec.Body)
	}
	first := doc.Subprocessors[0]
	for _, k := range []string{"kind", "name", "vendor", "host", "models", "purpose", "dataHandling", "zeroDataRetention", "trainsOnData", "region", "attestation"} {
		if _, ok := first[k]; !ok {
			t.Errorf("the AI entry lacks %q: %v", k, first)
		}
	}

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust", nil))
	page := rec.Body.String()
	for _, want := range []string{`<section id="subprocessors">`, "main-openai (openai)", "smtp.example.com:587", "https://vendor.example/dpa", "none given", "text for delivery"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestSubprocessorsEmptyAndRun(t *testing.T) {
	rep := &Report{Subprocessors: []quire.SubProcessor{}}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil || !strings.Contains(buf.String(), `"subprocessors": []`) {
		t.Fatalf("an empty list must be [] in JSON: %v %s", err, buf.String())
	}
	rec := httptest.NewRecorder()
	Handler(func(context.Context) *Report { return rep }).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/trust", nil))
	if !strings.Contains(rec.Body.String(), "None: this deployment sends data to no external service.") {
		t.Error("the page does not say there is no sub-processor")
	}
	if got := Run(context.Background(), sub1Env()).Subprocessors; len(got) != 2 || got[0].Name != "main-openai" {
		t.Errorf("Run's report lists %+v", got)
	}
}

func TestSecurityMDListsSubProcessorKinds(t *testing.T) {
	md := string(SecurityMD())
	for _, k := range quire.SubProcessorKinds() {
		if !strings.Contains(md, "(`"+k.Kind+"`): "+k.Purpose) {
			t.Errorf("SECURITY.md does not document %s", k.Kind)
		}
	}
}
