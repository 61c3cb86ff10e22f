package redact

import (
	"testing"
	"time"
)

func TestScratchFollow(t *testing.T) {
	r := mustRedactor(t)
	n := 0
	for _, rule := range r.secrets.rules {
		if rule.follow != nil {
			n++
		}
		if len(rule.re.String()) > 60 && rule.re.String()[:60] == `(?i)[\w.-]{0,50}?(?:access|auth|(?-i:[Aa]pi|API)|credential|c` {
			t.Logf("generic follow=%+v win=%+v", rule.follow, rule.win)
		}
	}
	t.Logf("followers %d of %d", n, len(r.secrets.rules))
	text := benchProse(nil, 32<<10)
	sc := r.secrets
	at := make([][]int, len(sc.byWord))
	sc.keywords.scan(text, sc.wordLen, at)
	for i := range sc.rules {
		rr := &sc.rules[i]
		t0 := time.Now()
		cnt := 0
		var starts []int
		for _, w := range rr.words {
			for _, k := range at[w] {
				cnt++
				if rr.follow == nil || rr.follow.ok(text, k+sc.wordLen[w]) {
					starts = append(starts, k)
				}
			}
		}
		if cnt == 0 {
			continue
		}
		cover := 0
		if !rr.windowed {
			rr.find(text, 0, len(text), sc.global, nil)
			cover = -len(text)
		} else {
			for _, w := range rr.win.windows(text, starts, nil) {
				rr.find(text, w[0], w[1], sc.global, nil)
				cover += w[1] - w[0]
			}
		}
		if d := time.Since(t0); d > 5*time.Microsecond {
			t.Logf("%v occ=%d kept=%d cover=%d %.70s", d, cnt, len(starts), cover, rr.re.String())
		}
	}
}

func TestScratchTime(t *testing.T) {
	r := mustRedactor(t)
	text := benchProse(nil, 32<<10)
	for range 3 {
		t0 := time.Now()
		r.secrets.find(text, nil, false)
		t1 := time.Now()
		r.find(text)
		t2 := time.Now()
		t.Logf("secrets %v, find %v", t1.Sub(t0), t2.Sub(t1))
	}
}

func BenchmarkScratchSecrets(b *testing.B) {
	r := mustRedactor(b)
	text := benchProse(nil, 32<<10)
	for range b.N {
		r.secrets.find(text, nil, false)
	}
}
func BenchmarkScratchScan(b *testing.B) {
	r := mustRedactor(b)
	sc := r.secrets
	text := benchProse(nil, 32<<10)
	for range b.N {
		at := make([][]int, len(sc.byWord))
		sc.keywords.scan(text, sc.wordLen, at)
	}
}
