package config

import (
	"strings"
	"testing"
)

// TestValidateSubProcessorKeys is the golden list of the messages about the
// keys that describe sub-processors (claim SUB-1).
func TestValidateSubProcessorKeys(t *testing.T) {
	t.Parallel()
	attest := func(s string) func(*Config) { return withProvider(func(p *Provider) { p.Attestation = s }) }
	region := func(s string) func(*Config) { return withProvider(func(p *Provider) { p.Region = s }) }
	const (
		attestLen = "ai.providers[0].attestation: must be at most 500 printable characters on one line: a short statement or an https:// URL (a DPA, say)"
		attestURL = "ai.providers[0].attestation: a URL here must be an absolute https:// URL, such as https://vendor.example/dpa"
		regionMsg = `ai.providers[0].region: must be at most 64 printable characters, such as eu-west-1 or "EU (Frankfurt)"`
	)
	runValidateCases(t, []validateCase{
		{"attestation text", fns(attest("DPA signed 2025-01-10, zero retention addendum")), nil},
		{"attestation https URL", fns(attest("https://openai.com/policies/data-processing-addendum")), nil},
		{"attestation http URL", fns(attest("http://vendor.example/dpa")), []string{attestURL}},
		{"attestation other scheme", fns(attest("ftp://vendor.example/dpa")), []string{attestURL}},
		{"attestation https without host", fns(attest("https:/dpa")), []string{attestURL}},
		{"attestation credentials", fns(attest("https://user:pw@vendor.example/dpa")), []string{
			"ai.providers[0].attestation: must not contain credentials"}},
		{"attestation too long", fns(attest(strings.Repeat("a", 501))), []string{attestLen}},
		{"attestation newline", fns(attest("DPA\nsigned")), []string{attestLen}},
		{"attestation invalid UTF-8", fns(attest("DPA \xff")), []string{attestLen}},
		{"region on any kind", fns(region("eu-west-1")), nil},
		{"region too long", fns(region(strings.Repeat("r", 65))), []string{regionMsg}},
		{"region control", fns(region("eu\x00")), []string{regionMsg}},
		{"smtp and s3", fns(smtp(func(s *SMTP) { s.Region, s.Attestation = "EU", "http://relay.example/terms" }),
			func(c *Config) {
				c.Workspace.Files.S3.Region, c.Workspace.Files.S3.Attestation = " eu", "https://s3.example/dpa"
			}), []string{
			"mail.smtp.attestation: a URL here must be an absolute https:// URL, such as https://vendor.example/dpa",
			`workspace.files.s3.region: must be at most 64 printable characters, such as eu-west-1 or "EU (Frankfurt)"`}},
	})
}
