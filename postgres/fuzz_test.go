package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// FuzzCheckTransport feeds arbitrary connection strings (configuration is
// operator input) through parsing and the production transport check: it
// must never panic, and whatever it accepts must reach every non-loopback
// host only over TLS that verifies the server.
func FuzzCheckTransport(f *testing.F) {
	for _, s := range []string{
		"postgres://u@db.example.com:5432/x?sslmode=disable",
		"postgres://u@db.example.com/x?sslmode=verify-full",
		"postgres://u@db.example.com/x?sslmode=require",
		"postgres://u@127.0.0.1,db.example.com:5432,5433/x?sslmode=prefer",
		"host=/tmp user=u sslmode=disable",
		"host=localhost,[::1] sslmode=allow",
		"postgres://u@[fe80::1%25eth0]/x?sslmode=disable",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "sslrootcert") || strings.Contains(s, "sslkey") || strings.Contains(s, "sslcert") ||
			strings.Contains(s, "passfile") || strings.Contains(s, "service") {
			t.Skip("options that read files are out of scope")
		}
		c, err := pgconn.ParseConfig(s)
		if err != nil {
			return
		}
		if checkTransport(c, "database.url") != nil {
			return
		}
		hosts := append([]*pgconn.FallbackConfig{{Host: c.Host, Port: c.Port, TLSConfig: c.TLSConfig}}, c.Fallbacks...)
		for _, h := range hosts {
			if isLocal(h.Host, h.Port) {
				continue
			}
			if h.TLSConfig == nil || (h.TLSConfig.InsecureSkipVerify && h.TLSConfig.VerifyPeerCertificate == nil) {
				t.Fatalf("accepted an unverified route to %q", h.Host)
			}
		}
	})
}

// FuzzParseMigrationName checks that file names never panic the parser and
// that an accepted name has the NNNN_name.sql shape with NNNN > 0.
func FuzzParseMigrationName(f *testing.F) {
	for _, s := range []string{"0001_schema.sql", "0001.sql", "_x.sql", "99999999999_x.sql", "0001_x.sql.sql"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		v, err := parseMigrationName(name)
		if err != nil {
			return
		}
		num, rest, _ := strings.Cut(name, "_")
		if v <= 0 || !strings.HasSuffix(name, ".sql") || rest == ".sql" || strings.TrimLeft(num, "0123456789") != "" {
			t.Fatalf("accepted %q as version %d", name, v)
		}
	})
}
