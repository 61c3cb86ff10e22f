package trust

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"
)

// claimsMD is CLAIMS.md, which lives beside the repository in the shared
// project folder; the comparison is skipped where it is absent.
const claimsMD = "../../shared/CLAIMS.md"

type mdClaim struct{ id, section, text string }

var claimLine = regexp.MustCompile(`^- \*\*([A-Z0-9]+-[0-9]+)\*\* (.*)$`)

// parseClaimsMD reads every "- **ID** text" item with its continuation
// lines, joined by single spaces, and the "## Section" it is under.
func parseClaimsMD(t *testing.T, path string) []mdClaim {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []mdClaim
	section, open := "", false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch m := claimLine.FindStringSubmatch(line); {
		case strings.HasPrefix(line, "## "):
			section, open = strings.TrimPrefix(line, "## "), false
		case m != nil:
			out, open = append(out, mdClaim{m[1], section, m[2]}), true
		case open && strings.HasPrefix(line, "  ") && strings.TrimSpace(line) != "":
			out[len(out)-1].text += " " + strings.TrimSpace(line)
		default:
			open = false
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestClaimsMatchCLAIMSmd(t *testing.T) {
	if _, err := os.Stat(claimsMD); err != nil {
		t.Skipf("CLAIMS.md not found at %s (%v): the registry cannot be compared with it here", claimsMD, err)
	}
	want := parseClaimsMD(t, claimsMD)
	got := Claims()
	if len(want) == 0 {
		t.Fatal("parsed no claims from CLAIMS.md: the parser no longer matches its format")
	}
	for i := range max(len(want), len(got)) {
		switch {
		case i >= len(got):
			t.Errorf("claim %s is in CLAIMS.md but not in the registry", want[i].id)
		case i >= len(want):
			t.Errorf("claim %s is in the registry but not in CLAIMS.md", got[i].ID)
		case got[i].ID != want[i].id:
			t.Errorf("claim %d: registry has %s, CLAIMS.md has %s (same IDs, same order)", i, got[i].ID, want[i].id)
		default:
			if got[i].Section != want[i].section {
				t.Errorf("%s: section %q, CLAIMS.md says %q", got[i].ID, got[i].Section, want[i].section)
			}
			if got[i].Text != want[i].text {
				t.Errorf("%s: text differs from CLAIMS.md\nregistry: %s\nCLAIMS.md: %s", got[i].ID, got[i].Text, want[i].text)
			}
		}
	}
}

func TestRegistryShape(t *testing.T) {
	implemented := map[string]bool{"ENC-1": true, "ENC-2": true, "TLS-1": true, "ISO-1": true, "AI-5": true, "HDR-1": true,
		"ACC-1": true, "ACC-2": true, "ACC-3": true, "ACC-4": true, "ACC-5": true, "DOS-1": true, "RL-1": true, "BOT-1": true, "WAF-1": true,
		"TLS-2": true, "AI-1": true, "AI-2": true, "AI-3": true, "AI-4": true, "VDP-1": true, "SUB-1": true, "CCPA-1": true, "GDPR-3": true, "GDPR-1": true, "GDPR-2": true}
	idShape := regexp.MustCompile(`^[A-Z]+-[0-9]+$`)
	seen := map[string]bool{}
	for _, c := range Claims() {
		if !idShape.MatchString(c.ID) || seen[c.ID] {
			t.Errorf("claim ID %q is malformed or repeated", c.ID)
		}
		seen[c.ID] = true
		if c.Section == "" || c.Title == "" || c.Text == "" {
			t.Errorf("%s: section, title and text are all required", c.ID)
		}
		if (c.Check != nil) != implemented[c.ID] {
			t.Errorf("%s: has check = %t, want %t", c.ID, c.Check != nil, implemented[c.ID])
		}
		if (c.Verify != "") != (c.Check != nil) {
			t.Errorf("%s: a claim describes how it is verified exactly when it has a check", c.ID)
		}
	}
	if len(seen) != 31 {
		t.Errorf("registry holds %d claims, want the 31 of CLAIMS.md", len(seen))
	}
}

func TestClaimsReturnsCopy(t *testing.T) {
	c := Claims()
	c[0].ID = "changed"
	if Claims()[0].ID == "changed" {
		t.Fatal("Claims returned the registry itself; callers could change it")
	}
}
