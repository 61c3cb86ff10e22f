package postgres

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// The fix shared by every production refusal of a role.
const roleFix = "Fix: create a dedicated role (CREATE ROLE quire_app LOGIN PASSWORD '…'), " +
	"point database.url at it, and set database.owner_url to the role that owns the tables: " +
	"migrations then run as the owner and grant the dedicated role only the DML it needs"

// checkTransport refuses, for production, any host of c that is not loopback
// (or a Unix socket) and that could be reached without TLS or without
// certificate verification (claim TLS-2). key names the configuration key.
func checkTransport(c *pgconn.Config, key string) error {
	hosts := []*pgconn.FallbackConfig{{Host: c.Host, Port: c.Port, TLSConfig: c.TLSConfig}}
	hosts = append(hosts, c.Fallbacks...)
	for _, h := range hosts {
		if h.TLSConfig == nil && !isLocal(h.Host, h.Port) {
			return fmt.Errorf("postgres: %s: refusing a connection that may be unencrypted (sslmode disable, allow or prefer) to host %q in production: "+
				"credentials and data would cross the network in plaintext (claim TLS-2). Use sslmode=verify-full, or a loopback host", key, h.Host)
		}
	}
	for _, h := range hosts {
		if h.TLSConfig != nil && h.TLSConfig.InsecureSkipVerify && h.TLSConfig.VerifyPeerCertificate == nil && !isLocal(h.Host, h.Port) {
			return fmt.Errorf("postgres: %s: refusing sslmode=require to host %q in production: it encrypts but does not verify the server certificate, "+
				"so anyone on the path can impersonate the server (claim TLS-2). Use sslmode=verify-full (or verify-ca with sslrootcert)", key, h.Host)
		}
	}
	return nil
}

// isLocal reports whether host is a Unix socket directory or a loopback name
// or address, where traffic never leaves the machine.
func isLocal(host string, port uint16) bool {
	if network, _ := pgconn.NetworkAddress(host, port); network == "unix" {
		return true
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// ownerConnConfig parses and checks Config.OwnerURL.
func ownerConnConfig(cfg Config) (*pgx.ConnConfig, error) {
	c, err := pgx.ParseConfig(cfg.OwnerURL)
	if err != nil {
		return nil, fmt.Errorf("postgres: database.owner_url: %w", err)
	}
	hardenConnConfig(&c.Config)
	if cfg.Production {
		if err := checkTransport(&c.Config, "database.owner_url"); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// roleInfo describes the role a connection runs as.
type roleInfo struct {
	name       string
	superuser  bool // is, or may SET ROLE to, a superuser
	bypassRLS  bool // is, or may SET ROLE to, a role with BYPASSRLS
	ownsTables bool // is, or may SET ROLE to, the owner of a Quire table
}

const roleInfoSQL = `
SELECT current_user::text,
       EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolsuper AND pg_has_role(current_user, r.oid, 'MEMBER')),
       EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolbypassrls AND pg_has_role(current_user, r.oid, 'MEMBER')),
       EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = current_schema() AND c.relname = ANY($1)
                 AND pg_has_role(current_user, c.relowner, 'MEMBER'))`

func (db *DB) roleInfo(ctx context.Context) (roleInfo, error) {
	var ri roleInfo
	err := db.pool.QueryRow(ctx, roleInfoSQL, allTables).Scan(&ri.name, &ri.superuser, &ri.bypassRLS, &ri.ownsTables)
	if err != nil {
		return ri, fmt.Errorf("postgres: read the connected role's attributes: %w", err)
	}
	return ri, nil
}

// checkPrivileges refuses a role that bypasses row-level security.
func (db *DB) checkPrivileges(ctx context.Context) error {
	ri, err := db.roleInfo(ctx)
	if err != nil {
		return err
	}
	if ri.superuser {
		return fmt.Errorf("postgres: refusing to run in production as role %q: it is a superuser (or may become one), "+
			"and superusers bypass row-level security (claim ISO-1). %s", ri.name, roleFix)
	}
	if ri.bypassRLS {
		return fmt.Errorf("postgres: refusing to run in production as role %q: it has BYPASSRLS (or may become a role that has it), "+
			"which bypasses row-level security (claim ISO-1). %s", ri.name, roleFix)
	}
	return nil
}

// checkOwnership refuses a role that owns the tables: an owner can switch
// row-level security off.
func (db *DB) checkOwnership(ctx context.Context) error {
	ri, err := db.roleInfo(ctx)
	if err != nil {
		return err
	}
	if ri.ownsTables {
		return fmt.Errorf("postgres: refusing to run in production as role %q: it owns Quire's tables (or may become their owner), "+
			"and a table owner can switch row-level security off (claim ISO-1). %s", ri.name, roleFix)
	}
	return nil
}

// Transport describes how a connection string reaches its server, for the
// trust check of claim TLS-2: whether every host is on loopback (or a Unix
// socket), and otherwise whether each is reached over TLS with the
// certificate verified.
func Transport(url string) (local, verified bool, err error) {
	c, err := pgconn.ParseConfig(url)
	if err != nil {
		return false, false, fmt.Errorf("postgres: parse the connection string: %w", err)
	}
	hosts := []*pgconn.FallbackConfig{{Host: c.Host, Port: c.Port, TLSConfig: c.TLSConfig}}
	hosts = append(hosts, c.Fallbacks...)
	local, verified = true, true
	for _, h := range hosts {
		if isLocal(h.Host, h.Port) {
			continue
		}
		local = false
		if h.TLSConfig == nil || h.TLSConfig.InsecureSkipVerify && h.TLSConfig.VerifyPeerCertificate == nil {
			verified = false
		}
	}
	return local, verified, nil
}
