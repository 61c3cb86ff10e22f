package config

import (
	"net"
	"net/url"
	"strings"
)

// MaxPostgresConns bounds database.max_conns.
const MaxPostgresConns = 1000

func (c *Config) validateDatabase(p *problems) {
	db := c.Database
	switch db.Driver {
	case DriverSQLite:
		if db.Path == "" {
			p.add("database.path", "must not be empty with driver sqlite; it is the database file, e.g. /var/lib/quire/quire.db")
		}
		for _, k := range []struct {
			key string
			set bool
		}{{"database.url", db.URL != ""}, {"database.owner_url", db.OwnerURL != ""}, {"database.max_conns", db.MaxConns != 0}} {
			if k.set {
				p.add(k.key, "only applies to driver postgres; remove it, or set database.driver: postgres")
			}
		}
	case DriverPostgres:
		if db.Path != "" {
			p.add("database.path", "only applies to driver sqlite; remove it")
		}
		if db.URL == "" {
			p.add("database.url", "required with driver postgres, e.g. postgres://quire:PASSWORD@db.internal:5432/quire?sslmode=verify-full")
		} else {
			checkPostgresURL(p, "database.url", db.URL, c.Production())
		}
		if db.OwnerURL != "" {
			checkPostgresURL(p, "database.owner_url", db.OwnerURL, c.Production())
		}
		if db.MaxConns < 1 || db.MaxConns > MaxPostgresConns {
			p.add("database.max_conns", "must be between 1 and 1000")
		}
	default:
		p.add("database.driver", `must be "sqlite" or "postgres"`)
	}
}

var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

// checkPostgresURL enforces claim TLS-2 on a connection URL: plaintext only
// to loopback or a Unix socket; elsewhere TLS with the server's certificate
// verified, and in production its host name too (verify-full). The URL is never quoted
// in a message: it usually holds a password.
func checkPostgresURL(p *problems, key string, s Secret, production bool) {
	u, err := url.Parse(s.Reveal())
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		p.add(key, "must be a URL such as postgres://USER:PASSWORD@HOST:5432/DATABASE?sslmode=verify-full (key=value connection strings are not accepted)")
		return
	}
	q := u.Query()
	mode := q.Get("sslmode")
	if mode == "" {
		mode = "prefer" // the driver's default, which may fall back to plaintext
	}
	if !contains(sslModes, mode) {
		p.add(key, "sslmode must be one of %s", strings.Join(sslModes, ", "))
		return
	}
	hosts := splitHosts(u.Host)
	for _, h := range q["host"] {
		hosts = append(hosts, splitHosts(h)...)
	}
	if allLocal(hosts) {
		return
	}
	switch {
	case production && mode != "verify-full":
		p.add(key, "needs sslmode=verify-full for a non-loopback host in production, so that the connection is encrypted and the server's certificate checked (claim TLS-2)")
	case !production && mode != "verify-full" && mode != "verify-ca":
		p.add(key, "needs sslmode=verify-full or verify-ca for a non-loopback host, so that the connection is encrypted and the server's certificate checked; plaintext is allowed only to loopback (claim TLS-2)")
	}
}

// splitHosts splits a multi-host list ("h1:5432,h2") into bare host names.
func splitHosts(s string) []string {
	var out []string
	for _, hp := range strings.Split(s, ",") {
		if h, _, err := net.SplitHostPort(hp); err == nil {
			hp = h
		}
		out = append(out, strings.TrimSuffix(strings.TrimPrefix(hp, "["), "]"))
	}
	return out
}

// allLocal reports whether every host is loopback or a Unix socket (a path,
// or empty, which means the default socket).
func allLocal(hosts []string) bool {
	for _, h := range hosts {
		if h != "" && !strings.HasPrefix(h, "/") && !isLoopback(h) {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
