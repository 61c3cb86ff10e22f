package config

import (
	"strings"

	"github.com/quirehq/quire/edge/shield"
)

// baseShield is the shield's defaults, spelled out: on, blocking, paranoia
// level 1, threshold 5, 128 KiB of body, the AI prompt routes' bodies
// excluded, 5 trips in 10 minutes block for 15.
func baseShield() shield.Config {
	on := true
	c := shield.Config{Enabled: &on}.WithDefaults()
	return c
}

// validateShield checks the shield section (claim WAF-1) with the shield
// package's own rules, reporting each problem under its key.
func (c *Config) validateShield(p *problems) {
	addAll(p, c.Shield.Validate(), func(err error) (string, string, bool) {
		key, msg, ok := strings.Cut(err.Error(), ": ")
		return key, msg, ok && strings.HasPrefix(key, "shield.")
	})
}
