package trust

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/quirehq/quire"
	"net/http"
	"slices"
	"strings"
)

// AIInfo describes the AI gateway for claims AI-1 to AI-4. Its functions
// are the running gateway's own, so the checks exercise the code that
// serves requests.
type AIInfo struct {
	// Providers are the configured providers with their attestations.
	Providers []AIProvider
	// Strict is the deployment's strict zero-data-retention mode.
	Strict bool
	// Models lists the model names (aliases included) clients may ask for.
	Models []string
	// Usable returns the providers the router would try for model under
	// the default policy, in order.
	Usable func(model string) ([]string, error)
	// DefaultTransport is the process's default HTTP transport, which
	// must refuse provider hosts (AI-1).
	DefaultTransport http.RoundTripper
	// Endpoints are the configured providers' host:port endpoints.
	Endpoints []string
	// UpstreamBody builds, with the gateway's OpenAI adapter, the request
	// body it sends upstream for a chat request carrying state-keeping
	// fields, captured by a loopback listener (AI-2, AI-4).
	UpstreamBody func(ctx context.Context) ([]byte, error)
	// Redact runs text through the gateway's redaction as a request
	// would: what the provider would see, and the answer restored from
	// an echo of it. Nil when redaction is off.
	Redact func(text string) (sent, restored string)
	// RedactKinds lists the entity kinds redacted.
	RedactKinds []string
	// Census counts the workspaces whose AI policy relaxes the defaults;
	// nil when the store is not available.
	Census func(ctx context.Context) (quire.AIPolicyCensus, error)
}

// AIProvider is one configured provider.
type AIProvider struct {
	Name, Kind   string
	ZDR          bool
	TrainsOnData bool
}

// errOutside is what the fence's refusal says; matched by text, since the
// trust package does not import the gateway.
const fenceMessage = "must go through the gateway"

// checkAI1 sends requests to provider hosts through the process's default
// HTTP transport, which every code path other than the gateway would use,
// and expects each to be refused before it leaves.
func checkAI1(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	ai := env.AI
	if ai.DefaultTransport == nil {
		e.failf("the gateway is not wired: the default transport's fence cannot be probed")
		return e.result()
	}
	hosts := []string{"api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com", "api.cohere.com"}
	hosts = append(hosts, ai.Endpoints...)
	c := &http.Client{Transport: ai.DefaultTransport}
	refused := 0
	for _, h := range hosts {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+h+"/v1/models", nil)
		if err != nil {
			e.failf("probe %s: %v", h, err)
			continue
		}
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			e.failf("a request to %s outside the gateway was sent (status %d)", h, resp.StatusCode)
			continue
		}
		if !strings.Contains(err.Error(), fenceMessage) {
			e.failf("a request to %s outside the gateway was not refused by the fence: %v", h, err)
			continue
		}
		refused++
	}
	e.notef("the process's default HTTP transport refused %d of %d provider endpoints probed (%d vendor hosts, %d configured); providers send only through the gateway's own client",
		refused, len(hosts), len(hosts)-len(ai.Endpoints), len(ai.Endpoints))
	e.notef("a build-time test fails if code outside gateway/ imports a provider SDK or names a provider host")
	if env.URL != "" {
		a, err := newAPIClient(env)
		if err == nil {
			r, err := a.do(ctx, http.MethodPost, "/v1/chat/completions", map[string]any{"model": "x", "messages": []any{}}, nil)
			switch {
			case err != nil:
				e.failf("POST /v1/chat/completions: %v", err)
			case r.status != http.StatusUnauthorized:
				e.failf("POST /v1/chat/completions without a key answered %d, want 401: the gateway endpoint is not served", r.status)
			default:
				e.notef("the gateway's endpoints are served and refuse calls without an API key (401)")
			}
		}
	}
	return e.result()
}

// checkAI2 verifies the providers' attestations and the routing policy,
// that the OpenAI adapter forces storage off and strips state, and that
// the live server refuses the endpoints that keep data.
func checkAI2(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	ai := env.AI
	if ai.Usable == nil {
		e.failf("the gateway is not wired: its routing cannot be checked")
		return e.result()
	}
	attestations(&e, ai, func(p AIProvider) bool { return p.ZDR }, "zdr", env.Production)
	if ai.Strict {
		e.notef("strict mode: no workspace can opt out of zero data retention")
	}
	if c, ok := census(ctx, &e, ai); ok {
		switch {
		case c.AllowNonZDR == 0:
			e.notef("no workspace has opted out of zero data retention")
		case ai.Strict:
			e.notef("%d workspace(s) opted out of zero data retention; strict mode ignores it", c.AllowNonZDR)
		default:
			e.notef("%d workspace(s) opted out of zero data retention explicitly (their owners' choice, on the audit log)", c.AllowNonZDR)
		}
	}
	zdr := map[string]bool{}
	for _, p := range ai.Providers {
		zdr[p.Name] = p.ZDR && !p.TrainsOnData
	}
	routed := 0
	for _, m := range ai.Models {
		ps, err := ai.Usable(m)
		if err != nil {
			continue // a model no compliant provider serves is refused: fail closed
		}
		for _, p := range ps {
			if !zdr[p] {
				e.failf("model %s would be sent to %s, which has no zero-data-retention attestation", m, p)
			}
		}
		routed++
	}
	e.notef("%d of %d models route only to providers with zero data retention under the default policy; the others are refused", routed, len(ai.Models))
	if ai.UpstreamBody != nil {
		body, err := ai.UpstreamBody(ctx)
		var top map[string]json.RawMessage
		if err == nil {
			if jerr := json.Unmarshal(body, &top); jerr != nil {
				err = fmt.Errorf("the captured body is not a JSON object")
			}
		}
		_, user := top["user"]
		_, meta := top["metadata"]
		_, prev := top["previous_response_id"]
		switch {
		case err != nil:
			e.failf("the OpenAI adapter's upstream request could not be captured: %v", err)
		case string(top["store"]) != "false":
			e.failf("the OpenAI adapter's upstream request does not carry \"store\": false")
		case user || meta || prev:
			e.failf("the OpenAI adapter forwarded a state-keeping field (user, metadata or previous_response_id)")
		default:
			e.notef("the OpenAI adapter sends \"store\": false and drops user, metadata and previous_response_id (captured on loopback)")
		}
	} else {
		e.failf("the OpenAI adapter's upstream request cannot be captured")
	}
	if env.URL != "" {
		a, err := newAPIClient(env)
		if err != nil {
			e.failf("%v", err)
			return e.result()
		}
		for _, p := range []string{"/v1/files", "/v1/batches"} {
			r, err := a.do(ctx, http.MethodPost, p, map[string]any{}, nil)
			switch {
			case err != nil:
				e.failf("POST %s: %v", p, err)
			case r.status != http.StatusNotFound && r.status != http.StatusMethodNotAllowed:
				e.failf("POST %s answered %d: endpoints that keep data must not be served", p, r.status)
			}
		}
		e.notef("POST /v1/files and /v1/batches are not served (they make providers keep data)")
	}
	return e.result()
}

// checkAI3 verifies that no provider that may train on data is used.
func checkAI3(_ context.Context, env *Env) (Status, []string) {
	var e evidence
	ai := env.AI
	if ai.Usable == nil {
		e.failf("the gateway is not wired: its routing cannot be checked")
		return e.result()
	}
	attestations(&e, ai, func(p AIProvider) bool { return !p.TrainsOnData }, "trains_on_data: false", true)
	trains := map[string]bool{}
	for _, p := range ai.Providers {
		trains[p.Name] = p.TrainsOnData
	}
	for _, m := range ai.Models {
		ps, _ := ai.Usable(m)
		for _, p := range ps {
			if trains[p] {
				e.failf("model %s would be sent to %s, which may train on customer data", m, p)
			}
		}
	}
	e.notef("Quire has no training code path: it sends content only to answer the request it came with")
	return e.result()
}

// attestations lists the providers and fails for those without the
// attestation ok checks, when required.
func attestations(e *evidence, ai AIInfo, ok func(AIProvider) bool, what string, required bool) {
	if len(ai.Providers) == 0 {
		e.notef("no AI providers configured: every AI call is refused")
		return
	}
	var names []string
	for _, p := range ai.Providers {
		names = append(names, fmt.Sprintf("%s (%s, zdr=%t, trains_on_data=%t)", p.Name, p.Kind, p.ZDR, p.TrainsOnData))
		if !ok(p) {
			if required {
				e.failf("provider %s lacks the %s attestation", p.Name, what)
			} else {
				e.notef("provider %s lacks the %s attestation: used only by workspaces that opt out, never in strict mode", p.Name, what)
			}
		}
	}
	slices.Sort(names)
	e.notef("providers: %s", strings.Join(names, "; "))
}

// checkAI4 puts fresh personal data and secrets through the gateway's
// redaction and the OpenAI adapter's field allowlist.
func checkAI4(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	ai := env.AI
	if ai.Redact == nil {
		e.failf("prompt redaction is turned off (ai.redaction.enabled: false)")
		return e.result()
	}
	values, err := freshEntities()
	if err != nil {
		e.failf("make probe values: %v", err)
		return e.result()
	}
	var text strings.Builder
	text.WriteString("Please summarise: ")
	for _, v := range values {
		text.WriteString(v.value + " (" + v.kind + "). ")
	}
	sent, restored := ai.Redact(text.String())
	for _, v := range values {
		if !slices.Contains(ai.RedactKinds, v.kind) {
			continue
		}
		if strings.Contains(sent, v.value) {
			e.failf("a fresh %s reached the provider unredacted", v.kind)
		}
	}
	if restored != text.String() {
		e.failf("the answer was not restored: placeholders were left or text was changed")
	}
	if e.failed {
		return e.result()
	}
	e.notef("fresh values of kinds %s were replaced by placeholders before leaving and restored in the answer", strings.Join(ai.RedactKinds, ", "))
	if ai.UpstreamBody != nil {
		body, err := ai.UpstreamBody(ctx)
		if err != nil {
			e.failf("the OpenAI adapter's upstream request could not be captured: %v", err)
		} else if strings.Contains(string(body), "x_quire_probe") {
			e.failf("an unknown request field was forwarded upstream")
		} else {
			e.notef("an unknown request field was dropped: upstream requests are built from allowlisted fields only")
		}
	}
	if c, ok := census(ctx, &e, ai); ok {
		if c.RedactionOff == 0 && c.RedactFewerKinds == 0 {
			e.notef("no workspace has turned redaction off or narrowed it")
		} else {
			e.notef("by their owners' choice, %d workspace(s) turned redaction off and %d redact fewer kinds", c.RedactionOff, c.RedactFewerKinds)
		}
	}
	e.notef("retrieved context: the workspace chat's retrieval budget applies once that feature is served; the gateway forwards only what the client sent")
	return e.result()
}

// census reads the workspaces' AI policy census; it fails the check when
// the store cannot say (a claim that cannot be verified must not pass).
func census(ctx context.Context, e *evidence, ai AIInfo) (quire.AIPolicyCensus, bool) {
	if ai.Census == nil {
		e.failf("the workspaces' AI policies cannot be read: run with the deployment's store")
		return quire.AIPolicyCensus{}, false
	}
	c, err := ai.Census(ctx)
	if err != nil {
		e.failf("read the workspaces' AI policies: %v", err)
		return quire.AIPolicyCensus{}, false
	}
	return c, true
}

type entity struct{ kind, value string }

// freshEntities returns values of each kind that no earlier run used.
func freshEntities() ([]entity, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	tag := hex.EncodeToString(b[:])
	n := int(b[0])<<8 | int(b[1])
	card := luhn(fmt.Sprintf("41111111%07d", n%10000000))
	// A token as random as a real one: secret rules ignore tokens with
	// low entropy, which a repeated tag would have.
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var sb [36]byte
	if _, err := rand.Read(sb[:]); err != nil {
		return nil, err
	}
	for i := range sb {
		sb[i] = alnum[int(sb[i])%len(alnum)]
	}
	token := string(sb[:])
	return []entity{
		{"email", "probe." + tag + "@example.com"},
		{"card", card},
		{"secret", "ghp_" + token},
		{"ip", fmt.Sprintf("203.0.113.%d", int(b[2])%250+1)},
	}, nil
}

// luhn appends the Luhn check digit to digits.
func luhn(digits string) string {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return digits + string(rune('0'+(10-sum%10)%10))
}
