package subproc

import (
	"net/url"
	"slices"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
)

// aiProvider describes pr, and whether its endpoint is on loopback.
func aiProvider(cfg *config.Config, pr config.Provider) (quire.SubProcessor, bool) {
	host, loopback := pr.Kind+" default endpoint", false
	if pr.BaseURL != "" {
		host, loopback = urlHost(pr.BaseURL)
	}
	zdr, trains := pr.ZDR, pr.TrainsOnData
	s := quire.SubProcessor{Kind: quire.SubProcessorAI, Name: pr.Name, Vendor: pr.Kind, Host: host,
		Models: slices.Clone(pr.Models), Purpose: aiPurpose(cfg, pr), DataHandling: aiHandling(pr),
		ZeroDataRetention: &zdr, TrainsOnData: &trains, Region: region(pr.Region, hostOnlyURL(pr.BaseURL)),
		Attestation: pr.Attestation}
	return s, loopback
}

// aiPurpose names the features pr's models serve in this configuration,
// and always the gateway API, through which API keys may call any model.
func aiPurpose(cfg *config.Config, pr config.Provider) string {
	chat, web := cfg.ChatModels()
	features := []struct{ name, model string }{
		{"chat", chat}, {"search embeddings", cfg.Workspace.Search.EmbedModel},
		{"transcription", cfg.VoiceModel()}, {"rerank", cfg.Workspace.Search.RerankModel}, {"web search", web},
	}
	var served []string
	for _, f := range features {
		if f.model != "" && serves(cfg, pr, f.model) {
			served = append(served, f.name)
		}
	}
	gw := "the AI gateway API (/v1) for its models"
	if len(served) == 0 {
		return "AI features: " + gw
	}
	return "AI features: " + strings.Join(served, ", ") + "; " + gw
}

// serves reports whether a request for model may reach pr: pr lists it,
// or it is an alias with a target on pr.
func serves(cfg *config.Config, pr config.Provider, model string) bool {
	if slices.Contains(pr.Models, model) {
		return true
	}
	for _, t := range cfg.AI.Aliases[model] {
		if name, _, _ := strings.Cut(t, "/"); name == pr.Name {
			return true
		}
	}
	return false
}

func aiHandling(pr config.Provider) string {
	return quire.HandlingAI + "; zero data retention: " + yesNo(pr.ZDR) + "; trains on data: " + yesNo(pr.TrainsOnData)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// hostOnlyURL is the host name of raw, or "" when it has none.
func hostOnlyURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
