package password

import (
	"strings"
	"testing"
)

func TestStrengthCommonPassword(t *testing.T) {
	f := Strength("password", nil)
	if f.Score != 0 || !strings.Contains(f.Warning, "10 most common") || len(f.Suggestions) == 0 {
		t.Fatalf("Strength(password) = %+v; want score 0, a top-10 warning and suggestions", f)
	}
	if f.CrackTime != "less than a second" {
		t.Fatalf("CrackTime = %q", f.CrackTime)
	}
}

func TestStrengthStrongPassphrase(t *testing.T) {
	f := Strength("vellum-orchid-tangent-47-quarry", nil)
	if f.Score < 3 || f.Warning != "" || len(f.Suggestions) != 0 {
		t.Fatalf("Strength(passphrase) = %+v; want score >= 3 and no advice", f)
	}
	if f.CrackTime == "less than a second" {
		t.Fatalf("CrackTime = %q for a strong passphrase", f.CrackTime)
	}
}

func TestStrengthPatterns(t *testing.T) {
	for pw, want := range map[string]string{
		"asdfghjkl;'":  "Keyboard",
		"aaaaaaaaaaaa": "Repeated",
		"abcdefghijk":  "Sequences",
		"P@ssw0rd":     "close to a commonly used",
		"19/07/1989":   "Dates",
	} {
		if f := Strength(pw, nil); !strings.Contains(f.Warning, want) {
			t.Errorf("Strength(%q).Warning = %q, want it to mention %q", pw, f.Warning, want)
		}
	}
	if f := Strength("Sunshine", nil); !contains(f.Suggestions, sugCaps) {
		t.Errorf("Strength(Sunshine).Suggestions = %q, want the capitals advice", f.Suggestions)
	}
}

func TestStrengthUserInputs(t *testing.T) {
	pw := "wellingtonharrow"
	before := Strength(pw, nil)
	after := Strength(pw, []string{"Wellington Harrow", "w.harrow@example.com"})
	if after.Score >= before.Score {
		t.Fatalf("user inputs did not lower the score: %d then %d", before.Score, after.Score)
	}
	if !strings.Contains(after.Warning, "your own details") || !contains(after.Suggestions, sugPersonal) {
		t.Fatalf("Strength with user inputs = %+v; want the personal-details advice", after)
	}
}

func TestStrengthBoundedInput(t *testing.T) {
	// A long password of a common word repeated: only 100 runes are judged,
	// and the call returns (zxcvbn on 100 KB would take minutes).
	f := Strength(strings.Repeat("password", 12_500), []string{strings.Repeat("x", 1<<20)})
	if f.Score > 4 || f.Score < 0 {
		t.Fatalf("Score = %d", f.Score)
	}
	if got := truncate("héllo wörld", 4); got != "héll" {
		t.Fatalf("truncate = %q", got)
	}
	if n := len(userTokens(strings.Fields(strings.Repeat("alpha beta gamma ", 100)))); n > maxUserTokens {
		t.Fatalf("userTokens kept %d tokens, cap is %d", n, maxUserTokens)
	}
}

func TestStrengthEdgeInputs(t *testing.T) {
	if f := Strength("", nil); f.Score != 0 || len(f.Suggestions) == 0 {
		t.Fatalf("Strength(\"\") = %+v; want score 0 with suggestions", f)
	}
	if f := Strength("abc\xffdef", nil); f.Score != 0 {
		t.Fatalf("Strength(invalid UTF-8) = %+v; want score 0", f)
	}
}

func TestCrackTime(t *testing.T) {
	for secs, want := range map[float64]string{
		0: "less than a second", 0.5: "less than a second", 1: "1 second", 59: "59 seconds",
		60: "1 minute", 90: "2 minutes", 3600: "1 hour", 86400 * 3: "3 days",
		86400 * 45: "1 month", 86400 * 365.25 * 2: "2 years", 1e12: "centuries",
	} {
		if got := crackTime(secs); got != want {
			t.Errorf("crackTime(%v) = %q, want %q", secs, got, want)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// FuzzStrength checks that Strength never panics and keeps Score in range.
func FuzzStrength(f *testing.F) {
	f.Add("P@ssw0rd1989", "alice@example.com")
	f.Add("\ufb03\u0301\xff", "")
	f.Fuzz(func(t *testing.T, pw, input string) {
		if s := Strength(pw, []string{input}).Score; s < 0 || s > 4 {
			t.Fatalf("Score = %d", s)
		}
	})
}
