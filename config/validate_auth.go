package config

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Limits of the auth section enforced by Validate.
const (
	// MinLockoutAttempts is the fewest failures that may lock an address:
	// fewer would let anyone lock a user out with a few guesses.
	MinLockoutAttempts = 5
	minLockoutDuration = time.Minute
	minSessionIdle     = time.Minute
	maxPasswordMin     = 64
	// MaxPasswordMaxLength matches password.MaxMaxLength.
	MaxPasswordMaxLength = 1024
	// MinProductionArgon2MemoryKiB is OWASP's minimum Argon2id memory
	// (19 MiB, with 2 passes and 1 lane).
	MinProductionArgon2MemoryKiB = 19456
	// MaxArgon2MemoryKiB (4 GiB), maxArgon2Iterations and
	// maxArgon2Parallelism match the password package's bounds.
	MaxArgon2MemoryKiB   = 4 * 1024 * 1024
	maxArgon2Iterations  = 100
	maxArgon2Parallelism = 255
	maxConcurrentHashes  = 256
	maxBreachTimeout     = time.Minute
	minThrottleWindow    = time.Second
	maxThrottleWindow    = day
)

func (c *Config) validateAuth(p *problems) {
	a := c.Auth
	validateLockout(p, a.Lockout)
	validateSessions(p, a.Sessions)
	validatePasswords(p, a.Passwords)
	validateArgon2(p, a.Passwords.Argon2, c.Production())
	validateBreach(p, a.Breach, c.Production())
	validateThrottle(p, a.Throttle)
	validateAdmins(p, a.Admins)
	c.validatePasskeys(p)
}

func validateLockout(p *problems, l Lockout) {
	if l.Attempts < MinLockoutAttempts {
		p.add("auth.lockout.attempts", "must be at least 5, so that a few wrong guesses by someone else cannot lock a user out; the default is 10 (claim ACC-3)")
	}
	if l.Duration < minLockoutDuration {
		p.add("auth.lockout.duration", "must be at least 1m, e.g. 1h (claim ACC-3)")
	}
}

func validateSessions(p *problems, s Sessions) {
	if s.Lifetime < minSessionIdle {
		p.add("auth.sessions.lifetime", "must be at least 1m, e.g. 168h (7d) (claim ACC-4)")
	}
	if s.IdleTimeout < minSessionIdle || s.IdleTimeout > s.Lifetime {
		p.add("auth.sessions.idle_timeout", "must be at least 1m and at most auth.sessions.lifetime, e.g. 24h (claim ACC-4)")
	}
}

func validatePasswords(p *problems, pw Passwords) {
	if pw.MinLength < DefaultPasswordMinLength || pw.MinLength > maxPasswordMin {
		p.add("auth.passwords.min_length", "must be between 8 (NIST SP 800-63B's minimum) and 64")
	}
	if pw.MaxLength < DefaultPasswordMaxLength || pw.MaxLength > MaxPasswordMaxLength {
		p.add("auth.passwords.max_length", "must be between 128 and 1024, so that long passphrases always fit")
	}
	if pw.MaxConcurrentHashes < 0 || pw.MaxConcurrentHashes > maxConcurrentHashes {
		p.add("auth.passwords.max_concurrent_hashes", "must be between 0 (automatic) and 256; each hash holds auth.passwords.argon2.memory_kib of memory while it runs")
	}
}

func validateArgon2(p *problems, a Argon2, production bool) {
	const key = "auth.passwords.argon2."
	switch {
	case a.MemoryKiB > MaxArgon2MemoryKiB:
		p.add(key+"memory_kib", "must be at most 4194304 (4 GiB); 65536 (64 MiB) is RFC 9106's recommendation")
	case production && a.MemoryKiB < MinProductionArgon2MemoryKiB:
		p.add(key+"memory_kib", "must be at least 19456 (19 MiB, OWASP's minimum) in production; 65536 (64 MiB) is RFC 9106's recommendation")
	case a.Parallelism <= maxArgon2Parallelism && uint64(a.MemoryKiB) < 8*uint64(max(a.Parallelism, 1)):
		p.add(key+"memory_kib", "must be at least 8 × parallelism (Argon2's minimum); 65536 (64 MiB) is RFC 9106's recommendation")
	}
	if a.Iterations < 1 || a.Iterations > maxArgon2Iterations {
		p.add(key+"iterations", "must be between 1 and 100; 3 is RFC 9106's recommendation with 64 MiB")
	}
	if a.Parallelism < 1 || a.Parallelism > maxArgon2Parallelism {
		p.add(key+"parallelism", "must be between 1 and 255, e.g. 4")
	}
}

func validateBreach(p *problems, b Breach, production bool) {
	if b.RangeURL != "" {
		// Always https, loopback included: the breach checker sends the
		// hash prefix over TLS only, so an http:// URL could never work.
		if u, err := url.Parse(b.RangeURL); err == nil && u.Scheme == "http" {
			p.add("auth.breach.range_url", "must use https:// (the breach checker speaks TLS only, to loopback too)")
		} else {
			checkHTTPSURL(p, "auth.breach.range_url", b.RangeURL, production, "the range API needs none")
		}
		if !strings.HasSuffix(b.RangeURL, "/") {
			p.add("auth.breach.range_url", `must end with "/": the 5-character hash prefix is appended to it, e.g. https://api.pwnedpasswords.com/range/`)
		}
	}
	if b.Timeout <= 0 || b.Timeout > maxBreachTimeout {
		p.add("auth.breach.timeout", "must be positive and at most 1m, e.g. 3s: the check runs while the user waits")
	}
	if b.FailClosed && !b.Online() {
		p.add("auth.breach.fail_closed", "only applies when the online check is on (auth.breach.enabled: true and a range_url); remove it")
	}
}

func validateThrottle(p *problems, t Throttle) {
	if t.Requests < 1 {
		p.add("auth.throttle.requests", "must be at least 1, e.g. 30")
	}
	if t.Window < minThrottleWindow || t.Window > maxThrottleWindow {
		p.add("auth.throttle.window", "must be between 1s and 24h, e.g. 1m")
	}
}

// validateAdmins checks the normalised admin emails (see finishAuth). No
// message quotes an address.
func validateAdmins(p *problems, admins []string) {
	seen := map[string]int{}
	for i, e := range admins {
		key := fmt.Sprintf("auth.admins[%d]", i)
		if !validEmail(normaliseEmail(e)) {
			p.add(key, "must be one email address, such as alice@example.com, without a display name")
			continue
		}
		if j, dup := seen[normaliseEmail(e)]; dup {
			p.add(key, "repeats auth.admins[%d]; list each address once", j)
			continue
		}
		seen[normaliseEmail(e)] = i
	}
}
