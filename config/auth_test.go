package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestAuthMailDefaults pins the documented defaults with literal values, so
// that a changed constant fails here too.
func TestAuthMailDefaults(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "", env())
	want := Auth{
		Lockout:  Lockout{Attempts: 10, Duration: time.Hour},
		Sessions: Sessions{IdleTimeout: 24 * time.Hour, Lifetime: 168 * time.Hour},
		Passwords: Passwords{MinLength: 8, MaxLength: 128,
			Argon2: Argon2{MemoryKiB: 65536, Iterations: 3, Parallelism: 4}},
		Breach:       Breach{Enabled: true, RangeURL: "https://api.pwnedpasswords.com/range/", Timeout: 3 * time.Second},
		Throttle:     Throttle{Requests: 60, Window: time.Minute},
		SignInNotice: true,
	}
	if !reflect.DeepEqual(c.Auth, want) {
		t.Errorf("auth defaults:\n got %+v\nwant %+v", c.Auth, want)
	}
	wantMail := Mail{From: "Quire <quire@localhost>", SMTP: SMTP{Port: 587, TLS: "starttls", Timeout: 10 * time.Second}}
	if !reflect.DeepEqual(c.Mail, wantMail) {
		t.Errorf("mail defaults:\n got %+v\nwant %+v", c.Mail, wantMail)
	}
	if !reflect.DeepEqual(Default().Auth, want) {
		t.Errorf("Default().Auth = %+v", Default().Auth)
	}
	if !c.Auth.Breach.Online() {
		t.Error("the online breach check is off by default")
	}
}

func TestSMTPPortFollowsTLS(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]int{
		"":                                       587,
		"mail: {smtp: {tls: starttls}}\n":        587,
		"mail: {smtp: {tls: tls}}\n":             465,
		"mail: {smtp: {tls: none}}\n":            25,
		"mail: {smtp: {tls: tls, port: 2465}}\n": 2465,
		"mail: {smtp: {port: 0}}\n":              587,
	} {
		if got := mustParse(t, src, env()).Mail.SMTP.Port; got != want {
			t.Errorf("%q: port %d, want %d", src, got, want)
		}
	}
	// An unknown mode gets the starttls port, so that only the mode is
	// reported.
	_, err := parse([]byte("mail: {smtp: {tls: ssl}}\n"), "q.yaml", env())
	equalLines(t, errorLines(err), []string{"q.yaml:1: mail.smtp.tls: must be one of starttls, tls, none"})
}

func TestAdminsAreNormalised(t *testing.T) {
	t.Parallel()
	// Full-width letters become ASCII under NFKC, as in auth.NormaliseEmail.
	c := mustParse(t, "auth:\n  admins: ['  ALICE@Example.COM ', \"\uff42\uff4f\uff42@example.com\"]\n", env())
	if want := []string{"alice@example.com", "bob@example.com"}; !reflect.DeepEqual(c.Auth.Admins, want) {
		t.Errorf("admins = %q, want %q", c.Auth.Admins, want)
	}
	_, err := parse([]byte("auth:\n  admins:\n    - a@example.com\n    - A@EXAMPLE.COM\n"), "q.yaml", env())
	equalLines(t, errorLines(err), []string{"q.yaml:4: auth.admins[1]: repeats auth.admins[0]; list each address once"})
	for _, src := range []string{"auth: {admins: []}\n", "auth: {passkeys: {origins: []}}\n"} {
		if c := mustParse(t, src, env()); c.Auth.Admins != nil || c.Auth.Passkeys.Origins != nil {
			t.Errorf("%q: an empty list is not nil: %#v", src, c.Auth)
		}
	}
}

func TestPasskeyDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		src     string
		rpID    string
		origins []string
	}{
		{"localhost", "", "localhost", []string{"https://localhost:8443"}},
		{"port 443", "server: {addr: ':443', http_addr: ':80'}\n", "localhost", []string{"https://localhost"}},
		{"public_url", "server: {public_url: 'https://Quire.Example.com/'}\n", "quire.example.com", []string{"https://quire.example.com"}},
		{"public_url with port", "server: {public_url: 'https://quire.example.com:8443'}\n", "quire.example.com", []string{"https://quire.example.com:8443"}},
		{"explicit", "server: {public_url: 'https://quire.example.com'}\nauth:\n  passkeys:\n    rp_id: example.com\n    origins: [https://a.example.com, https://b.example.com]\n",
			"example.com", []string{"https://a.example.com", "https://b.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustParse(t, tt.src, env())
			if got := c.PasskeyRPID(); got != tt.rpID {
				t.Errorf("PasskeyRPID() = %q, want %q", got, tt.rpID)
			}
			got := c.PasskeyOrigins()
			if !reflect.DeepEqual(got, tt.origins) {
				t.Errorf("PasskeyOrigins() = %q, want %q", got, tt.origins)
			}
			if len(got) > 0 {
				got[0] = "changed"
				if c.PasskeyOrigins()[0] == "changed" {
					t.Error("PasskeyOrigins returns the configured slice itself")
				}
			}
		})
	}
}

func TestOutboxDirFollowsDataDir(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "data_dir: /srv/quire\n", env())
	if got := c.OutboxDir(); got != "/srv/quire/outbox" {
		t.Errorf("OutboxDir() = %q", got)
	}
	c.SetDataDir("/new")
	if got := c.OutboxDir(); got != "/new/outbox" {
		t.Errorf("after SetDataDir, OutboxDir() = %q", got)
	}
}

// TestAuthMailErrorsNameLines checks that decode and validation errors in
// the new sections name the file, line and key path, all at once.
func TestAuthMailErrorsNameLines(t *testing.T) {
	t.Parallel()
	decodeErrs := yamlDoc(`
auth:
	lockout:
		atempts: 3
	passwords:
		argon2:
			memory_kib: -1
	passkey: {}
mail:
	smtp:
		timeout: 10
`)
	_, err := parse([]byte(decodeErrs), "q.yaml", env())
	equalLines(t, errorLines(err), []string{
		`q.yaml:3: auth.lockout.atempts: unknown key; did you mean "attempts"?`,
		"q.yaml:6: auth.passwords.argon2.memory_kib: expected a whole number",
		`q.yaml:7: auth.passkey: unknown key; did you mean "passkeys"?`,
		"q.yaml:10: mail.smtp.timeout: expected a duration such as 30s, 15m, 168h or 7d",
	})
	validateErrs := yamlDoc(`
auth:
	lockout:
		attempts: 3
	sessions:
		idle_timeout: 8d
	admins:
		- root@localhost
		- Root <root@example.com>
mail:
	from: a@example.com, b@example.com
	smtp:
		host: smtp.example.com
		tls: none
		password: ${SMTP_PASSWORD}
`)
	_, err = parse([]byte(validateErrs), "q.yaml", env("SMTP_PASSWORD", "hunter2"))
	equalLines(t, errorLines(err), []string{
		"q.yaml:3: " + lockoutAttemptsMsg,
		"q.yaml:5: " + idleMsg,
		"q.yaml:8: auth.admins[1]: must be one email address, such as alice@example.com, without a display name",
		"q.yaml:10: " + fromMsg,
		"q.yaml:13: " + noTLSMsg,
		"q.yaml:11: mail.smtp.username: required with mail.smtp.password",
	})
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a message reveals the SMTP password: %v", err)
	}
}
