package config

import (
	"fmt"
	"net/url"
	"strings"
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
	only("region", pr.Region, KindVertex)
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
