package config

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// fullAuthMail sets every key of the auth and mail sections to a value
// other than its default.
var fullAuthMail = yamlDoc(`
mode: production
tls: {cert_file: /tls/cert.pem, key_file: /tls/key.pem}
server:
	public_url: https://quire.example.com
auth:
	lockout:
		attempts: 5
		duration: 30m
		indefinite: true
	sessions:
		idle_timeout: 2h
		lifetime: 1d
	passwords:
		min_length: 12
		max_length: 256
		argon2:
			memory_kib: 19456
			iterations: 2
			parallelism: 1
		max_concurrent_hashes: 3
	breach:
		enabled: true
		range_url: https://pwned.internal/range/
		timeout: 1500ms
		fail_closed: true
	throttle:
		requests: 10
		window: 5m
	admins: [Alice@Example.com, bob@example.com]
	passkeys:
		rp_id: example.com
		origins: [https://quire.example.com, https://app.example.com]
	sign_in_notice: false
mail:
	from: "Quire Notices <notices@example.com>"
	smtp:
		host: smtp.example.com
		port: 2465
		username: quire
		password: ${SMTP_PASSWORD}
		tls: tls
		timeout: 20s
		region: EU (Frankfurt)
		attestation: https://relay.example/dpa
`)

var fullAuthMailWant = struct {
	Auth Auth
	Mail Mail
}{
	Auth{
		Lockout:  Lockout{Attempts: 5, Duration: 30 * time.Minute, Indefinite: true},
		Sessions: Sessions{IdleTimeout: 2 * time.Hour, Lifetime: 24 * time.Hour},
		Passwords: Passwords{MinLength: 12, MaxLength: 256,
			Argon2: Argon2{MemoryKiB: 19456, Iterations: 2, Parallelism: 1}, MaxConcurrentHashes: 3},
		Breach:   Breach{Enabled: true, RangeURL: "https://pwned.internal/range/", Timeout: 1500 * time.Millisecond, FailClosed: true},
		Throttle: Throttle{Requests: 10, Window: 5 * time.Minute},
		Admins:   []string{"alice@example.com", "bob@example.com"},
		Passkeys: Passkeys{RPID: "example.com", Origins: []string{"https://quire.example.com", "https://app.example.com"}},
	},
	Mail{From: "Quire Notices <notices@example.com>", SMTP: SMTP{Host: "smtp.example.com", Port: 2465,
		Username: "quire", Password: "s3cret-smtp", TLS: "tls", Timeout: 20 * time.Second,
		Region: "EU (Frankfurt)", Attestation: "https://relay.example/dpa"}},
}

func TestAuthMailFullFile(t *testing.T) {
	t.Parallel()
	c := mustParse(t, fullAuthMail, env("SMTP_PASSWORD", "s3cret-smtp"))
	if !reflect.DeepEqual(c.Auth, fullAuthMailWant.Auth) {
		t.Errorf("auth:\n got %+v\nwant %+v", c.Auth, fullAuthMailWant.Auth)
	}
	if !reflect.DeepEqual(c.Mail, fullAuthMailWant.Mail) {
		t.Errorf("mail:\n got %+v\nwant %+v", c.Mail, fullAuthMailWant.Mail)
	}
	// The file must set every key, or a key could be silently ignored.
	def := defaults(env())
	for _, f := range sameLeaves(reflect.ValueOf(c.Auth), reflect.ValueOf(def.Auth), "auth") {
		if f != "auth.breach.enabled" { // true is both the default and needed for the rest of breach
			t.Errorf("%s keeps its default; give it another value in fullAuthMail", f)
		}
	}
	for _, f := range sameLeaves(reflect.ValueOf(c.Mail), reflect.ValueOf(def.Mail), "mail") {
		t.Errorf("%s keeps its default; give it another value in fullAuthMail", f)
	}
}

// TestRoundTrip encodes a parsed configuration as YAML and parses it back:
// every value survives except secrets, which encode as [REDACTED].
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	lookup := env("SMTP_PASSWORD", "s3cret-smtp")
	c := mustParse(t, fullAuthMail, lookup)
	out, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "s3cret-smtp") {
		t.Fatalf("encoding reveals the SMTP password:\n%s", out)
	}
	back := mustParse(t, string(out), lookup)
	if back.Mail.SMTP.Password != redacted {
		t.Errorf("password encoded as %q, want %q", back.Mail.SMTP.Password.Reveal(), redacted)
	}
	back.Mail.SMTP.Password = c.Mail.SMTP.Password
	back.derived, c.derived = derivedPaths{}, derivedPaths{}
	if len(back.AI.Providers) == 0 { // encoded as [], decoded as an empty list
		back.AI.Providers = nil
	}
	if !reflect.DeepEqual(back, c) {
		t.Errorf("round trip changed the configuration:\n got %+v\nwant %+v\nYAML:\n%s", back, c, out)
	}
}

// sameLeaves returns the paths of the leaf fields (not structs) whose
// values are equal in a and b.
func sameLeaves(a, b reflect.Value, path string) []string {
	if a.Kind() == reflect.Struct && a.Type() != durationType {
		var out []string
		for i := range a.NumField() {
			name, ok := yamlName(a.Type().Field(i))
			if ok {
				out = append(out, sameLeaves(a.Field(i), b.Field(i), joinPath(path, name))...)
			}
		}
		return out
	}
	if reflect.DeepEqual(a.Interface(), b.Interface()) {
		return []string{path}
	}
	return nil
}
