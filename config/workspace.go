package config

import "time"

// Workspace configures the workspace's content: notes and their history.
type Workspace struct {
	// Versions is how much of each note's history is kept.
	Versions Versions `yaml:"versions"`
}

// Versions is the note history policy: each save of a note's title or
// content keeps the state it replaces, then drops all but the newest Keep
// versions and those older than MaxAge.
type Versions struct {
	// Keep is how many earlier versions of each note are kept (default
	// 100); 0 keeps none.
	Keep int `yaml:"keep"`
	// MaxAge, if set, drops versions older than this (e.g. 365d); they
	// are no longer listed at once and are deleted at the note's next save.
	MaxAge time.Duration `yaml:"max_age"`
}

// Version history bounds.
const (
	DefaultKeepVersions = 100
	maxKeepVersions     = 10000
	minVersionAge       = time.Hour
)

func (c *Config) validateWorkspace(p *problems) {
	v := c.Workspace.Versions
	if v.Keep < 0 || v.Keep > maxKeepVersions {
		p.add("workspace.versions.keep", "must be from 0 (keep none) to %d", maxKeepVersions)
	}
	if v.MaxAge < 0 || (v.MaxAge > 0 && v.MaxAge < minVersionAge) {
		p.add("workspace.versions.max_age", "must be unset (keep versions of any age) or at least 1h, such as 365d")
	}
}
