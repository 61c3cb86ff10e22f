package shield

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
)

// Mode is what the shield does with a request the rules condemn.
type Mode string

// Modes.
const (
	// ModeBlock refuses the request (the default).
	ModeBlock Mode = "block"
	// ModeDryRun evaluates and reports, and lets every request through.
	ModeDryRun Mode = "dry_run"
)

// Defaults of the shield: section.
const (
	DefaultParanoiaLevel    = 1
	DefaultInboundThreshold = 5
	DefaultBodyLimit        = 128 << 10
	DefaultPenaltyTrips     = 5
	DefaultPenaltyWindow    = 10 * time.Minute
	DefaultPenaltyBlockFor  = 15 * time.Minute
	DefaultPenaltyCapacity  = 100_000
)

// Bounds that validation enforces.
const (
	maxBodyLimit     = 16 << 20
	maxThreshold     = 10_000
	maxTrips         = 100
	maxPenaltyPeriod = 7 * 24 * time.Hour
	maxCapacity      = 10_000_000
	maxExclusions    = 256
)

// DefaultExclusions are the routes whose bodies carry arbitrary user text:
// the AI prompt routes, notes, ideas (in shared folders too), chats and
// searches of them, and vulnerability reports, whose writing legitimately
// quotes SQL, shell or markup (see the package documentation for how they
// stay protected).
var DefaultExclusions = []string{
	"/v1/chat/completions",
	"/v1/embeddings",
	"/v1/rerank",
	"/anthropic/v1/messages",
	"/api/v1/notes",
	"/api/v1/chats",
	"/api/v1/ideas",
	"/api/v1/search",
	"/api/v1/shared",
	"/api/v1/security/reports",
	"/security/report",
}

// DefaultBypass are the AI gateway's routes, which the rules do not
// inspect at all (see the package documentation for how they stay
// protected).
var DefaultBypass = []string{"/v1/", "/anthropic/v1/"}

// Config is the shield: section of the configuration file. The zero value
// of every field means its default, so Config{} is a blocking shield at
// paranoia level 1.
type Config struct {
	// Enabled turns the shield on (default true; only an explicit false
	// turns it off).
	Enabled *bool `yaml:"enabled,omitempty"`
	// Mode is block (default) or dry_run.
	Mode Mode `yaml:"mode"`
	// ParanoiaLevel is the CRS blocking paranoia level, 1 to 4 (default
	// 1). Higher levels add stricter rules and false positives.
	ParanoiaLevel int `yaml:"paranoia_level"`
	// InboundAnomalyThreshold is the CRS inbound anomaly score at which a
	// request is refused (default 5: one critical rule).
	InboundAnomalyThreshold int `yaml:"inbound_anomaly_threshold"`
	// BodyLimit is how many bytes of a request body are inspected
	// (default 128 KiB). A longer body is inspected up to the limit and
	// passed on whole: the server has its own body caps.
	BodyLimit int `yaml:"body_limit"`
	// Exclusions are route prefixes whose body is not inspected (their
	// path, query and headers still are). nil means DefaultExclusions; an
	// empty list excludes nothing.
	Exclusions []string `yaml:"exclusions"`
	// Bypass are route prefixes the rules do not inspect at all; a client
	// in the penalty box is still refused there. nil means DefaultBypass;
	// an empty list bypasses nothing.
	Bypass []string `yaml:"bypass"`
	// Penalty configures the penalty box for repeat offenders.
	Penalty PenaltyConfig `yaml:"penalty"`
}

// PenaltyConfig blocks a client that trips the shield Trips times within
// Window for BlockFor.
type PenaltyConfig struct {
	// Trips is how many blocked requests put a client in the box
	// (default 5).
	Trips int `yaml:"trips"`
	// Window is the period within which the trips must fall (default 10m).
	Window time.Duration `yaml:"window"`
	// BlockFor is how long the client then stays blocked (default 15m).
	BlockFor time.Duration `yaml:"block_for"`
	// Capacity is the most clients the in-process box remembers (default
	// 100,000); the least recently seen is forgotten first.
	Capacity int `yaml:"capacity"`
}

// On reports whether the shield is enabled.
func (c Config) On() bool { return c.Enabled == nil || *c.Enabled }

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Mode == "" {
		c.Mode = ModeBlock
	}
	if c.ParanoiaLevel == 0 {
		c.ParanoiaLevel = DefaultParanoiaLevel
	}
	if c.InboundAnomalyThreshold == 0 {
		c.InboundAnomalyThreshold = DefaultInboundThreshold
	}
	if c.BodyLimit == 0 {
		c.BodyLimit = DefaultBodyLimit
	}
	if c.Bypass == nil {
		c.Bypass = append([]string(nil), DefaultBypass...)
	}
	if c.Exclusions == nil {
		c.Exclusions = append([]string(nil), DefaultExclusions...)
	}
	p := &c.Penalty
	if p.Trips == 0 {
		p.Trips = DefaultPenaltyTrips
	}
	if p.Window == 0 {
		p.Window = DefaultPenaltyWindow
	}
	if p.BlockFor == 0 {
		p.BlockFor = DefaultPenaltyBlockFor
	}
	if p.Capacity == 0 {
		p.Capacity = DefaultPenaltyCapacity
	}
	return c
}

// Validate reports the first setting that is out of range, naming its key.
func (c Config) Validate() error {
	c = c.WithDefaults()
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("shield.%s: "+format, append([]any{key}, args...)...))
	}
	if c.Mode != ModeBlock && c.Mode != ModeDryRun {
		bad("mode", "%q is not block or dry_run", c.Mode)
	}
	if c.ParanoiaLevel < 1 || c.ParanoiaLevel > 4 {
		bad("paranoia_level", "%d is not between 1 and 4", c.ParanoiaLevel)
	}
	if c.InboundAnomalyThreshold < 1 || c.InboundAnomalyThreshold > maxThreshold {
		bad("inbound_anomaly_threshold", "%d is not between 1 and %d", c.InboundAnomalyThreshold, maxThreshold)
	}
	if c.BodyLimit < 1 || c.BodyLimit > maxBodyLimit {
		bad("body_limit", "%d bytes is not between 1 and %d", c.BodyLimit, maxBodyLimit)
	}
	if len(c.Exclusions) > maxExclusions {
		bad("exclusions", "%d entries, at most %d", len(c.Exclusions), maxExclusions)
	}
	for i, e := range c.Exclusions {
		if err := checkExclusion(e); err != nil {
			bad(fmt.Sprintf("exclusions[%d]", i), "%v", err)
		}
	}
	if len(c.Bypass) > maxExclusions {
		bad("bypass", "%d entries, at most %d", len(c.Bypass), maxExclusions)
	}
	for i, e := range c.Bypass {
		if err := checkExclusion(e); err != nil {
			bad(fmt.Sprintf("bypass[%d]", i), "%v", err)
		}
	}
	errs = append(errs, c.Penalty.validate()...)
	return errors.Join(errs...)
}

func (p PenaltyConfig) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("shield.penalty.%s: "+format, append([]any{key}, args...)...))
	}
	if p.Trips < 1 || p.Trips > maxTrips {
		bad("trips", "%d is not between 1 and %d", p.Trips, maxTrips)
	}
	if p.Window < time.Second || p.Window > maxPenaltyPeriod {
		bad("window", "%v is not between 1s and %v", p.Window, maxPenaltyPeriod)
	}
	if p.BlockFor < time.Second || p.BlockFor > maxPenaltyPeriod {
		bad("block_for", "%v is not between 1s and %v", p.BlockFor, maxPenaltyPeriod)
	}
	if p.Capacity < 1 || p.Capacity > maxCapacity {
		bad("capacity", "%d is not between 1 and %d", p.Capacity, maxCapacity)
	}
	return errs
}

// checkExclusion accepts a clean absolute path prefix such as
// "/v1/chat/completions".
func checkExclusion(e string) error {
	switch {
	case !strings.HasPrefix(e, "/"):
		return fmt.Errorf("%q must start with /", e)
	case e == "/":
		return errors.New(`"/" would exclude every route`)
	case strings.ContainsAny(e, "?#%*\\ \t\r\n"):
		return fmt.Errorf("%q must be a plain path prefix", e)
	case path.Clean(e) != strings.TrimSuffix(e, "/") && path.Clean(e) != e:
		return fmt.Errorf("%q is not a clean path", e)
	}
	return nil
}
