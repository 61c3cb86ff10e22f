package config

import "time"

// Provider kinds: one per wire format the gateway speaks.
const (
	KindOpenAI           = "openai"
	KindAzureOpenAI      = "azure_openai"
	KindAnthropic        = "anthropic"
	KindGemini           = "gemini"
	KindVertex           = "vertex"
	KindGroq             = "groq"
	KindPerplexity       = "perplexity"
	KindCohere           = "cohere"
	KindNebius           = "nebius"
	KindOpenAICompatible = "openai_compatible"
)

// ProviderKinds returns every accepted Provider.Kind, in documentation order.
func ProviderKinds() []string {
	return []string{
		KindOpenAI, KindAzureOpenAI, KindAnthropic, KindGemini, KindVertex,
		KindGroq, KindPerplexity, KindCohere, KindNebius, KindOpenAICompatible,
	}
}

// Provider is one configured AI provider account.
type Provider struct {
	// Name is a free, unique label used in routes, logs and the trust page.
	Name string `yaml:"name"`
	// Kind selects the wire format; see ProviderKinds.
	Kind string `yaml:"kind"`
	// BaseURL overrides the vendor's endpoint. Required for azure_openai and
	// openai_compatible.
	BaseURL string `yaml:"base_url"`
	// APIKey authenticates to the provider. Optional only for vertex and
	// openai_compatible.
	APIKey Secret `yaml:"api_key"`
	// ZDR attests a zero-data-retention agreement (claim AI-2).
	ZDR bool `yaml:"zdr"`
	// TrainsOnData says the provider may train on customer data; such a
	// provider is refused (claim AI-3).
	TrainsOnData bool `yaml:"trains_on_data"`
	// Models lists the model IDs this provider serves.
	Models []string `yaml:"models"`
	// APIVersion and Deployment apply to azure_openai only.
	APIVersion string `yaml:"api_version"`
	Deployment string `yaml:"deployment"`
	// Region is where the provider processes requests, shown in the
	// sub-processor list (claim SUB-1). Required with vertex, where it also
	// picks the endpoint; informational for every other kind.
	Region string `yaml:"region"`
	// Project applies to vertex only.
	Project string `yaml:"project"`
	// Attestation is the operator's reference for the provider's terms: free
	// text or an https URL (a DPA, say), shown in the sub-processor list.
	Attestation string `yaml:"attestation"`
	// Timeout bounds one attempt: a whole answer, or a stream's first
	// event (default: the vendor package's).
	Timeout time.Duration `yaml:"timeout"`
	// MaxConcurrent caps the calls in flight to this provider (default 64).
	MaxConcurrent int `yaml:"max_concurrent"`
}

// requiresAPIKey reports whether kind authenticates with an API key that must be
// configured.
func requiresAPIKey(kind string) bool {
	return kind != KindVertex && kind != KindOpenAICompatible
}

func validKind(kind string) bool {
	for _, k := range ProviderKinds() {
		if k == kind {
			return true
		}
	}
	return false
}
