package redact

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestKeywordMatcher(t *testing.T) {
	words := []string{"key", "api", "he", "she", "his", "hers", "sk_live", "-----begin", "a3t", "ey"}
	lens := make([]int, len(words))
	for i, w := range words {
		lens[i] = len(w)
	}
	m := newKeywordMatcher(words)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		s := randString(rng, "hHeErsSkKyYaApPi_-lvb3tB ", rng.IntN(40))
		at := make([][]int, len(words))
		m.scan(s, lens, at)
		lower := strings.ToLower(s)
		for id, w := range words {
			var want []int
			for i := 0; i+len(w) <= len(lower); i++ {
				if lower[i:i+len(w)] == w {
					want = append(want, i)
				}
			}
			if !slices.Equal(at[id], want) {
				t.Fatalf("%q in %q: got %v, want %v", w, s, at[id], want)
			}
		}
	}
}

func TestAnalyse(t *testing.T) {
	for _, c := range []struct {
		src      string
		keywords []string
		want     window
		ok       bool
	}{
		{`(?i)[\w.-]{0,50}?(?:key|token)[ \t]{0,5}=([a-z0-9]{10,})`, []string{"key", "token"}, window{pre: 55, blk: 5, rest: 16, runs: 1}, true},
		{`\b(ghp_[0-9a-zA-Z]{36})\b`, []string{"ghp_"}, window{pre: 4, blk: 4, rest: 36}, true},
		// Through an alternation whose branches each have a block.
		{`\b((?:hvs\.[\w-]{90,120}|s\.[a-z0-9]{24}))`, []string{"hvs.", "s."}, window{pre: 4, blk: 4, rest: 120}, true},
		// A block of several elements (the parser factors "A(?:KIA|SIA)").
		{`\b((?:AKIA|ASIA)[A-Z2-7]{16})\b`, []string{"akia", "asia"}, window{pre: 4, blk: 4, rest: 16}, true},
		// Keyword not in every branch of the block.
		{`(?:key|foo)=\w{8}`, []string{"key"}, window{}, false},
		// Unbounded repeat before the block.
		{`\w+key=\w{8}`, []string{"key"}, window{}, false},
		// Unbounded repeat that can cross white space.
		{`key=[\s\S]{8,}`, []string{"key"}, window{}, false},
		{`key=.*`, []string{"key"}, window{}, false},
		// No keyword at all.
		{`[a-f0-9]{40}`, []string{"sha"}, window{}, false},
	} {
		got, ok := analyse(c.src, c.keywords)
		if ok != c.ok || got != c.want {
			t.Errorf("analyse(%q) = %+v, %v; want %+v, %v", c.src, got, ok, c.want, c.ok)
		}
	}
}

// TestWindowsMatchWholeText checks that windowed rules find exactly what
// a pass of every rule over the whole text finds, on texts dense with
// keywords, assignments, tokens, white space and sample secrets.
func TestWindowsMatchWholeText(t *testing.T) {
	r := mustRedactor(t)
	sc := r.secrets
	windowed := 0
	for _, rule := range sc.rules {
		if rule.windowed {
			windowed++
		}
	}
	if windowed < len(sc.rules)*3/4 {
		t.Errorf("only %d of %d rules are windowed", windowed, len(sc.rules))
	}
	var samples []string
	for _, s := range sampleSecrets() {
		samples = append(samples, s)
	}
	slices.Sort(samples)
	rng := rand.New(rand.NewPCG(3, 4))
	pieces := func() string {
		switch rng.IntN(12) {
		case 0, 1:
			w := sc.words[rng.IntN(len(sc.words))]
			if rng.IntN(2) == 0 {
				w = strings.ToUpper(w)
			}
			return w
		case 2:
			return []string{" = ", "=", ": ", ":=", " => ", ",", "\t", "\n", `"`, "'", "`", ";", "\\n", "_", "-", "."}[rng.IntN(16)]
		case 3:
			return randString(rng, alnum, 8+rng.IntN(60))
		case 4:
			return randString(rng, b64, 10+rng.IntN(200))
		case 5:
			return randString(rng, "0123456789abcdef", 8+rng.IntN(64))
		case 6:
			return samples[rng.IntN(len(samples))]
		case 7:
			return "é" + randString(rng, alnum, 20) + "ſK"
		default:
			return []string{" the ", " key points ", " access ", " token ", " secret ", " api ", " password ", " ", "  ", "\n"}[rng.IntN(10)]
		}
	}
	texts := 250
	if testing.Short() {
		texts = 50
	}
	found := 0
	for n := range texts {
		var b strings.Builder
		for b.Len() < 200+n*5 {
			b.WriteString(pieces())
		}
		s := b.String()
		got := resolveAll(sc.find(s, nil, false))
		want := resolveAll(sc.find(s, nil, true))
		if !slices.Equal(got, want) {
			t.Fatalf("windowed and whole-text passes differ on %q:\n got %v\nwant %v", s, got, want)
		}
		found += len(want)
	}
	if found < texts {
		t.Errorf("only %d findings: the generator does not exercise the rules", found)
	}
}

// resolveAll sorts spans for comparison, keeping duplicates.
func resolveAll(c []span) []span {
	slices.SortFunc(c, func(a, b span) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if a.end != b.end {
			return a.end - b.end
		}
		return int(a.prio) - int(b.prio)
	})
	return c
}
