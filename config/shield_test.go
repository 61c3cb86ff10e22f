package config

import "testing"

func TestShieldSection(t *testing.T) {
	t.Parallel()
	c := mustParse(t, "shield:\n  mode: dry_run\n  paranoia_level: 2\n  exclusions: []\n  penalty: {trips: 3}\n", env())
	s := c.Shield
	if !s.On() || s.Mode != "dry_run" || s.ParanoiaLevel != 2 || len(s.Exclusions) != 0 || s.Exclusions == nil || s.Penalty.Trips != 3 {
		t.Fatalf("shield: %+v", s)
	}
	off := mustParse(t, "shield:\n  enabled: false\n", env())
	if off.Shield.On() {
		t.Fatal("enabled: false left the shield on")
	}
}

func TestShieldErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, src, want string }{
		{"paranoia", "shield:\n  paranoia_level: 7\n", "q.yaml:2: shield.paranoia_level: 7 is not between 1 and 4"},
		{"mode", "shield:\n  mode: maybe\n", `q.yaml:2: shield.mode: "maybe" is not block or dry_run`},
		{"exclusion", "shield:\n  exclusions: [v1/chat]\n", `q.yaml:2: shield.exclusions[0]: "v1/chat" must start with /`},
		{"penalty", "shield:\n  penalty:\n    window: 100ms\n", "q.yaml:3: shield.penalty.window: "},
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
