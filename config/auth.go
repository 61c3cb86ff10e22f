package config

import (
	"net"
	"net/url"
	"strings"
	"time"
)

// Defaults of the auth section.
const (
	DefaultLockoutAttempts     = 10
	DefaultLockoutDuration     = time.Hour
	DefaultSessionIdleTimeout  = 24 * time.Hour
	DefaultSessionLifetime     = 7 * day
	DefaultPasswordMinLength   = 8
	DefaultPasswordMaxLength   = 128
	DefaultArgon2MemoryKiB     = 64 * 1024
	DefaultArgon2Iterations    = 3
	DefaultArgon2Parallelism   = 4
	DefaultBreachRangeURL      = "https://api.pwnedpasswords.com/range/"
	DefaultBreachTimeout       = 3 * time.Second
	DefaultThrottleRequests    = 60
	DefaultThrottleWindow      = time.Minute
	defaultPasskeyHost         = "localhost"
	defaultPasskeyOriginScheme = "https://"
)

// Auth configures the account system: lockout (claim ACC-3), sessions
// (ACC-4), password rules and hashing, the breach check (ACC-2), request
// throttling, admins and passkeys (ACC-5).
type Auth struct {
	Lockout   Lockout   `yaml:"lockout"`
	Sessions  Sessions  `yaml:"sessions"`
	Passwords Passwords `yaml:"passwords"`
	Breach    Breach    `yaml:"breach"`
	Throttle  Throttle  `yaml:"throttle"`
	// Admins are the emails of the users allowed the admin API. Parse and
	// Default normalise them (NFKC, lower case, no surrounding space), the
	// form accounts are found by.
	Admins   []string `yaml:"admins"`
	Passkeys Passkeys `yaml:"passkeys"`
	// SignInNotice emails the user at each new sign-in. Default true.
	SignInNotice bool `yaml:"sign_in_notice"`
}

// Lockout locks an address after repeated failed sign-in attempts
// (password, TOTP or recovery code).
type Lockout struct {
	// Attempts is how many failures lock the address. Default 10, at least 5.
	Attempts int `yaml:"attempts"`
	// Duration is how long a lock lasts. Default 1h, at least 1m.
	Duration time.Duration `yaml:"duration"`
	// Indefinite keeps a lock until an admin lifts it (quire admin unlock).
	Indefinite bool `yaml:"indefinite"`
}

// Sessions bounds how long a sign-in lasts.
type Sessions struct {
	// IdleTimeout ends a session unused this long. Default 24h; between 1m
	// and Lifetime.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// Lifetime ends every session this long after sign-in. Default 168h.
	Lifetime time.Duration `yaml:"lifetime"`
}

// Passwords configures the password rule and Argon2id hashing.
type Passwords struct {
	// MinLength is the fewest code points of a new password. Default 8; 8..64.
	MinLength int `yaml:"min_length"`
	// MaxLength is the most code points. Default 128; 128..1024.
	MaxLength int `yaml:"max_length"`
	// Argon2 are the cost parameters of new hashes.
	Argon2 Argon2 `yaml:"argon2"`
	// MaxConcurrentHashes caps the hashes computed at once, and with it
	// hashing memory; 0 (default) lets the password package choose.
	MaxConcurrentHashes int `yaml:"max_concurrent_hashes"`
}

// Argon2 are Argon2id cost parameters. The defaults are the second
// recommended option of RFC 9106 (64 MiB, 3 passes, 4 lanes).
type Argon2 struct {
	// MemoryKiB is the memory cost in KiB. Production needs at least 19456
	// (OWASP's minimum).
	MemoryKiB uint32 `yaml:"memory_kib"`
	// Iterations is the number of passes over the memory; 1..100.
	Iterations uint32 `yaml:"iterations"`
	// Parallelism is the number of lanes; 1..255.
	Parallelism uint32 `yaml:"parallelism"`
}

// Breach configures the online breached-password check (claim ACC-2).
// The offline list of common breached passwords applies regardless.
type Breach struct {
	// Enabled turns the online check on. Default true.
	Enabled bool `yaml:"enabled"`
	// RangeURL is the k-anonymity range API; the 5-character hash prefix
	// is appended to it. "" turns the online check off.
	RangeURL string `yaml:"range_url"`
	// Timeout bounds one online check. Default 3s.
	Timeout time.Duration `yaml:"timeout"`
	// FailClosed refuses sign-up and sign-in when the online check cannot
	// be made; by default such a check is skipped.
	FailClosed bool `yaml:"fail_closed"`
}

// Online reports whether the online breach check is on.
func (b Breach) Online() bool { return b.Enabled && b.RangeURL != "" }

// Throttle limits sign-in, sign-up and reset requests from one address.
type Throttle struct {
	// Requests is how many requests a window allows. Default 30.
	Requests int `yaml:"requests"`
	// Window is the length of the window. Default 1m.
	Window time.Duration `yaml:"window"`
}

// Passkeys configures WebAuthn. Empty fields take defaults from the server
// section; PasskeyRPID and PasskeyOrigins return the values in effect.
type Passkeys struct {
	// RPID is the relying-party ID: a domain, the origins' host or a parent
	// of it.
	RPID string `yaml:"rp_id"`
	// Origins are the origins passkey ceremonies may come from.
	Origins []string `yaml:"origins"`
}

func baseAuth() Auth {
	return Auth{
		Lockout:  Lockout{Attempts: DefaultLockoutAttempts, Duration: DefaultLockoutDuration},
		Sessions: Sessions{IdleTimeout: DefaultSessionIdleTimeout, Lifetime: DefaultSessionLifetime},
		Passwords: Passwords{
			MinLength: DefaultPasswordMinLength,
			MaxLength: DefaultPasswordMaxLength,
			Argon2: Argon2{
				MemoryKiB:   DefaultArgon2MemoryKiB,
				Iterations:  DefaultArgon2Iterations,
				Parallelism: DefaultArgon2Parallelism,
			},
		},
		Breach:       Breach{Enabled: true, RangeURL: DefaultBreachRangeURL, Timeout: DefaultBreachTimeout},
		Throttle:     Throttle{Requests: DefaultThrottleRequests, Window: DefaultThrottleWindow},
		SignInNotice: true,
	}
}

// finishAuth normalises the admin emails and makes empty lists nil, so
// that `admins: []` and an absent key give the same Config.
func (a *Auth) finishAuth() {
	if len(a.Admins) == 0 {
		a.Admins = nil
	}
	for i, e := range a.Admins {
		a.Admins[i] = normaliseEmail(e)
	}
	if len(a.Passkeys.Origins) == 0 {
		a.Passkeys.Origins = nil
	}
}

// PasskeyRPID returns the WebAuthn relying-party ID in effect:
// auth.passkeys.rp_id, else the host of server.public_url, else
// "localhost".
func (c *Config) PasskeyRPID() string {
	if c.Auth.Passkeys.RPID != "" {
		return c.Auth.Passkeys.RPID
	}
	if u, err := url.Parse(c.Server.PublicURL); err == nil && c.Server.PublicURL != "" {
		return strings.ToLower(u.Hostname())
	}
	return defaultPasskeyHost
}

// PasskeyOrigins returns the WebAuthn origins in effect:
// auth.passkeys.origins, else server.public_url, else
// https://localhost:<port of server.addr>. With port 0 (a test server),
// set server.addr to the bound address first, or list the origins.
func (c *Config) PasskeyOrigins() []string {
	if len(c.Auth.Passkeys.Origins) > 0 {
		return append([]string(nil), c.Auth.Passkeys.Origins...)
	}
	if u, err := url.Parse(c.Server.PublicURL); err == nil && c.Server.PublicURL != "" {
		return []string{u.Scheme + "://" + strings.ToLower(u.Host)}
	}
	origin := defaultPasskeyOriginScheme + defaultPasskeyHost
	if _, port, err := net.SplitHostPort(c.Server.Addr); err == nil && port != "443" && port != "" {
		origin += ":" + port
	}
	return []string{origin}
}
