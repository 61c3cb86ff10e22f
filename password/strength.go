package password

import (
	"fmt"
	"math"
	"strings"
	"unicode"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/text/unicode/norm"
)

// Bounds on what zxcvbn sees: its matching is superlinear in the password
// length, and a password past 100 characters is not made weak by its tail.
const (
	strengthRunes = 100
	maxUserTokens = 32
)

// Feedback is zxcvbn's judgement of a password, for display only: it is
// advice, never a rule for accepting a password.
type Feedback struct {
	// Score is 0 (too guessable) to 4 (very unguessable).
	Score int
	// Warning names the main weakness, or is empty.
	Warning string
	// Suggestions say how to do better; empty for a strong password.
	Suggestions []string
	// CrackTime is the estimated time to guess the password offline against
	// a slow hash at 10,000 guesses per second, e.g. "3 hours".
	CrackTime string
}

// Strength estimates how guessable pw is. userInputs are words the password
// should not lean on (the user's name, email address, the site's name);
// each is also split into its words. Only the first 100 characters of the
// NFKC form of pw are judged.
func Strength(pw string, userInputs []string) Feedback {
	pw = truncate(norm.NFKC.String(truncate(pw, strengthRunes)), strengthRunes)
	r := zxcvbn.PasswordStrength(pw, userTokens(userInputs))
	f := Feedback{Score: r.Score, CrackTime: crackTime(r.Guesses / 1e4)}
	f.Warning, f.Suggestions = advise(pw, r)
	return f
}

// truncate returns the first n runes of s.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// userTokens returns each input and its words of three or more characters,
// each bounded in length and all bounded in number.
func userTokens(inputs []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.ToLower(truncate(s, strengthRunes))
		if len([]rune(s)) >= 3 && !seen[s] && len(out) < maxUserTokens {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, in := range inputs {
		add(in)
		for _, w := range strings.FieldsFunc(truncate(in, strengthRunes), notAlnum) {
			add(w)
		}
	}
	return out
}

func notAlnum(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// crackTime renders a duration in seconds in the largest whole unit.
func crackTime(seconds float64) string {
	units := []struct {
		name string
		secs float64
	}{
		{"year", 365.25 * 86400}, {"month", 30.44 * 86400}, {"day", 86400},
		{"hour", 3600}, {"minute", 60}, {"second", 1},
	}
	switch {
	case seconds < 1 || math.IsNaN(seconds):
		return "less than a second"
	case seconds >= 100*units[0].secs:
		return "centuries"
	}
	for _, u := range units {
		if n := int(math.Round(seconds / u.secs)); seconds >= u.secs && n >= 1 {
			if n == 1 {
				return "1 " + u.name
			}
			return fmt.Sprintf("%d %ss", n, u.name)
		}
	}
	return "less than a second"
}
