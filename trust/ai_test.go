package trust

import (
	"errors"

	"context"
	"github.com/quirehq/quire"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// fencedTransport refuses what the gateway's fence refuses, by its text.
type fencedTransport struct{ open bool }

func (f fencedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if f.open {
		return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
	}
	return nil, &fenceError{}
}

type fenceError struct{}

func (*fenceError) Error() string { return "gateway: AI provider requests must go through the gateway" }

var emailish = regexp.MustCompile(`[a-z0-9.]+@example\.com|ghp_[0-9A-Za-z]+|\b4111\d{12}\b|203\.0\.113\.\d+`)

// placeholderRedact redacts the probe's kinds and restores them, as the
// gateway does (the real redaction is tested in gateway/redact and
// through quire serve).
func placeholderRedact(text string) (string, string) {
	var found []string
	sent := emailish.ReplaceAllStringFunc(text, func(s string) string {
		found = append(found, s)
		return "[X_" + string(rune('A'+len(found)-1)) + "]"
	})
	restored := sent
	for i, v := range found {
		restored = strings.Replace(restored, "[X_"+string(rune('A'+i))+"]", v, 1)
	}
	return sent, restored
}

// testAIInfo describes a correct gateway: two providers with zero data
// retention, a fenced transport, an adapter that forces storage off.
func testAIInfo() AIInfo {
	return AIInfo{
		Providers: []AIProvider{{Name: "main", Kind: "openai", ZDR: true}, {Name: "claude", Kind: "anthropic", ZDR: true}},
		Models:    []string{"chat", "gpt-4o-mini"},
		Usable: func(model string) ([]string, error) {
			if model == "chat" {
				return []string{"claude", "main"}, nil
			}
			return []string{"main"}, nil
		},
		DefaultTransport: fencedTransport{},
		Endpoints:        []string{"127.0.0.1:9"},
		UpstreamBody: func(context.Context) ([]byte, error) {
			return []byte(`{"model":"m","messages":[{"role":"user","content":"hi"}],"store":false}`), nil
		},
		Redact:      placeholderRedact,
		RedactKinds: []string{"email", "card", "secret", "ip"},
		Census: func(context.Context) (quire.AIPolicyCensus, error) {
			return quire.AIPolicyCensus{Policies: 3, AllowNonZDR: 1, RedactionOff: 1}, nil
		},
	}
}

func testOutbound() []Outbound {
	return []Outbound{{What: "AI provider main", Target: "api.example.com:443", Verified: true, Kind: quire.SubProcessorAI, Name: "main"},
		{What: "AI provider claude", Target: "anthropic default endpoint", Verified: true, Kind: quire.SubProcessorAI, Name: "claude"},
		{What: "PostgreSQL", Target: "127.0.0.1:5432", Loopback: true, Kind: quire.SubProcessorPostgres}}
}

// testSubProcessors is the sub-processor list matching testAIInfo and
// testOutbound (claim SUB-1).
func testSubProcessors() []quire.SubProcessor {
	var out []quire.SubProcessor
	for _, p := range []struct{ name, vendor, host string }{{"main", "openai", "api.example.com:443"}, {"claude", "anthropic", "anthropic default endpoint"}} {
		out = append(out, quire.SubProcessor{Kind: quire.SubProcessorAI, Name: p.name, Vendor: p.vendor, Host: p.host, Purpose: quire.PurposeAI,
			DataHandling: quire.HandlingAI, ZeroDataRetention: boolp(true), TrainsOnData: boolp(false), Region: quire.RegionUnstated})
	}
	return out
}

func TestAIChecksFail(t *testing.T) {
	cases := []struct {
		name  string
		check func(context.Context, *Env) (Status, []string)
		mut   func(*Env)
		want  string
	}{
		{"AI-1 open transport", checkAI1, func(e *Env) { e.AI.DefaultTransport = fencedTransport{open: true} }, "outside the gateway was sent"},
		{"AI-1 not wired", checkAI1, func(e *Env) { e.AI = AIInfo{} }, "not wired"},
		{"AI-2 non-ZDR route", checkAI2, func(e *Env) { e.AI.Providers[1].ZDR = false }, "would be sent to claude"},
		{"AI-2 store kept", checkAI2, func(e *Env) {
			e.AI.UpstreamBody = func(context.Context) ([]byte, error) { return []byte(`{"store":true}`), nil }
		}, `does not carry "store": false`},
		{"AI-2 user forwarded", checkAI2, func(e *Env) {
			e.AI.UpstreamBody = func(context.Context) ([]byte, error) {
				return []byte(`{"messages":[{"role":"user"}],"store":false,"user":"u"}`), nil
			}
		}, "forwarded a state-keeping field"},
		{"AI-3 trains", checkAI3, func(e *Env) { e.AI.Providers[0].TrainsOnData = true }, "lacks the trains_on_data: false attestation"},
		{"AI-4 off", checkAI4, func(e *Env) { e.AI.Redact = nil }, "turned off"},
		{"AI-4 leak", checkAI4, func(e *Env) { e.AI.Redact = func(s string) (string, string) { return s, s } }, "reached the provider unredacted"},
		{"AI-4 not restored", checkAI4, func(e *Env) {
			e.AI.Redact = func(s string) (string, string) { sent, _ := placeholderRedact(s); return sent, sent }
		}, "was not restored"},
		{"AI-2 census unknown", checkAI2, func(e *Env) { e.AI.Census = nil }, "cannot be read"},
		{"AI-4 census fails", checkAI4, func(e *Env) {
			e.AI.Census = func(context.Context) (quire.AIPolicyCensus, error) {
				return quire.AIPolicyCensus{}, errors.New("store down")
			}
		}, "store down"},
		{"TLS-2 remote plaintext", checkTLS2, func(e *Env) { e.Outbound[0].Verified = false }, "not TLS with certificate verification"},
		{"TLS-2 loopback plaintext in production", checkTLS2, func(e *Env) { e.Production = true }, "plaintext in production"},
		{"TLS-2 unknown", checkTLS2, func(e *Env) { e.Outbound = nil }, "not known"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &Env{AI: testAIInfo(), Outbound: testOutbound()}
			if st, ev := tc.check(context.Background(), env); st != StatusPass {
				t.Fatalf("the correct setup does not pass: %s %v", st, ev)
			}
			tc.mut(env)
			st, ev := tc.check(context.Background(), env)
			if st != StatusFail || !strings.Contains(strings.Join(ev, "\n"), tc.want) {
				t.Fatalf("status %s, evidence %q; want fail with %q", st, ev, tc.want)
			}
		})
	}
}

func TestAICensusEvidence(t *testing.T) {
	env := &Env{AI: testAIInfo(), Outbound: testOutbound()}
	_, ev := checkAI2(context.Background(), env)
	if !strings.Contains(strings.Join(ev, "\n"), "1 workspace(s) opted out of zero data retention explicitly") {
		t.Fatalf("AI-2 evidence does not count the opt-outs: %q", ev)
	}
	_, ev = checkAI4(context.Background(), env)
	if !strings.Contains(strings.Join(ev, "\n"), "1 workspace(s) turned redaction off and 0 redact fewer kinds") {
		t.Fatalf("AI-4 evidence does not count the workspaces without redaction: %q", ev)
	}
}
