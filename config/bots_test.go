package config

import (
	"reflect"
	"testing"
)

func TestBotsSection(t *testing.T) {
	t.Parallel()
	c := mustParse(t, `
bots:
  dry_run: true
  categories: {monitor: allow}
  routes:
    public: {allow: [verified_search_engine], deny: [seo], dry_run: true}
  ranges:
    google: [66.249.64.0/19]
`, env())
	if !c.Bots.Enabled || !c.Bots.DryRun || c.Bots.Categories["monitor"] != "allow" {
		t.Fatalf("bots: %+v", c.Bots)
	}
	pub := c.Bots.Routes["public"]
	if !reflect.DeepEqual(pub.Allow, []string{"verified_search_engine"}) || !reflect.DeepEqual(pub.Deny, []string{"seo"}) || !pub.DryRun {
		t.Fatalf("bots.routes.public: %+v", pub)
	}
	if !reflect.DeepEqual(c.Bots.Ranges["google"], []string{"66.249.64.0/19"}) {
		t.Fatalf("bots.ranges: %+v", c.Bots.Ranges)
	}
}

func TestBotsErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, src, want string }{
		{"unknown category", "bots:\n  categories: {robots: allow}\n", "q.yaml:2: bots.categories.robots: "},
		{"bad action", "bots:\n  categories:\n    monitor: maybe\n", `q.yaml:3: bots.categories.monitor: must be "allow" or "deny"`},
		{"health has no policy", "bots:\n  routes:\n    health: {deny: [seo]}\n", "q.yaml:3: bots.routes.health: health routes are never blocked"},
		{"map is not a list", "bots:\n  ranges: [a]\n", "q.yaml:2: bots.ranges: expected a mapping"},
		{"duplicate key", "bots:\n  categories:\n    seo: deny\n    seo: allow\n", "q.yaml:4: bots.categories.seo: is set twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parse([]byte(tt.src), "q.yaml", env())
			if err == nil {
				t.Fatal("parse succeeded")
			}
			lines := errorLines(err)
			if len(lines) != 1 || len(lines[0]) < len(tt.want) || lines[0][:len(tt.want)] != tt.want {
				t.Fatalf("errors %q, want one starting %q", lines, tt.want)
			}
		})
	}
}
