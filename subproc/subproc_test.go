package subproc_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/subproc"
)

// mustParse parses a configuration the way quire serve loads one.
func mustParse(t *testing.T, yaml string) *config.Config {
	t.Helper()
	c, err := config.Parse([]byte(strings.ReplaceAll(yaml, "\t", "  ")), "q.yaml")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return c
}

// full enables every kind of sub-processor, each remote.
const full = `
ai:
	providers:
		- name: main-openai
			kind: openai
			api_key: sk-test
			zdr: true
			models: [gpt-4o-mini, text-embedding-3-small]
			attestation: https://vendor.example/dpa
		- name: pplx
			kind: perplexity
			api_key: pplx-test
			zdr: false
			models: [sonar]
		- name: gemini-eu
			kind: vertex
			project: p
			region: europe-west4
			zdr: true
			models: [gemini-2.5-flash]
		- name: azure
			kind: azure_openai
			base_url: https://res.eu-west-1.example.net
			api_key: k
			api_version: "2024-10-21"
			deployment: d
			zdr: true
			models: [gpt-4o]
	aliases:
		embed: [main-openai/text-embedding-3-small]
mail:
	smtp:
		host: smtp.example.com
		region: EU (Frankfurt)
		attestation: Relay DPA signed 2025
database:
	driver: postgres
	url: postgres://quire:pw@db.internal:5432/quire?sslmode=verify-full
ratelimit:
	redis_url: rediss://:pw@cache.internal:6380/0
workspace:
	search:
		embed_model: embed
	files:
		storage: s3
		s3:
			endpoint: s3.eu-central-1.amazonaws.com
			bucket: b
			access_key: a
			secret_key: s
			attestation: https://s3.example/dpa
`

func byName(t *testing.T, list []quire.SubProcessor, name string) quire.SubProcessor {
	t.Helper()
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("%q is not in the list %+v", name, list)
	return quire.SubProcessor{}
}

func TestListEveryKind(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, full)
	list := subproc.List(cfg)
	var kinds []string
	for _, s := range list {
		kinds = append(kinds, s.Kind)
		if s.Purpose == "" || s.DataHandling == "" || s.Host == "" || s.Region == "" {
			t.Errorf("%s lacks a field: %+v", s.Name, s)
		}
		for _, secret := range []string{"sk-test", "pplx-test", ":pw@", "secret_key"} {
			if strings.Contains(s.Host, secret) || strings.Contains(s.Attestation, secret) {
				t.Errorf("%s shows a credential: %+v", s.Name, s)
			}
		}
	}
	want := []string{quire.SubProcessorAI, quire.SubProcessorAI, quire.SubProcessorAI, quire.SubProcessorAI, quire.SubProcessorSMTP,
		quire.SubProcessorS3, quire.SubProcessorPostgres, quire.SubProcessorRedis, quire.SubProcessorBreach}
	if !slices.Equal(kinds, want) {
		t.Errorf("kinds = %v, want %v", kinds, want)
	}
	if local := subproc.Local(cfg); len(local) != 0 {
		t.Errorf("Local = %v, want none", local)
	}
}

func TestAIProviders(t *testing.T) {
	t.Parallel()
	list := subproc.List(mustParse(t, full))
	oa := byName(t, list, "main-openai")
	if oa.Vendor != "openai" || oa.Host != "openai default endpoint" || !slices.Equal(oa.Models, []string{"gpt-4o-mini", "text-embedding-3-small"}) {
		t.Errorf("openai = %+v", oa)
	}
	if *oa.ZeroDataRetention != true || *oa.TrainsOnData != false || !strings.Contains(oa.DataHandling, "zero data retention: yes; trains on data: no") {
		t.Errorf("openai attestations = %+v", oa)
	}
	// The first model answers chat; the embed alias points at openai.
	if oa.Purpose != "AI features: chat, search embeddings; the AI gateway API (/v1) for its models" {
		t.Errorf("openai purpose = %q", oa.Purpose)
	}
	if oa.Attestation != "https://vendor.example/dpa" || oa.Region != quire.RegionUnstated {
		t.Errorf("openai attestation/region = %q/%q", oa.Attestation, oa.Region)
	}
	px := byName(t, list, "pplx")
	if px.Purpose != "AI features: web search; the AI gateway API (/v1) for its models" || *px.ZeroDataRetention {
		t.Errorf("perplexity = %+v", px)
	}
	if !strings.Contains(px.DataHandling, "zero data retention: no") {
		t.Errorf("perplexity handling = %q", px.DataHandling)
	}
	if g := byName(t, list, "gemini-eu"); g.Region != "europe-west4" || g.Purpose != "AI features: the AI gateway API (/v1) for its models" {
		t.Errorf("vertex = %+v", g)
	}
	// The region is read from the endpoint when the configuration is silent.
	if az := byName(t, list, "azure"); az.Host != "res.eu-west-1.example.net" || az.Region != "eu-west-1" {
		t.Errorf("azure = %+v", az)
	}
}

func TestTrainsOnDataIsReported(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, full)
	cfg.AI.Providers[0].TrainsOnData = true // validation refuses it; the list must still say so
	oa := byName(t, subproc.List(cfg), "main-openai")
	if !*oa.TrainsOnData || !strings.Contains(oa.DataHandling, "trains on data: yes") {
		t.Errorf("openai = %+v", oa)
	}
}

func TestOtherServices(t *testing.T) {
	t.Parallel()
	list := subproc.List(mustParse(t, full))
	tests := []struct {
		name, host, region, attestation, purpose, handling string
	}{
		{"SMTP relay", "smtp.example.com:587", "EU (Frankfurt)", "Relay DPA signed 2025", quire.PurposeSMTP, quire.HandlingSMTP},
		{"S3 file storage", "s3.eu-central-1.amazonaws.com", "eu-central-1", "https://s3.example/dpa", quire.PurposeS3, quire.HandlingS3},
		{"PostgreSQL", "db.internal:5432", quire.RegionUnstated, "", quire.PurposePG, quire.HandlingPG},
		{"Redis", "cache.internal:6380", quire.RegionUnstated, "", quire.PurposeRedis, quire.HandlingRedis},
		{"breached-password range API", "api.pwnedpasswords.com", quire.RegionUnstated, "", quire.PurposeBreach, quire.HandlingBreach},
	}
	for _, tt := range tests {
		s := byName(t, list, tt.name)
		if s.Host != tt.host || s.Region != tt.region || s.Attestation != tt.attestation || s.Purpose != tt.purpose || s.DataHandling != tt.handling {
			t.Errorf("%s = %+v", tt.name, s)
		}
		if s.ZeroDataRetention != nil || s.TrainsOnData != nil || s.Models != nil {
			t.Errorf("%s carries AI fields: %+v", tt.name, s)
		}
	}
	for _, must := range []string{"verification", "reset", "security notices", "invitations", "report receipts"} {
		if !strings.Contains(quire.PurposeSMTP, must) {
			t.Errorf("the SMTP purpose does not name %q", must)
		}
	}
	if !strings.Contains(quire.HandlingS3, "only ciphertext") || !strings.Contains(quire.HandlingBreach, "5 hex characters") {
		t.Error("the S3 or breach statements lost their substance")
	}
}

// TestLocalOnly: a development deployment on this machine alone has no
// sub-processors, and Local says which components stayed local.
func TestLocalOnly(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, `
ai:
	providers:
		- name: local
			kind: openai_compatible
			base_url: http://127.0.0.1:11434/v1
			zdr: true
			models: [llama]
mail:
	smtp:
		host: localhost
		tls: none
database:
	driver: postgres
	url: postgres://quire@127.0.0.1:5432/quire
ratelimit:
	redis_url: redis://[::1]:6379/0
auth:
	breach:
		enabled: false
`)
	if list := subproc.List(cfg); list == nil || len(list) != 0 {
		t.Errorf("List = %#v, want an empty list", list)
	}
	want := []string{"local on loopback (127.0.0.1:11434)", "SMTP relay on loopback (localhost:25)", "file storage on local disk",
		"PostgreSQL on loopback (127.0.0.1:5432)", "Redis on loopback ([::1]:6379)"}
	if got := subproc.Local(cfg); !slices.Equal(got, want) {
		t.Errorf("Local = %q, want %q", got, want)
	}
}

func TestDefaultConfigLocal(t *testing.T) {
	t.Parallel()
	cfg := mustParse(t, "auth:\n  breach:\n    enabled: false\n")
	if list := subproc.List(cfg); len(list) != 0 {
		t.Errorf("List = %+v", list)
	}
	want := []string{"email outbox directory (development: no email leaves this machine)", "file storage on local disk", "SQLite database"}
	if got := subproc.Local(cfg); !slices.Equal(got, want) {
		t.Errorf("Local = %q, want %q", got, want)
	}
}
