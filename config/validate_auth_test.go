package config

import (
	"testing"
	"time"
)

func auth(mut func(*Auth)) func(*Config) { return func(c *Config) { mut(&c.Auth) } }

// TestValidateAuthMessages is the golden list of the auth section's
// messages, with the boundary values that must pass.
func TestValidateAuthMessages(t *testing.T) {
	t.Parallel()
	runValidateCases(t, []validateCase{
		{"lockout minimums", fns(auth(func(a *Auth) { a.Lockout = Lockout{Attempts: MinLockoutAttempts, Duration: time.Minute} })), nil},
		{"lockout attempts", fns(auth(func(a *Auth) { a.Lockout.Attempts = 4 })), []string{lockoutAttemptsMsg}},
		{"lockout attempts zero", fns(auth(func(a *Auth) { a.Lockout.Attempts = 0 })), []string{lockoutAttemptsMsg}},
		{"lockout duration", fns(auth(func(a *Auth) { a.Lockout.Duration = 59 * time.Second })), []string{
			"auth.lockout.duration: must be at least 1m, e.g. 1h (claim ACC-3)"}},
		{"lockout indefinite", fns(auth(func(a *Auth) { a.Lockout.Indefinite = true })), nil},
		{"sessions equal", fns(auth(func(a *Auth) { a.Sessions = Sessions{IdleTimeout: time.Hour, Lifetime: time.Hour} })), nil},
		{"sessions idle above lifetime", fns(auth(func(a *Auth) { a.Sessions = Sessions{IdleTimeout: 2 * time.Hour, Lifetime: time.Hour} })), []string{idleMsg}},
		{"sessions idle short", fns(auth(func(a *Auth) { a.Sessions.IdleTimeout = time.Second })), []string{idleMsg}},
		{"sessions lifetime zero", fns(auth(func(a *Auth) { a.Sessions.Lifetime = 0 })), []string{
			"auth.sessions.lifetime: must be at least 1m, e.g. 168h (7d) (claim ACC-4)", idleMsg}},
		{"password lengths at bounds", fns(auth(func(a *Auth) { a.Passwords.MinLength, a.Passwords.MaxLength = 64, MaxPasswordMaxLength })), nil},
		{"password min_length short", fns(auth(func(a *Auth) { a.Passwords.MinLength = 7 })), []string{minLengthMsg}},
		{"password min_length long", fns(auth(func(a *Auth) { a.Passwords.MinLength = 65 })), []string{minLengthMsg}},
		{"password max_length short", fns(auth(func(a *Auth) { a.Passwords.MaxLength = 127 })), []string{maxLengthMsg}},
		{"password max_length long", fns(auth(func(a *Auth) { a.Passwords.MaxLength = MaxPasswordMaxLength + 1 })), []string{maxLengthMsg}},
		{"max_concurrent_hashes negative", fns(auth(func(a *Auth) { a.Passwords.MaxConcurrentHashes = -1 })), []string{hashesMsg}},
		{"max_concurrent_hashes large", fns(auth(func(a *Auth) { a.Passwords.MaxConcurrentHashes = 257 })), []string{hashesMsg}},
		{"max_concurrent_hashes set", fns(auth(func(a *Auth) { a.Passwords.MaxConcurrentHashes = 256 })), nil},
		{"argon2 small in development", fns(argon2(8, 1, 1)), nil},
		{"argon2 below 8 per lane", fns(argon2(31, 1, 4)), []string{
			"auth.passwords.argon2.memory_kib: must be at least 8 × parallelism (Argon2's minimum); 65536 (64 MiB) is RFC 9106's recommendation"}},
		{"argon2 memory too large", fns(argon2(MaxArgon2MemoryKiB+1, 3, 4)), []string{
			"auth.passwords.argon2.memory_kib: must be at most 4194304 (4 GiB); 65536 (64 MiB) is RFC 9106's recommendation"}},
		{"argon2 OWASP minimum in production", fns(production, argon2(MinProductionArgon2MemoryKiB, 2, 1)), nil},
		{"argon2 below OWASP in production", fns(production, argon2(MinProductionArgon2MemoryKiB-1, 2, 1)), []string{
			"auth.passwords.argon2.memory_kib: must be at least 19456 (19 MiB, OWASP's minimum) in production; 65536 (64 MiB) is RFC 9106's recommendation"}},
		{"argon2 zeroes", fns(argon2(0, 0, 0)), []string{
			"auth.passwords.argon2.memory_kib: must be at least 8 × parallelism (Argon2's minimum); 65536 (64 MiB) is RFC 9106's recommendation",
			iterationsMsg, parallelismMsg}},
		{"argon2 upper bounds", fns(argon2(1<<20, 100, 255)), nil},
		{"argon2 too many", fns(argon2(1<<20, 101, 256)), []string{iterationsMsg, parallelismMsg}},
		{"breach off", fns(auth(func(a *Auth) { a.Breach = Breach{Timeout: time.Second} })), nil},
		{"breach online check off", fns(auth(func(a *Auth) { a.Breach.RangeURL = "" })), nil},
		{"breach loopback http in development", fns(rangeURL("http://127.0.0.1:8999/range/")), []string{
			"auth.breach.range_url: must use https:// (the breach checker speaks TLS only, to loopback too)"}},
		{"breach remote http", fns(rangeURL("http://pwned.example/range/")), []string{
			"auth.breach.range_url: must use https:// (the breach checker speaks TLS only, to loopback too)"}},
		{"breach http in production", fns(production, rangeURL("http://127.0.0.1:8999/range/")), []string{
			"auth.breach.range_url: must use https:// (the breach checker speaks TLS only, to loopback too)"}},
		{"breach https in production", fns(production, rangeURL("https://pwned.internal/range/")), nil},
		{"breach credentials", fns(rangeURL("https://u:hunter2@pwned.example/range/")), []string{
			"auth.breach.range_url: must not contain credentials; the range API needs none"}},
		{"breach relative", fns(rangeURL("api.pwnedpasswords.com/range/")), []string{
			"auth.breach.range_url: must be an absolute URL such as https://api.example.com/v1"}},
		{"breach no slash", fns(rangeURL("https://api.pwnedpasswords.com/range")), []string{
			`auth.breach.range_url: must end with "/": the 5-character hash prefix is appended to it, e.g. https://api.pwnedpasswords.com/range/`}},
		{"breach timeout zero", fns(auth(func(a *Auth) { a.Breach.Timeout = 0 })), []string{breachTimeoutMsg}},
		{"breach timeout long", fns(auth(func(a *Auth) { a.Breach.Timeout = time.Minute + 1 })), []string{breachTimeoutMsg}},
		{"breach fail_closed", fns(auth(func(a *Auth) { a.Breach.FailClosed = true })), nil},
		{"breach fail_closed disabled", fns(auth(func(a *Auth) { a.Breach.FailClosed, a.Breach.Enabled = true, false })), []string{failClosedMsg}},
		{"breach fail_closed no url", fns(auth(func(a *Auth) { a.Breach.FailClosed, a.Breach.RangeURL = true, "" })), []string{failClosedMsg}},
		{"throttle bounds", fns(auth(func(a *Auth) { a.Throttle = Throttle{Requests: 1, Window: day} })), nil},
		{"throttle zero", fns(auth(func(a *Auth) { a.Throttle = Throttle{} })), []string{
			"auth.throttle.requests: must be at least 1, e.g. 30", throttleWindowMsg}},
		{"throttle window long", fns(auth(func(a *Auth) { a.Throttle.Window = day + 1 })), []string{throttleWindowMsg}},
		{"admins ok", fns(admins("alice@example.com", "root@localhost", "bob+tag@sub.example.org")), nil},
		{"admins invalid", fns(admins("Alice <alice@example.com>", "alice", "a@b", "", "a@example.com, b@example.com", "a\r\n@example.com", "\xff@example.com")), []string{
			adminMsg(0), adminMsg(1), adminMsg(2), adminMsg(3), adminMsg(4), adminMsg(5), adminMsg(6)}},
		{"admins repeated", fns(admins("a@example.com", "b@example.com", "a@example.com")), []string{
			"auth.admins[2]: repeats auth.admins[0]; list each address once"}},
	})
}

func argon2(memory, iterations, parallelism uint32) func(*Config) {
	return auth(func(a *Auth) { a.Passwords.Argon2 = Argon2{memory, iterations, parallelism} })
}

func rangeURL(u string) func(*Config) { return auth(func(a *Auth) { a.Breach.RangeURL = u }) }

func admins(emails ...string) func(*Config) { return auth(func(a *Auth) { a.Admins = emails }) }

func adminMsg(i int) string {
	return "auth.admins[" + string(rune('0'+i)) + "]: must be one email address, such as alice@example.com, without a display name"
}

const (
	lockoutAttemptsMsg = "auth.lockout.attempts: must be at least 5, so that a few wrong guesses by someone else cannot lock a user out; the default is 10 (claim ACC-3)"
	idleMsg            = "auth.sessions.idle_timeout: must be at least 1m and at most auth.sessions.lifetime, e.g. 24h (claim ACC-4)"
	minLengthMsg       = "auth.passwords.min_length: must be between 8 (NIST SP 800-63B's minimum) and 64"
	maxLengthMsg       = "auth.passwords.max_length: must be between 128 and 1024, so that long passphrases always fit"
	hashesMsg          = "auth.passwords.max_concurrent_hashes: must be between 0 (automatic) and 256; each hash holds auth.passwords.argon2.memory_kib of memory while it runs"
	iterationsMsg      = "auth.passwords.argon2.iterations: must be between 1 and 100; 3 is RFC 9106's recommendation with 64 MiB"
	parallelismMsg     = "auth.passwords.argon2.parallelism: must be between 1 and 255, e.g. 4"
	breachTimeoutMsg   = "auth.breach.timeout: must be positive and at most 1m, e.g. 3s: the check runs while the user waits"
	failClosedMsg      = "auth.breach.fail_closed: only applies when the online check is on (auth.breach.enabled: true and a range_url); remove it"
	throttleWindowMsg  = "auth.throttle.window: must be between 1s and 24h, e.g. 1m"
)

// TestValidatePasskeys covers the relying-party ID and origins, explicit
// and defaulted from the server section.
func TestValidatePasskeys(t *testing.T) {
	t.Parallel()
	public := func(u string) func(*Config) { return func(c *Config) { c.Server.PublicURL = u } }
	passkeys := func(rpID string, origins ...string) func(*Config) {
		return auth(func(a *Auth) { a.Passkeys = Passkeys{RPID: rpID, Origins: origins} })
	}
	runValidateCases(t, []validateCase{
		{"defaults from public_url", fns(public("https://quire.example.com")), nil},
		{"parent domain", fns(public("https://quire.example.com"), passkeys("example.com")), nil},
		{"subdomain origins", fns(passkeys("example.com", "https://a.example.com", "https://example.com:8443")), nil},
		{"origins on localhost", fns(passkeys("", "https://localhost:9443")), nil},
		{"rp_id localhost", fns(passkeys("localhost")), nil},
		{"rp_id with scheme", fns(passkeys("https://example.com")), []string{rpIDMsg}},
		{"rp_id with port", fns(passkeys("example.com:443")), []string{rpIDMsg}},
		{"rp_id upper case", fns(passkeys("Example.com")), []string{rpIDMsg}},
		{"rp_id IP", fns(passkeys("127.0.0.1")), []string{rpIDMsg}},
		{"rp_id empty label", fns(passkeys("example..com")), []string{rpIDMsg}},
		{"rp_id hyphen", fns(passkeys("-example.com")), []string{rpIDMsg}},
		{"rp_id not the public host", fns(public("https://quire.example.com"), passkeys("other.example")), []string{
			"auth.passkeys.rp_id: must be the host of the default origin (server.public_url, or localhost) or a parent domain of it; or list auth.passkeys.origins"}},
		{"rp_id not localhost", fns(passkeys("example.com")), []string{
			"auth.passkeys.rp_id: must be the host of the default origin (server.public_url, or localhost) or a parent domain of it; or list auth.passkeys.origins"}},
		{"suffix is not a subdomain", fns(passkeys("example.com", "https://badexample.com")), []string{
			"auth.passkeys.origins[0]: must be on auth.passkeys.rp_id (by default the host of server.public_url, or localhost) or a subdomain of it, as WebAuthn requires"}},
		{"origins off the public host", fns(public("https://quire.example.com"), passkeys("", "https://quire.example.com", "https://evil.example")), []string{
			"auth.passkeys.origins[1]: must be on auth.passkeys.rp_id (by default the host of server.public_url, or localhost) or a subdomain of it, as WebAuthn requires"}},
		{"origin forms", fns(passkeys("", "http://localhost:8443", "https://localhost/", "https://localhost/app", "localhost")), []string{
			originMsg(0), originMsg(1), originMsg(2), originMsg(3)}},
		{"bad public_url reported once", fns(public("http://quire.example.com"), passkeys("example.com")), []string{publicURLMsg}},
	})
}

const rpIDMsg = "auth.passkeys.rp_id: must be a domain name in lower case, such as quire.example.com: no scheme, port or path, and not an IP address"

func originMsg(i int) string {
	return "auth.passkeys.origins[" + string(rune('0'+i)) + "]: must be an https:// origin such as https://quire.example.com (no path, not even a trailing /)"
}
