package config

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of the sub-processor description keys (claim SUB-1).
const (
	maxRegionLen      = 64
	maxAttestationLen = 500
)

// validateSubProcessors checks the region and attestation keys that
// describe external services on the trust page: short, printable, and a
// URL only when it is https.
func (c *Config) validateSubProcessors(p *problems) {
	for i, pr := range c.AI.Providers {
		key := fmt.Sprintf("ai.providers[%d].", i)
		validateRegion(p, key+"region", pr.Region)
		validateAttestation(p, key+"attestation", pr.Attestation)
	}
	validateRegion(p, "mail.smtp.region", c.Mail.SMTP.Region)
	validateAttestation(p, "mail.smtp.attestation", c.Mail.SMTP.Attestation)
	validateRegion(p, "workspace.files.s3.region", c.Workspace.Files.S3.Region)
	validateAttestation(p, "workspace.files.s3.attestation", c.Workspace.Files.S3.Attestation)
}

func validateRegion(p *problems, key, s string) {
	if s == "" {
		return
	}
	if len(s) > maxRegionLen || !printable(s) {
		p.add(key, "must be at most %d printable characters, such as eu-west-1 or \"EU (Frankfurt)\"", maxRegionLen)
	}
}

func validateAttestation(p *problems, key, s string) {
	if s == "" {
		return
	}
	if len(s) > maxAttestationLen || !printable(s) {
		p.add(key, "must be at most %d printable characters on one line: a short statement or an https:// URL (a DPA, say)", maxAttestationLen)
		return
	}
	if !looksLikeURL(s) {
		return
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Scheme != "https" || u.Host == "" || u.Opaque != "":
		p.add(key, "a URL here must be an absolute https:// URL, such as https://vendor.example/dpa")
	case u.User != nil:
		p.add(key, "must not contain credentials")
	}
}

// looksLikeURL reports whether s is meant as a URL rather than a statement:
// one word with a scheme.
func looksLikeURL(s string) bool {
	return strings.Contains(s, "://") && !strings.ContainsFunc(s, unicode.IsSpace) ||
		strings.HasPrefix(strings.ToLower(s), "http:") || strings.HasPrefix(strings.ToLower(s), "https:")
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, unicode.IsControl) < 0 && strings.TrimSpace(s) == s
}
