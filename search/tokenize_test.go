package search

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func terms(text string) []string {
	var out []string
	for _, tok := range Tokenize(text) {
		out = append(out, tok.Term)
	}
	return out
}

func TestTokenizeTerms(t *testing.T) {
	long := strings.Repeat("ab", 40)
	tests := []struct {
		in   string
		want []string
	}{
		{"Hello, World!", []string{"hello", "world"}},
		{"Café crème brûlée", []string{"cafe", "creme", "brulee"}},
		{"cafe\u0301 decomposed", []string{"cafe", "decomposed"}},
		{"Straße ÆON Øre Łódź", []string{"strasse", "aeon", "ore", "lodz"}},
		{"ＦＵＬＬ ｗｉｄｔｈ １２", []string{"full", "width", "12"}},
		{"ﬁle İstanbul ΣΊΣΥΦΟΣ", []string{"file", "istanbul", "σισυφοσ"}},
		{"e-mail 3.14 don't", []string{"e", "mail", "3", "14", "don", "t"}},
		{"東京都に行く", []string{"東", "京", "都", "に", "行", "く"}},
		{"abc東京def", []string{"abc", "東", "京", "def"}},
		{"한국어 텍스트", []string{"한", "국", "어", "텍", "스", "트"}},
		{"ガイド", []string{"カ\u3099", "イ", "ト\u3099"}},
		{"ｶﾞｲﾄﾞ", []string{"カ\u3099", "イ", "ト\u3099"}},
		{"שָׁלוֹם", []string{"שלום"}},
		{"snake_case", []string{"snake", "case"}},
		{"\u0301leading mark", []string{"leading", "mark"}},
		{"bad\xffutf8", []string{"bad", "utf8"}},
		{long, []string{long[:MaxTokenBytes]}},
		{"", nil},
		{"  \t\n!?", nil},
	}
	for _, tt := range tests {
		if got := terms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("Tokenize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestTokenizeRanges checks that ranges are byte ranges into the original
// text, covering the whole word even when folding changed its length.
func TestTokenizeRanges(t *testing.T) {
	text := "Le Café de l'Œuvre, cafe\u0301!"
	want := []string{"Le", "Café", "de", "l", "Œuvre", "cafe\u0301"}
	toks := Tokenize(text)
	if len(toks) != len(want) {
		t.Fatalf("got %d tokens, want %d: %+v", len(toks), len(want), toks)
	}
	for i, tok := range toks {
		if got := text[tok.Start:tok.End]; got != want[i] {
			t.Errorf("token %d covers %q, want %q", i, got, want[i])
		}
	}
	if toks[4].Term != "oeuvre" || toks[5].Term != "cafe" {
		t.Errorf("terms %q %q", toks[4].Term, toks[5].Term)
	}
}

// checkTokens asserts the tokenizer's invariants on any input.
func checkTokens(t *testing.T, text string) {
	t.Helper()
	starts := make([]bool, len(text)+1) // the offsets where decoding starts a character
	starts[len(text)] = true
	for i := range text {
		starts[i] = true
	}
	prevEnd := 0
	for _, tok := range Tokenize(text) {
		if tok.Start < prevEnd || tok.End <= tok.Start || tok.End > len(text) {
			t.Fatalf("token range [%d,%d) after %d in %d bytes", tok.Start, tok.End, prevEnd, len(text))
		}
		if !starts[tok.Start] || !starts[tok.End] {
			t.Fatalf("token range [%d,%d) not on character boundaries", tok.Start, tok.End)
		}
		if tok.Term == "" || len(tok.Term) > MaxTokenBytes || !utf8.ValidString(tok.Term) {
			t.Fatalf("bad term %q", tok.Term)
		}
		again := terms(text[tok.Start:tok.End])
		if len(again) != 1 || again[0] != tok.Term {
			t.Fatalf("range %q tokenizes to %q, want [%q]", text[tok.Start:tok.End], again, tok.Term)
		}
		if again := terms(tok.Term); len(again) != 1 || again[0] != tok.Term {
			t.Fatalf("folding is not idempotent: %q gives %q", tok.Term, again)
		}
		prevEnd = tok.End
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Café crème", "東京都", "ｶﾞｲﾄﾞ", "\u0301x\u0301", "a\xffb", "ﬁ²①", strings.Repeat("é", 40)} {
		f.Add(s)
	}
	f.Fuzz(checkTokens)
}

// TestTokenizeEveryRune checks the invariants for every character of the
// Basic Multilingual Plane and the common supplementary ranges, alone and
// next to others, where a fuzzer's random bytes seldom reach.
func TestTokenizeEveryRune(t *testing.T) {
	step := rune(1)
	if testing.Short() || raceEnabled {
		step = 13
	}
	for r := rune(0); r < 0x30000; r += step {
		if r >= 0x10000 && r < 0x1F000 && r&0xff != 0 {
			continue // sample the rarer planes
		}
		c := string(r)
		for _, s := range []string{c, c + c, "a" + c + "b", "東" + c, c + "\u0301", "ｶ" + c} {
			checkTokens(t, s)
		}
	}
}
