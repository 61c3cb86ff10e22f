package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Limits enforced by Validate.
const (
	minMaxHeaderBytes = 4 << 10
	maxMaxHeaderBytes = 1 << 20
	minRotateAfter    = time.Hour
	maxRotateAfter    = 365 * day
	// MaxRotateAfterOps is 2^32/4: a data key encrypts at most this many
	// values, a quarter of the 2^32 random-nonce bound of AES-GCM.
	MaxRotateAfterOps = 1 << 30
	minLogRetention   = day
	// MaxLogRetention keeps diagnostic logs short-lived (claim AI-5).
	MaxLogRetention = 30 * day
)

// Validate checks the whole configuration and returns every problem at
// once, as an errors.Join of *FieldError (see FieldErrors).
func (c *Config) Validate() error {
	var p problems
	c.validateMode(&p)
	c.validateServer(&p)
	c.validateTLS(&p)
	c.validateRootKey(&p)
	c.validateDatabase(&p)
	c.validateKeys(&p)
	c.validateLogs(&p)
	c.validateAI(&p)
	c.validateAuth(&p)
	c.validateMail(&p)
	c.validateRateLimit(&p)
	c.validateMetrics(&p)
	c.validateWorkspace(&p)
	c.validateBots(&p)
	c.validateShield(&p)
	c.validateDisclosure(&p)
	c.validateExports(&p)
	c.validateRetention(&p)
	c.validateSubProcessors(&p)
	return p.err()
}

func (c *Config) validateMode(p *problems) {
	if c.Mode != ModeDevelopment && c.Mode != ModeProduction {
		p.add("mode", `must be "development" or "production"`)
	}
	if c.DataDir == "" {
		p.add("data_dir", "must not be empty; set it to the directory that holds Quire's data, e.g. /var/lib/quire")
	}
}

func (c *Config) validateServer(p *problems) {
	s := c.Server
	if !validAddr(s.Addr) {
		p.add("server.addr", "must be host:port, e.g. 127.0.0.1:8443 or :443")
	}
	switch {
	case s.HTTPAddr == "":
	case !validAddr(s.HTTPAddr):
		p.add("server.http_addr", `must be host:port, e.g. 127.0.0.1:8080, or "" to turn the HTTP redirect off`)
	case s.HTTPAddr == s.Addr && !strings.HasSuffix(s.Addr, ":0"): // ":0" picks a free port each time
		p.add("server.http_addr", `must differ from server.addr; use another port, or "" to turn the HTTP redirect off`)
	}
	if s.PublicURL != "" && !validOrigin(s.PublicURL) {
		p.add("server.public_url", "must be the https:// origin users reach Quire at, e.g. https://quire.example.com (no credentials, path, query or fragment)")
	} else if s.PublicURL == "" && c.Production() {
		p.add("server.public_url", "production needs the https:// origin users reach Quire at, e.g. https://quire.example.com: links in emails and passkeys are made for it")
	}
	for _, t := range []struct {
		key string
		d   time.Duration
	}{
		{"server.read_header_timeout", s.ReadHeaderTimeout},
		{"server.read_timeout", s.ReadTimeout},
		{"server.write_timeout", s.WriteTimeout},
		{"server.idle_timeout", s.IdleTimeout},
	} {
		if t.d <= 0 {
			p.add(t.key, "must be positive, e.g. 30s: without it a slow client holds a connection forever (claim DOS-1)")
		}
	}
	if s.ReadHeaderTimeout > s.ReadTimeout && s.ReadTimeout > 0 {
		p.add("server.read_header_timeout", "must not be longer than server.read_timeout")
	}
	if s.MaxHeaderBytes < minMaxHeaderBytes || s.MaxHeaderBytes > maxMaxHeaderBytes {
		p.add("server.max_header_bytes", "must be between 4096 and 1048576 (1 MiB)")
	}
	validateClientIP(p, s)
	if s.MaxConnsPerIP < 1 || s.MaxConnsPerIP > 100_000 {
		p.add("server.max_conns_per_ip", "must be between 1 and 100000 (claim DOS-1)")
	}
	if s.MaxInFlight < 1 || s.MaxInFlight > 1_000_000 {
		p.add("server.max_in_flight", "must be between 1 and 1000000 (claim DOS-1)")
	} else if s.MaxInFlightPerClient < 1 || s.MaxInFlightPerClient > s.MaxInFlight {
		p.add("server.max_in_flight_per_client", "must be between 1 and server.max_in_flight (%d) (claim DOS-1)", s.MaxInFlight)
	}
	if s.HSTSPreload && (!c.Production() || s.PublicURL == "") {
		p.add("server.hsts_preload", "needs mode: production and a server.public_url on a domain you control, since preloading pins that domain to HTTPS in browsers for months")
	}
}

func (c *Config) validateTLS(p *problems) {
	t := c.TLS
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		p.add("tls.key_file", "must be set together with tls.cert_file")
	case t.CertFile == "" && t.KeyFile != "":
		p.add("tls.cert_file", "must be set together with tls.key_file")
	case t.CertFile == "" && c.Production():
		p.add("tls", "production needs a certificate that clients trust; set tls.cert_file and tls.key_file (PEM files)")
	}
}

func (c *Config) validateRootKey(p *problems) {
	r := c.RootKey
	switch {
	case r.File != "" && r.Env != "":
		p.add("root_key", "set either root_key.file or root_key.env, not both")
	case r.File == "" && r.Env == "":
		p.add("root_key", "set root_key.file (a path) or root_key.env (a variable name)")
	case r.Env != "" && !validEnvName(r.Env):
		p.add("root_key.env", "must be the name of an environment variable (letters, digits and _), not the key itself")
	}
}

func (c *Config) validateKeys(p *problems) {
	k := c.Keys
	if k.RotateAfter < minRotateAfter || k.RotateAfter > maxRotateAfter {
		p.add("keys.rotate_after", "must be between 1h and 8760h (365d), e.g. 720h")
	}
	if k.RotateAfterOps < 1 || k.RotateAfterOps > MaxRotateAfterOps {
		p.add("keys.rotate_after_ops", "must be between 1 and 1073741824 (2^30), far below the 2^32 random-nonce limit of AES-GCM")
	}
}

func (c *Config) validateLogs(p *problems) {
	l := c.Logs
	if l.Dir == "" {
		p.add("logs.dir", "must not be empty; it is where the daily diagnostic log files go")
	}
	if l.Retention < minLogRetention || l.Retention > MaxLogRetention {
		p.add("logs.retention", "must be between 24h and 720h (30d): diagnostic logs are deleted on a rolling basis (claim AI-5)")
	}
	switch strings.ToLower(l.Level) {
	case "debug", "info", "warn", "error":
	default:
		p.add("logs.level", "must be one of debug, info, warn, error")
	}
}

// validAddr reports whether s is host:port with a numeric port; the host may
// be empty (all interfaces) and the port 0 (any free port, for tests).
func validAddr(s string) bool {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 0 && n <= 65535
}

// validOrigin reports whether s is an https origin, optionally with a "/".
func validOrigin(s string) bool {
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil &&
		(u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery
}

// isLoopback reports whether host (a name or an IP, without port or
// brackets) always refers to this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
