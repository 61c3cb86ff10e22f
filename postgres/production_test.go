package postgres

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// clearPGEnv keeps the machine's libpq variables out of connection parsing.
func clearPGEnv(t *testing.T) {
	for _, v := range []string{"PGHOST", "PGPORT", "PGSSLMODE", "PGSSLROOTCERT", "PGCONNECT_TIMEOUT", "PGUSER", "PGDATABASE", "PGPASSWORD"} {
		t.Setenv(v, "")
	}
}

// TestTransportPolicy checks claim TLS-2 on configuration alone: production
// refuses any way to a non-loopback host without verified TLS, and says why.
func TestTransportPolicy(t *testing.T) {
	clearPGEnv(t)
	const remote = "postgres://u@db.example.com:5432/x"
	cases := []struct {
		name       string
		cfg        Config
		wantErr    []string // substrings of the error; nil means success
		wantTLSMin bool
	}{
		{"disable to remote", Config{URL: remote + "?sslmode=disable", Production: true}, []string{"plaintext", "db.example.com", "sslmode=verify-full", "database.url"}, false},
		{"default (prefer) to remote", Config{URL: remote, Production: true}, []string{"plaintext"}, false},
		{"allow to remote", Config{URL: remote + "?sslmode=allow", Production: true}, []string{"plaintext"}, false},
		{"require to remote", Config{URL: remote + "?sslmode=require", Production: true}, []string{"does not verify", "verify-full"}, false},
		{"verify-full to remote", Config{URL: remote + "?sslmode=verify-full", Production: true}, nil, true},
		{"verify-ca to remote", Config{URL: remote + "?sslmode=verify-ca", Production: true}, nil, true},
		{"disable to remote in development", Config{URL: remote + "?sslmode=disable"}, nil, false},
		{"disable to 127.0.0.1", Config{URL: "postgres://u@127.0.0.1:5432/x?sslmode=disable", Production: true}, nil, false},
		{"disable to localhost", Config{URL: "postgres://u@localhost/x?sslmode=disable", Production: true}, nil, false},
		{"disable to ::1", Config{URL: "postgres://u@[::1]:5432/x?sslmode=disable", Production: true}, nil, false},
		{"unix socket", Config{URL: "host=/var/run/postgresql user=u dbname=x sslmode=disable", Production: true}, nil, false},
		{"second host remote", Config{URL: "postgres://u@127.0.0.1,db.example.com/x?sslmode=disable", Production: true}, []string{"db.example.com"}, false},
		{"owner URL remote", Config{URL: "postgres://u@127.0.0.1/x?sslmode=disable", OwnerURL: remote + "?sslmode=disable", Production: true},
			[]string{"database.owner_url", "plaintext"}, false},
		{"empty URL", Config{}, []string{"database.url is empty"}, false},
		{"bad port", Config{URL: "postgres://u@host:notaport/x"}, []string{"database.url"}, false},
		{"negative pool", Config{URL: remote, MaxConns: -1}, []string{"max connections"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pc, err := poolConfig(tc.cfg)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("poolConfig: %v", err)
				}
				if tlsc := pc.ConnConfig.TLSConfig; tc.wantTLSMin && (tlsc == nil || tlsc.MinVersion < tls.VersionTLS12) {
					t.Fatalf("TLS config %+v, want MinVersion >= TLS 1.2", tlsc)
				}
				if pc.ConnConfig.ConnectTimeout <= 0 {
					t.Fatal("no connect timeout")
				}
				return
			}
			if err == nil {
				t.Fatalf("poolConfig accepted %+v", tc.cfg)
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestURLErrorsHidePassword checks that a malformed URL's error does not
// echo the password.
func TestURLErrorsHidePassword(t *testing.T) {
	clearPGEnv(t)
	for _, u := range []string{"postgres://u:s3cretpw@host:badport/x", "postgres://u:s3cretpw@host/x?sslmode=bogus"} {
		_, err := Open(context.Background(), Config{URL: u})
		if err == nil || strings.Contains(err.Error(), "s3cretpw") {
			t.Fatalf("Open(%q): err = %v, want an error without the password", "…", err)
		}
	}
}

// TestUnreachable checks that a closed port fails Open fast with a clear
// error.
func TestUnreachable(t *testing.T) {
	clearPGEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	start := time.Now()
	db, err := Open(context.Background(), Config{URL: "postgres://u@127.0.0.1:" + strconv.Itoa(port) + "/x?sslmode=disable"})
	if err == nil {
		db.Close()
		t.Fatal("Open of a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "cannot connect to the database") {
		t.Fatalf("error %q does not say the database is unreachable", err)
	}
	if d := time.Since(start); d > DefaultConnectTimeout+time.Second {
		t.Fatalf("Open took %v", d)
	}
}

// TestProductionRefusesRoles checks claim ISO-1's refusals: a superuser, a
// BYPASSRLS role, the table owner and a member of the owner are refused with
// the problem and the fix named; the dedicated role is accepted.
func TestProductionRefusesRoles(t *testing.T) {
	env := newEnv(t)
	owner := Config{URL: env.OwnerURL, OwnerURL: env.OwnerURL, Production: true}
	superuser := Config{URL: env.Admin, Production: true}
	if _, err := Open(context.Background(), superuser); err == nil {
		t.Fatal("production accepted a superuser")
	} else if c := conn(t, env.Admin); tableExists(t, c, "schema_migrations") {
		t.Fatal("a refused superuser still migrated the database")
	}
	mustOpen(t, Config{URL: env.OwnerURL}) // migrate as the owner, in development mode
	cases := []struct {
		name string
		cfg  Config
		want []string
	}{
		{"superuser", superuser, []string{"superuser", "bypass row-level security"}},
		{"BYPASSRLS", Config{URL: env.Role(t, "BYPASSRLS"), OwnerURL: env.OwnerURL, Production: true}, []string{"BYPASSRLS"}},
		{"table owner", owner, []string{"owns Quire's tables"}},
		{"member of the owner", Config{URL: env.Role(t, "IN ROLE "+env.Owner), OwnerURL: env.OwnerURL, Production: true}, []string{"owns Quire's tables"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db, err := Open(context.Background(), tc.cfg)
			if err == nil {
				db.Close()
				t.Fatal("production accepted the role")
			}
			for _, want := range append(tc.want, "CREATE ROLE", "database.owner_url", "DML") {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
	t.Run("dedicated role", func(t *testing.T) {
		db := mustOpen(t, env.config())
		st, err := db.Isolation(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Role != env.App || st.Superuser || st.BypassRLS || st.OwnsTables {
			t.Fatalf("isolation = %+v, want the dedicated role %s without privileges", st, env.App)
		}
	})
}

// TestProductionDoesNotMigrateAsApp checks that production without an
// owner URL refuses a database that needs migrating (the tables would
// belong to the application role) and accepts one that is migrated.
func TestProductionDoesNotMigrateAsApp(t *testing.T) {
	env := newEnv(t)
	appOnly := Config{URL: env.AppURL, Production: true}
	_, err := Open(context.Background(), appOnly)
	if err == nil || !strings.Contains(err.Error(), "database.owner_url") || !strings.Contains(err.Error(), "pending") {
		t.Fatalf("Open of an unmigrated database without owner URL: %v", err)
	}
	mustOpen(t, env.config())
	mustOpen(t, appOnly)
}

// TestIsolationReport checks Isolation against the catalog for the
// dedicated role and for a superuser.
func TestIsolationReport(t *testing.T) {
	env := newEnv(t)
	app := mustOpen(t, env.config())
	super := mustOpen(t, Config{URL: env.Admin})
	for _, tc := range []struct {
		name   string
		db     *DB
		role   string
		super  bool
		bypass bool
	}{
		{"application role", app, env.App, false, false},
		{"superuser", super, "", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, err := tc.db.Isolation(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if st.Backend != quire.BackendPostgres || st.Superuser != tc.super || st.BypassRLS != tc.bypass || st.OwnsTables != tc.super ||
				(tc.role != "" && st.Role != tc.role) {
				t.Fatalf("isolation = %+v", st)
			}
			var names []string
			for _, tb := range st.Tables {
				names = append(names, tb.Name)
				if !tb.RLSEnabled || !tb.RLSForced || tb.Policies < 1 {
					t.Errorf("table %s: %+v, want RLS enabled, forced and a policy", tb.Name, tb)
				}
			}
			if strings.Join(names, ",") != strings.Join(tenantTables, ",") {
				t.Fatalf("tables %v, want %v", names, tenantTables)
			}
		})
	}
}
