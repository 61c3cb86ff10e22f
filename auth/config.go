package auth

import (
	"fmt"
	"time"
)

// Config holds the account-security settings (the auth: section of the
// configuration file). The zero value of a field means its default.
type Config struct {
	// LockoutAttempts is how many failed attempts lock an address
	// (default 10, at least 5).
	LockoutAttempts int
	// LockoutDuration is how long a lock lasts (default 1 hour).
	// LockoutIndefinite keeps the lock until an admin lifts it.
	LockoutDuration   time.Duration
	LockoutIndefinite bool
	// SessionIdle ends a session unused this long (default 24 hours);
	// SessionLifetime ends every session this long after sign-in
	// (default 7 days).
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	// BaseURL is the public address links in emails point to.
	BaseURL string
	// Admins are the normalised emails of users allowed the admin API.
	Admins []string
	// NewSignInNotice emails the user on each full sign-in (default on).
	NoSignInNotice bool
}

// Lifetimes of the short-lived things the service creates.
const (
	mfaStageLifetime   = 10 * time.Minute
	verifyLifetime     = 48 * time.Hour
	resetLifetime      = time.Hour
	touchEvery         = time.Minute
	minLockoutAttempts = 5
)

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.LockoutAttempts == 0 {
		c.LockoutAttempts = 10
	}
	if c.LockoutDuration == 0 {
		c.LockoutDuration = time.Hour
	}
	if c.SessionIdle == 0 {
		c.SessionIdle = 24 * time.Hour
	}
	if c.SessionLifetime == 0 {
		c.SessionLifetime = 7 * 24 * time.Hour
	}
	return c
}

// Validate reports the first setting that is out of range.
func (c Config) Validate() error {
	c = c.withDefaults()
	switch {
	case c.LockoutAttempts < minLockoutAttempts:
		return fmt.Errorf("auth lockout attempts must be at least %d", minLockoutAttempts)
	case c.LockoutDuration < time.Minute:
		return fmt.Errorf("auth lockout duration must be at least 1m")
	case c.SessionIdle < time.Minute || c.SessionLifetime < c.SessionIdle:
		return fmt.Errorf("auth session idle timeout must be at least 1m and at most the lifetime")
	}
	return nil
}

// lockFor is the lock duration handed to the store: 0 means indefinite.
func (c Config) lockFor() time.Duration {
	if c.LockoutIndefinite {
		return 0
	}
	return c.LockoutDuration
}
