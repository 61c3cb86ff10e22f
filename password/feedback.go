package password

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/match"
)

// Advice shown by Strength. The wording is ours; the rules follow the
// pattern zxcvbn found to be the weakest part of the password.
const (
	sugWords     = "Use a few uncommon words together; length beats symbols."
	sugNoPattern = "Avoid keyboard patterns, sequences, repeats and dates."
	sugCaps      = "Capitals at the start or everywhere add little."
	sugReversed  = "Spelling a word backwards adds little."
	sugLeet      = "Predictable swaps like '@' for 'a' add little."
	sugPersonal  = "Leave out your name, email address and other personal details."
)

// advise returns the warning and suggestions for a zxcvbn result.
func advise(pw string, r zxcvbn.Result) (string, []string) {
	if pw == "" {
		return "", []string{sugWords, sugNoPattern}
	}
	if r.Score >= 3 || len(r.Sequence) == 0 {
		return "", nil
	}
	m := longest(r.Sequence)
	warning, extra := patternAdvice(m, len(r.Sequence) == 1)
	return warning, append([]string{sugWords}, extra...)
}

// longest returns the match that covers most of the password.
func longest(seq []*match.Match) *match.Match {
	best := seq[0]
	for _, m := range seq[1:] {
		if len(m.Token) > len(best.Token) {
			best = m
		}
	}
	return best
}

func patternAdvice(m *match.Match, sole bool) (string, []string) {
	switch m.Pattern {
	case "dictionary":
		return dictionaryAdvice(m, sole)
	case "spatial":
		return "Keyboard patterns like qwerty or zxcvb are easy to guess.", []string{sugNoPattern}
	case "repeat":
		return "Repeated characters or words are easy to guess.", []string{sugNoPattern}
	case "sequence":
		return "Sequences like abc or 6543 are easy to guess.", []string{sugNoPattern}
	case "regex", "date":
		return "Dates and recent years are easy to guess.", []string{sugNoPattern}
	}
	return "", nil
}

func dictionaryAdvice(m *match.Match, sole bool) (string, []string) {
	var warning string
	switch m.DictionaryName {
	case "passwords":
		warning = commonPasswordWarning(m, sole)
	case "english_wikipedia", "us_tv_and_film":
		if sole {
			warning = "A single word is easy to guess."
		}
	case "surnames", "male_names", "female_names":
		warning = "Names and surnames are easy to guess."
	case "user_inputs":
		warning = "This contains your own details."
		return warning, []string{sugPersonal}
	}
	return warning, wordSuggestions(m)
}

func commonPasswordWarning(m *match.Match, sole bool) string {
	switch {
	case !sole || m.L33t || m.Reversed:
		return "This is close to a commonly used password."
	case m.Rank <= 10:
		return "This is one of the 10 most common passwords."
	case m.Rank <= 100:
		return "This is one of the 100 most common passwords."
	}
	return "This is a commonly used password."
}

// wordSuggestions explains why a disguised dictionary word stays weak.
func wordSuggestions(m *match.Match) []string {
	var s []string
	if capitalised(m.Token) {
		s = append(s, sugCaps)
	}
	if m.Reversed {
		s = append(s, sugReversed)
	}
	if m.L33t {
		s = append(s, sugLeet)
	}
	return s
}

// capitalised reports a token that is all capitals or starts with one.
func capitalised(tok string) bool {
	first, _ := utf8.DecodeRuneInString(tok)
	return unicode.IsUpper(first) || (strings.ToUpper(tok) == tok && strings.ToLower(tok) != tok)
}
