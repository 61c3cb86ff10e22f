package redact

import (
	"strings"
	"testing"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"
)

// TestSecrets checks gitleaks rules through the redactor: the sample
// credential (only the secret group, not the text around it) is found in
// the contexts a prompt carries them in.
func TestSecrets(t *testing.T) {
	r := mustRedactor(t)
	for id, secret := range sampleSecrets() {
		for _, ctx := range []string{
			"%s",
			"Here is my key: %s please debug",
			"export TOKEN=\"%s\"\n",
			"```\nconfig = {'x': '%s'}\n```",
		} {
			in := strings.Replace(ctx, "%s", secret, 1)
			got := entities(r, in)
			if len(got) != 1 || got[0] != "secret:"+secret {
				t.Errorf("%s in %q: got %q", id, ctx, got)
			}
		}
	}
}

func TestSecretGroup(t *testing.T) {
	r := mustRedactor(t)
	for _, c := range []struct{ in, secret string }{
		// generic-api-key: the value only, the assignment stays readable.
		{`api_key = "f3Kq9ZxW2bLp7Rt4Vn8Mc1Yd"`, "f3Kq9ZxW2bLp7Rt4Vn8Mc1Yd"},
		{"DB_PASSWORD=8ae31cacf141669ddfb5da\n", "8ae31cacf141669ddfb5da"},
		{"the password: Tr0ub4dor3xyzQ and more", "Tr0ub4dor3xyzQ"},
	} {
		got := entities(r, c.in)
		if len(got) != 1 || got[0] != "secret:"+c.secret {
			t.Errorf("%q: got %q, want the secret %q", c.in, got, c.secret)
		}
	}
}

// TestSecretNegatives checks entropy thresholds and allowlists, global
// and per rule, and that prose about secrets is not a secret.
func TestSecretNegatives(t *testing.T) {
	r := mustRedactor(t)
	for _, in := range []string{
		"aws_access_key_id = AKIAIOSFODNN7EXAMPLE",          // rule allowlist: …EXAMPLE
		`password = "aaaaaaaaaaaaaaaa"`,                     // entropy
		`token: "${GITHUB_TOKEN}"`,                          // global allowlist: variables
		`api_key = "abcdefghijklmnopqrstuvwxyz"`,            // letters only, and a stopword
		`api_key = "Example9f8e7d6c5b4a3X"`,                 // a stopword, any case
		"The key, administratively speaking, is access.",    // prose
		"Keys, tokens and credentials belong in the vault.", // prose
		"secret_name = production_database_primary",         // secret_name is allowlisted
		"public_key: 9f8e7d6c5b4a39281706f5e4d3c2b1a0",      // public key
	} {
		if got := entities(r, in); len(got) != 0 {
			t.Errorf("%q: got %q", in, got)
		}
	}
}

// TestAllowlistLine: a rule allowlist that tests the whole line excuses a
// finding that, on another line, is reported.
func TestAllowlistLine(t *testing.T) {
	r := mustRedactor(t)
	const value = "id=Zq9f8e7d6c5b4a3Xw"
	if got := entities(r, "secret,"+value); len(got) != 1 || got[0] != "secret:"+value {
		t.Fatalf("control: got %q", got)
	}
	if got := entities(r, "RUN --mount=type=secret,"+value+" make"); len(got) != 0 {
		t.Errorf("allowlisted line: got %q", got)
	}
}

func TestAllowlists(t *testing.T) {
	r := mustRedactor(t)
	for _, a := range r.secrets.global {
		if a.never {
			t.Error("the global allowlist never applies")
		}
	}
	// generic-api-key's AND allowlist names paths: it cannot apply to a
	// prompt, which has none, and is marked so.
	never := 0
	for _, rule := range r.secrets.rules {
		for _, a := range rule.allow {
			if a.never {
				never++
			}
		}
	}
	if never == 0 {
		t.Error("no AND allowlist with paths was found")
	}
}

func TestShannon(t *testing.T) {
	for _, c := range []struct {
		s    string
		want float64
	}{
		{"", 0}, {"aaaa", 0}, {"ab", 1}, {"abcd", 2}, {"aabb", 1},
	} {
		if got := shannon(c.s); got != c.want {
			t.Errorf("shannon(%q) = %v, want %v", c.s, got, c.want)
		}
	}
	// Runes counted, divided by bytes, as gitleaks computes it: one rune
	// twice in four bytes.
	if got := shannon("éé"); got != 0.5 {
		t.Errorf("shannon(éé) = %v, want 0.5", got)
	}
}

func TestSecretsOnly(t *testing.T) {
	r, err := New(Options{Kinds: []Kind{Secret}})
	if err != nil {
		t.Fatal(err)
	}
	s := r.Session()
	gh := sampleSecrets()["github-pat"]
	in := "token " + gh + " for bob@example.com at 10.0.0.1"
	if got, want := s.Redact(in), "token [SECRET_1] for bob@example.com at 10.0.0.1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestGitleaksConfig pins what the redactor assumes of gitleaks' default
// configuration, so that an upgrade that changes it fails here first.
func TestGitleaksConfig(t *testing.T) {
	v := viper.New()
	v.SetConfigType("toml")
	if err := v.ReadConfig(strings.NewReader(config.DefaultConfig)); err != nil {
		t.Fatal(err)
	}
	var vc config.ViperConfig
	if err := v.Unmarshal(&vc); err != nil {
		t.Fatal(err)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	text := 0
	for id, r := range cfg.Rules {
		if len(r.RequiredRules) > 0 || r.SkipReport {
			t.Errorf("%s is composite or auxiliary: decide how to apply it (doc.go says there are none)", id)
		}
		for _, k := range r.Keywords {
			for i := 0; i < len(k); i++ {
				if k[i] >= 0x80 {
					t.Errorf("%s: keyword %q is not ASCII", id, k)
				}
			}
		}
		if r.Regex != nil && r.Path == nil {
			text++
		}
	}
	r := mustRedactor(t)
	if len(r.secrets.rules) != text || text < 200 {
		t.Errorf("%d rules kept of %d that apply to text", len(r.secrets.rules), text)
	}
}
