package config

import "testing"

func server(f func(*Server)) func(*Config) { return func(c *Config) { f(&c.Server) } }

func TestValidateClientIPAndLimits(t *testing.T) {
	t.Parallel()
	runValidateCases(t, []validateCase{
		{"proxies and header", fns(server(func(s *Server) {
			s.TrustedProxies = []string{"10.0.0.0/8", "192.0.2.7", "2001:db8::/32"}
			s.ClientIPHeader = "X-Real-IP"
		})), nil},
		{"bad proxy", fns(server(func(s *Server) { s.TrustedProxies = []string{"10.0.0.0/8", "not-an-ip", "fe80::1%eth0"} })), []string{
			"server.trusted_proxies[1]: must be an IP address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32",
			"server.trusted_proxies[2]: must be an IP address or a CIDR such as 10.0.0.0/8 or 2001:db8::/32"}},
		{"header without proxies", fns(server(func(s *Server) { s.ClientIPHeader = "X-Real-IP" })), []string{
			"server.client_ip_header: only applies with server.trusted_proxies: from any other peer the header is ignored; list your proxies, or remove it"}},
		{"header not a name", fns(server(func(s *Server) {
			s.TrustedProxies = []string{"10.0.0.1"}
			s.ClientIPHeader = "X Real IP\r\n"
		})), []string{"server.client_ip_header: must be a header name such as X-Real-IP or CF-Connecting-IP"}},
		{"limits out of range", fns(server(func(s *Server) { s.MaxConnsPerIP, s.MaxInFlight = 0, -1 })), []string{
			"server.max_conns_per_ip: must be between 1 and 100000 (claim DOS-1)",
			"server.max_in_flight: must be between 1 and 1000000 (claim DOS-1)"}},
		{"per-client share over the whole", fns(server(func(s *Server) { s.MaxInFlight, s.MaxInFlightPerClient = 10, 11 })), []string{
			"server.max_in_flight_per_client: must be between 1 and server.max_in_flight (10) (claim DOS-1)"}},
		{"per-client share zero", fns(server(func(s *Server) { s.MaxInFlightPerClient = 0 })), []string{
			"server.max_in_flight_per_client: must be between 1 and server.max_in_flight (512) (claim DOS-1)"}},
	})
}
