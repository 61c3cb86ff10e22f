package shield

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	c := Config{}.WithDefaults()
	if !c.On() || c.Mode != ModeBlock || c.ParanoiaLevel != 1 || c.InboundAnomalyThreshold != 5 ||
		c.BodyLimit != 128<<10 || len(c.Exclusions) != len(DefaultExclusions) ||
		c.Penalty != (PenaltyConfig{Trips: 5, Window: 10 * time.Minute, BlockFor: 15 * time.Minute, Capacity: 100_000}) {
		t.Fatalf("defaults: %+v", c)
	}
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("the zero config is invalid: %v", err)
	}
}

func TestConfigYAML(t *testing.T) {
	t.Parallel()
	const doc = `
enabled: false
mode: dry_run
paranoia_level: 2
inbound_anomaly_threshold: 10
body_limit: 65536
exclusions: []
penalty:
  trips: 3
  window: 5m
  block_for: 1h
`
	var c Config
	if err := yaml.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatal(err)
	}
	if c.On() || c.Mode != ModeDryRun || c.ParanoiaLevel != 2 || c.InboundAnomalyThreshold != 10 || c.BodyLimit != 65536 ||
		c.Exclusions == nil || len(c.Exclusions) != 0 || c.Penalty.Trips != 3 || c.Penalty.Window != 5*time.Minute || c.Penalty.BlockFor != time.Hour {
		t.Fatalf("decoded %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var absent Config
	if err := yaml.Unmarshal([]byte("mode: block\n"), &absent); err != nil {
		t.Fatal(err)
	}
	if !absent.On() || absent.WithDefaults().Exclusions == nil {
		t.Fatalf("absent keys: %+v", absent)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key string
		cfg Config
	}{
		{"shield.mode", Config{Mode: "log"}},
		{"shield.paranoia_level", Config{ParanoiaLevel: 5}},
		{"shield.paranoia_level", Config{ParanoiaLevel: -1}},
		{"shield.inbound_anomaly_threshold", Config{InboundAnomalyThreshold: -3}},
		{"shield.body_limit", Config{BodyLimit: -1}},
		{"shield.body_limit", Config{BodyLimit: 1 << 30}},
		{"shield.exclusions[0]", Config{Exclusions: []string{"v1/chat"}}},
		{"shield.exclusions[1]", Config{Exclusions: []string{"/ok", "/"}}},
		{"shield.exclusions[0]", Config{Exclusions: []string{"/a/../b"}}},
		{"shield.exclusions[0]", Config{Exclusions: []string{"/a?b"}}},
		{"shield.exclusions[0]", Config{Exclusions: []string{"/a//b"}}},
		{"shield.penalty.trips", Config{Penalty: PenaltyConfig{Trips: -1}}},
		{"shield.penalty.trips", Config{Penalty: PenaltyConfig{Trips: 1000}}},
		{"shield.penalty.window", Config{Penalty: PenaltyConfig{Window: time.Millisecond}}},
		{"shield.penalty.block_for", Config{Penalty: PenaltyConfig{BlockFor: -time.Minute}}},
		{"shield.penalty.block_for", Config{Penalty: PenaltyConfig{BlockFor: 30 * 24 * time.Hour}}},
		{"shield.penalty.capacity", Config{Penalty: PenaltyConfig{Capacity: -5}}},
	}
	for _, c := range cases {
		err := c.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), c.key+":") {
			t.Errorf("%+v: error %v, want one naming %s", c.cfg, err, c.key)
		}
		if _, err := New(c.cfg); err == nil {
			t.Errorf("New accepted %+v", c.cfg)
		}
	}
	for _, ok := range []Config{
		{ParanoiaLevel: 4, InboundAnomalyThreshold: 1, BodyLimit: 1},
		{Exclusions: []string{"/v1/chat/completions/", "/x"}},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func TestDirectives(t *testing.T) {
	t.Parallel()
	d, err := Directives(Config{ParanoiaLevel: 3, InboundAnomalyThreshold: 7, BodyLimit: 4096})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SecRuleEngine On\n",
		"SecRequestBodyLimit 4096\n",
		"SecRequestBodyInMemoryLimit 4096\n",
		"SecRequestBodyLimitAction ProcessPartial\n",
		"SecAuditEngine Off\n",
		"setvar:tx.blocking_paranoia_level=3",
		"setvar:tx.inbound_anomaly_score_threshold=7",
		"tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE",
		"Include @crs-setup.conf.example",
		"Include @owasp_crs/REQUEST-*.conf",
		"SecRuleRemoveById 905100 905110",
		`ctl:requestBodyProcessor=JSON`,
	} {
		if !strings.Contains(d, want) {
			t.Errorf("directives lack %q", want)
		}
	}
	// The overrides come after the recommended file, which they override.
	if strings.LastIndex(d, "SecRuleEngine DetectionOnly") > strings.Index(d, "SecRuleEngine On\n") {
		t.Error("the recommended DetectionOnly comes after the override")
	}
	dry, _ := Directives(Config{Mode: ModeDryRun})
	if strings.LastIndex(dry, "SecRuleEngine ") != strings.LastIndex(dry, "SecRuleEngine DetectionOnly") {
		t.Error("dry run does not end on DetectionOnly")
	}
}
