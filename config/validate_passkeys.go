package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// validatePasskeys checks the WebAuthn settings. The defaults agree with
// each other by construction, so whether the relying-party ID covers the
// origins is checked only when one of them is configured.
func (c *Config) validatePasskeys(p *problems) {
	pk := c.Auth.Passkeys
	if pk.RPID != "" && !validRPID(pk.RPID) {
		p.add("auth.passkeys.rp_id", "must be a domain name in lower case, such as quire.example.com: no scheme, port or path, and not an IP address")
		return
	}
	bad := false
	for i, o := range pk.Origins {
		if !validOrigin(o) || strings.HasSuffix(o, "/") {
			p.add(fmt.Sprintf("auth.passkeys.origins[%d]", i), "must be an https:// origin such as https://quire.example.com (no path, not even a trailing /)")
			bad = true
		}
	}
	// A default taken from a bad server.public_url is reported there.
	usesDefault := pk.RPID == "" || len(pk.Origins) == 0
	publicURLBad := c.Server.PublicURL != "" && !validOrigin(c.Server.PublicURL)
	if bad || (pk.RPID == "" && len(pk.Origins) == 0) || (usesDefault && publicURLBad) {
		return
	}
	rpID := c.PasskeyRPID()
	if len(pk.Origins) == 0 {
		if !coversOrigin(rpID, c.PasskeyOrigins()[0]) {
			p.add("auth.passkeys.rp_id", "must be the host of the default origin (server.public_url, or localhost) or a parent domain of it; or list auth.passkeys.origins")
		}
		return
	}
	for i, o := range pk.Origins {
		if !coversOrigin(rpID, o) {
			p.add(fmt.Sprintf("auth.passkeys.origins[%d]", i), "must be on auth.passkeys.rp_id (by default the host of server.public_url, or localhost) or a subdomain of it, as WebAuthn requires")
		}
	}
}

// validRPID reports whether s is a lower-case DNS name, as a WebAuthn
// relying-party ID must be.
func validRPID(s string) bool {
	if len(s) > 253 || net.ParseIP(s) != nil {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		if strings.ContainsFunc(label, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-')
		}) {
			return false
		}
	}
	return true
}

// coversOrigin reports whether origin's host is rpID or a subdomain of it.
func coversOrigin(rpID, origin string) bool {
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	return h == rpID || strings.HasSuffix(h, "."+rpID)
}
