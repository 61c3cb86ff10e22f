package shield

import (
	"fmt"
	"io/fs"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

// allowedMethods are the methods Quire serves (CRS allows only GET HEAD
// POST OPTIONS by default; the API uses PUT, PATCH and DELETE).
const allowedMethods = "GET HEAD POST OPTIONS PUT PATCH DELETE"

// Directives returns the Coraza configuration the shield runs: Coraza's
// recommended settings, overridden for Quire (engine on or detection only,
// Coraza's literal pre-check of regular expressions off, the body limit in
// memory only, no audit log, no response inspection), the
// CRS setup (which sets tx.crs_setup_version) with the configured paranoia
// level, threshold and Quire's methods, and the CRS
// request rules. Response rules are not loaded: the shield inspects
// requests only.
func Directives(cfg Config) (string, error) { return directives(cfg, "") }

// directives builds the configuration with setup (the CRS regression
// suite's settings, in tests) between the CRS setup and the rules.
func directives(cfg Config, setup string) (string, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return "", err
	}
	rec, err := fs.ReadFile(coreruleset.FS, "@coraza.conf-recommended")
	if err != nil {
		return "", fmt.Errorf("shield: reading the recommended Coraza configuration: %w", err)
	}
	engine := "On"
	if cfg.Mode == ModeDryRun {
		engine = "DetectionOnly"
	}
	var b strings.Builder
	b.Write(rec)
	fmt.Fprintf(&b, `
SecRuleEngine %s
SecRxPreFilter Off
SecRequestBodyAccess On
SecRequestBodyLimit %d
SecRequestBodyInMemoryLimit %d
SecRequestBodyLimitAction ProcessPartial
SecResponseBodyAccess Off
SecAuditEngine Off
Include @crs-setup.conf.example
%s
SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d"
SecAction "id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d"
SecAction "id:900200,phase:1,pass,t:none,nolog,setvar:'tx.allowed_methods=%s'"
Include @owasp_crs/REQUEST-*.conf
%s
`, engine, cfg.BodyLimit, cfg.BodyLimit, setup, cfg.ParanoiaLevel, cfg.InboundAnomalyThreshold,
		allowedMethods, removedRules)
	return b.String(), nil
}

// Coraza's SecRxPreFilter (skip a regular expression when a literal it
// needs is absent) would save about a third of the time on bodies, but run
// over the CRS regression suite it loses two detections (932311 in test
// 932311-7 and 942220 in 942220-2; TestRxPreFilterLosesDetections), so the
// shield keeps it off explicitly.

// removedRules drops CRS rules that do not fit Quire:
//
//   - 905100 and 905110 are exceptions for Apache's internal dummy
//     connections: for a client at 127.0.0.1 or ::1 they switch off the whole
//     CRS (905100 for "GET /"). Behind a reverse proxy on the same host every
//     client comes from loopback, so an attacker could use them.
const removedRules = "SecRuleRemoveById 905100 905110"
