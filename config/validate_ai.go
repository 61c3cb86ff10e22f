package config

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
)

func (c *Config) validateAI(p *problems) {
	names := map[string]int{}
	for i, pr := range c.AI.Providers {
		key := fmt.Sprintf("ai.providers[%d]", i)
		validateProvider(p, key, pr, c.Production())
		if !validName(pr.Name) {
			continue
		}
		if j, dup := names[pr.Name]; dup {
			p.add(key+".name", "%q is already the name of ai.providers[%d]; names must be unique", pr.Name, j)
			continue
		}
		names[pr.Name] = i
	}
	c.validateAliases(p)
	for i, k := range c.AI.Redaction.Kinds {
		if !slices.Contains(RedactionKinds(), k) {
			p.add(fmt.Sprintf("ai.redaction.kinds[%d]", i), "must be one of %s", strings.Join(RedactionKinds(), ", "))
		}
	}
	if c.AI.Budgets.TokensPerDay < 0 {
		p.add("ai.budgets.tokens_per_day", "must be 0 (no cap) or more")
	}
	if c.AI.Budgets.TokensPerMinute < 0 {
		p.add("ai.budgets.tokens_per_minute", "must be 0 (no cap) or more")
	}
	for _, model := range slices.Sorted(maps.Keys(c.AI.Prices)) {
		pr := c.AI.Prices[model]
		for _, f := range []struct {
			key string
			v   float64
		}{{"input", pr.Input}, {"cached_input", pr.CachedInput}, {"output", pr.Output}} {
			if !(f.v >= 0 && f.v <= 10_000) { // also refuses NaN
				p.add("ai.prices."+model+"."+f.key, "must be a price in US dollars per million tokens, between 0 and 10000")
			}
		}
	}
	if m := c.AI.MaxBodyBytes; m != 0 && (m < 1<<10 || m > 64<<20) {
		p.add("ai.max_body_bytes", "must be between 1024 and 67108864 (64 MiB)")
	}
}

// RedactionKinds lists the entity kinds ai.redaction.kinds accepts.
func RedactionKinds() []string {
	return []string{"email", "phone", "card", "iban", "national_id", "ip", "secret"}
}

// validateAliases checks that every alias names a free name and targets
// "provider/model" pairs that exist.
func (c *Config) validateAliases(p *problems) {
	served := map[string]map[string]bool{}
	for _, pr := range c.AI.Providers {
		m := map[string]bool{}
		for _, id := range pr.Models {
			m[id] = true
		}
		served[pr.Name] = m
	}
	for _, alias := range slices.Sorted(maps.Keys(c.AI.Aliases)) {
		key := "ai.aliases." + alias
		targets := c.AI.Aliases[alias]
		if strings.TrimSpace(alias) == "" || len(alias) > 128 || strings.ContainsAny(alias, " \t\r\n") {
			p.add(key, "an alias must be 1 to 128 characters without spaces")
		}
		if len(targets) == 0 {
			p.add(key, "list at least one target, e.g. [main-openai/gpt-4o-mini]")
		}
		for i, t := range targets {
			tk := fmt.Sprintf("%s[%d]", key, i)
			name, model, ok := strings.Cut(t, "/")
			switch {
			case !ok || name == "" || model == "":
				p.add(tk, "must be provider/model, e.g. main-openai/gpt-4o-mini")
			case served[name] == nil:
				p.add(tk, "names no provider: %q is not in ai.providers", name)
			case !served[name][model]:
				p.add(tk, "provider %s does not list model %q in its models", name, model)
			}
		}
	}
}

func validateProvider(p *problems, key string, pr Provider, production bool) {
	switch {
	case pr.Name == "":
		p.add(key+".name", "required: a short unique label such as main-openai")
	case !validName(pr.Name):
		p.add(key+".name", "must be 1 to 64 letters, digits, '-', '_' or '.'")
	}
	if !validKind(pr.Kind) {
		p.add(key+".kind", "must be one of %s", strings.Join(ProviderKinds(), ", "))
	}
	switch {
	case pr.BaseURL != "":
		checkBaseURL(p, key+".base_url", pr.BaseURL, production)
	case pr.Kind == KindAzureOpenAI:
		p.add(key+".base_url", "required with kind azure_openai: the resource endpoint, e.g. https://RESOURCE.openai.azure.com")
	case pr.Kind == KindOpenAICompatible:
		p.add(key+".base_url", "required with kind openai_compatible: the server's API root, e.g. https://llm.internal/v1")
	}
	validateAPIKey(p, key, pr)
	validateModels(p, key, pr.Models)
	validateKindFields(p, key, pr)
	if pr.Timeout < 0 || pr.Timeout > time.Hour {
		p.add(key+".timeout", "must be between 0 (the default) and 1h")
	}
	if pr.MaxConcurrent < 0 || pr.MaxConcurrent > 10000 {
		p.add(key+".max_concurrent", "must be between 0 (the default, 64) and 10000")
	}
	if pr.TrainsOnData {
		p.add(key+".trains_on_data", "providers that may train on customer data are never used (claim AI-3); remove this provider, or set trains_on_data: false if its terms exclude training")
	}
	if production && !pr.ZDR {
		p.add(key+".zdr", "production uses only providers with a zero-data-retention agreement (claim AI-2); set zdr: true once the agreement is in place, or remove the provider")
	}
}

func validateAPIKey(p *problems, key string, pr Provider) {
	switch {
	case pr.APIKey == "" && validKind(pr.Kind) && requiresAPIKey(pr.Kind):
		p.add(key+".api_key", "required with kind %s; write api_key: ${%s_API_KEY} and export that variable", pr.Kind, strings.ToUpper(pr.Kind))
	case strings.IndexFunc(pr.APIKey.Reveal(), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		p.add(key+".api_key", "must not contain spaces, line breaks or control characters; check the variable for a trailing newline")
	}
}

func validateModels(p *problems, key string, models []string) {
	if len(models) == 0 {
		p.add(key+".models", "list at least one model ID this provider serves, e.g. models: [MODEL_ID]")
	}
	seen := map[string]int{}
	for i, m := range models {
		mk := fmt.Sprintf("%s.models[%d]", key, i)
		if strings.TrimSpace(m) == "" {
			p.add(mk, "must not be empty")
			continue
		}
		if j, dup := seen[m]; dup {
			p.add(mk, "repeats models[%d]; list each model once", j)
			continue
		}
		seen[m] = i
	}
}

// validateKindFields rejects the settings that only one kind reads, so that
// a misplaced value is noticed rather than silently ignored.
func validateKindFields(p *problems, key string, pr Provider) {
	only := func(field, value, kind string) {
		if value != "" && pr.Kind != kind {
			p.add(key+"."+field, "only applies to kind %s; remove it", kind)
		}
	}
	only("api_version", pr.APIVersion, KindAzureOpenAI)
	only("deployment", pr.Deployment, KindAzureOpenAI)
	only("project", pr.Project, KindVertex)
	if pr.Kind == KindVertex {
		if pr.Project == "" {
			p.add(key+".project", "required with kind vertex: the Google Cloud project ID")
		}
		if pr.Region == "" {
			p.add(key+".region", "required with kind vertex, e.g. us-central1 or europe-west4")
		}
	}
}

// checkBaseURL enforces claim TLS-2 on a provider endpoint.
func checkBaseURL(p *problems, key, s string, production bool) {
	checkHTTPSURL(p, key, s, production, "put the key in api_key")
}

// checkHTTPSURL enforces claim TLS-2 on an outbound endpoint: https, except
// http to loopback in development (for local fakes and model servers).
// credentials says where credentials go instead of the URL.
func checkHTTPSURL(p *problems, key, s string, production bool, credentials string) {
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "":
		p.add(key, "must be an absolute URL such as https://api.example.com/v1")
	case u.User != nil:
		p.add(key, "must not contain credentials; %s", credentials)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		p.add(key, "must not have a query or fragment")
	case u.Scheme == "https":
	case u.Scheme == "http" && production:
		p.add(key, "must use https:// in production (claim TLS-2)")
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		p.add(key, "must use https://; http:// is allowed only to a loopback address (127.0.0.1, ::1, localhost) in development (claim TLS-2)")
	case u.Scheme != "http":
		p.add(key, "must use https://")
	}
}

// validName reports whether s is a provider name: 1 to 64 ASCII letters,
// digits, '-', '_' or '.'.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
