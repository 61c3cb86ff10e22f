package subproc

import (
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/quirehq/quire"
)

// unparsable is the host shown for an address that cannot be read; such a
// service is listed as remote, since where it sends data is unknown.
const unparsable = "unparsable address"

// urlHost returns raw's host[:port] and whether it is on loopback. A unix
// socket counts as loopback.
func urlHost(raw string) (string, bool) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return unparsable, false
	case u.Scheme == "unix":
		return "unix socket", true
	case u.Host == "":
		return unparsable, false
	}
	return u.Host, isLoopback(u.Hostname())
}

// postgresHost returns the hosts of a PostgreSQL connection string (URL or
// keyword/value form), comma-separated, and whether all are on this
// machine (loopback or a unix socket; no host at all means a local socket).
func postgresHost(raw string) (string, bool) {
	var hosts []string
	if strings.HasPrefix(raw, "postgres://") || strings.HasPrefix(raw, "postgresql://") {
		u, err := url.Parse(raw)
		if err != nil {
			return unparsable, false
		}
		if h := u.Query().Get("host"); h != "" {
			hosts = strings.Split(h, ",")
		} else if u.Host != "" {
			hosts = strings.Split(u.Host, ",")
		}
	} else {
		for _, f := range strings.Fields(raw) {
			if v, ok := strings.CutPrefix(f, "host="); ok {
				hosts = strings.Split(strings.Trim(v, "'"), ",")
			}
		}
	}
	if len(hosts) == 0 {
		return "local socket", true
	}
	local := true
	for _, h := range hosts {
		if !strings.HasPrefix(h, "/") && !isLoopback(hostOnly(h)) {
			local = false
		}
	}
	return strings.Join(hosts, ","), local
}

// hostOnly strips a port from host[:port].
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// regionName matches a cloud region in a host name: eu-central-1,
// europe-west4, us-east-2 and the like.
var regionName = regexp.MustCompile(`(?:^|[.-])((?:us|eu|ap|sa|ca|me|af|il|mx|europe|asia|australia|northamerica|southamerica|africa)-[a-z]+-?[0-9]{1,2})(?:[.-]|$)`)

// region is the configured region, else the one host names, else
// quire.RegionUnstated.
func region(configured, host string) string {
	if configured != "" {
		return configured
	}
	if m := regionName.FindStringSubmatch(strings.ToLower(host)); m != nil {
		return m[1]
	}
	return quire.RegionUnstated
}
