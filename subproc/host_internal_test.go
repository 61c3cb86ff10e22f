package subproc

import "testing"

func TestPostgresHost(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, host string
		local     bool
	}{
		{"postgres://u:p@db.example:5432/q", "db.example:5432", false},
		{"postgresql://u@127.0.0.1/q", "127.0.0.1", true},
		{"postgres://u@a.example:5432,127.0.0.1:5433/q", "a.example:5432,127.0.0.1:5433", false},
		{"postgres:///q?host=/var/run/postgresql", "/var/run/postgresql", true},
		{"postgres:///q", "local socket", true},
		{"host=db.example user=q password=secret", "db.example", false},
		{"host=localhost user=q", "localhost", true},
		{"user=q dbname=q", "local socket", true},
		{"postgres://u@[::1]:5432/q", "[::1]:5432", true},
		{"postgres://u@%zz/q", unparsable, false},
	}
	for _, tt := range tests {
		host, local := postgresHost(tt.raw)
		if host != tt.host || local != tt.local {
			t.Errorf("postgresHost(%q) = %q, %v; want %q, %v", tt.raw, host, local, tt.host, tt.local)
		}
	}
}

func TestRegion(t *testing.T) {
	t.Parallel()
	tests := []struct{ configured, host, want string }{
		{"EU", "s3.us-east-1.amazonaws.com", "EU"},
		{"", "s3.us-east-1.amazonaws.com", "us-east-1"},
		{"", "europe-west4-aiplatform.example.com", "europe-west4"},
		{"", "smtp.example.com", "as configured by the provider"},
		{"", "", "as configured by the provider"},
	}
	for _, tt := range tests {
		if got := region(tt.configured, tt.host); got != tt.want {
			t.Errorf("region(%q, %q) = %q, want %q", tt.configured, tt.host, got, tt.want)
		}
	}
}

func TestURLHost(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]struct {
		host  string
		local bool
	}{
		"https://api.example.com/range/": {"api.example.com", false},
		"http://localhost:8080/":         {"localhost:8080", true},
		"unix:///tmp/redis.sock":         {"unix socket", true},
		"not a url\x00":                  {unparsable, false},
		"/relative":                      {unparsable, false},
	} {
		if host, local := urlHost(raw); host != want.host || local != want.local {
			t.Errorf("urlHost(%q) = %q, %v; want %+v", raw, host, local, want)
		}
	}
}
