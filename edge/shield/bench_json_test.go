package shield

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// jsonNote is a realistic note as the editor saves it: about 1.9 KB of
// Markdown with headings, a list, apostrophes, punctuation, a link, a code
// span and bold text. The full rules find nothing in it (checked by
// BenchmarkInspectJSON).
const jsonNote = "## Weekly sync, 14 March\n\n" +
	"We're shipping the editor fix on Thursday. Sam's review of the Q1 numbers is done (see the [dashboard](https://quire.example.com/notes/q1-review)), " +
	"and we agreed to turn the `autosave` flag on by default once the last two bugs are closed.\n\n" +
	"### Decisions\n\n" +
	"- Ship the editor fix, then keep an eye on the error rate for a day before the announcement goes out.\n" +
	"- Review the on-call rota: it's uneven, and two people carry most of the weekend shifts.\n" +
	"- Plan the Q2 offsite; the budget is 4,000 EUR, travel included, and we'd like it to be somewhere reachable by train.\n" +
	"- Move the weekly sync to Tuesdays at 10:30, starting next month.\n\n" +
	"### Open questions\n\n" +
	"Should the mobile app get the same editor? Who owns the import tool now that Lea's moved teams? " +
	"Nobody wants to drop it, but nobody can take it on either. Priya suggested we write down what it does today, " +
	"what breaks most often and what customers ask for, and decide in two weeks with that in hand.\n\n" +
	"### Notes from the customer calls\n\n" +
	"Three customers asked for shared folders with read-only members. Two of them also want an audit trail of who opened which note, " +
	"which we already keep but don't show. One asked whether notes can be exported as plain Markdown files with their attachments; " +
	"the answer is yes, from the workspace settings, but the option is hard to find and we should link it from the help page.\n\n" +
	"### Hiring\n\n" +
	"The backend role is open again: the candidate we liked took another offer. Marco will rewrite the posting so it says plainly " +
	"what the first three months look like, and we'll ask the two finalists from the last round whether they're still interested. " +
	"Interviews stay at four steps; the take-home task is optional and paid.\n\n" +
	"Action items are in the tracker. For the next sync, please bring the numbers for the **support backlog** and the hiring plan. " +
	"Thanks, everyone!\n"

// jsonHostile is a note of the same size made of attack payloads.
var jsonHostile = strings.Repeat("x' OR 1=1-- <script>alert(document.cookie)</script> ; cat /etc/passwd ../../etc/shadow ${jndi:ldap://x/a} ", 20)[:len(jsonNote)]

// jsonPost returns a same-origin JSON save of a note with content.
func jsonPost(tb testing.TB, content string) func() *http.Request {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"title": "Weekly sync", "content": content, "isPinned": false})
	if err != nil {
		tb.Fatal(err)
	}
	r := req("POST", "/api/v1/folders", string(body), apiHeaders...)
	return func() *http.Request {
		r.Body = io.NopCloser(bytes.NewReader(body))
		return r
	}
}

// BenchmarkInspectJSON measures a JSON note save, realistic and hostile,
// against bare Coraza with the CRS (x-baseline, lower is better). The
// pre-filter does not judge bodies, so both run the full rules; see
// BenchmarkJSONFloor for why no pre-filter of prose bodies can be 3 times
// faster.
func BenchmarkInspectJSON(b *testing.B) {
	variants := []struct {
		name string
		s    *Shield
	}{
		{"baseline-bare-crs", bareCRS(b)},
		{"shield-no-prefilter", mustShield(b, Config{}, false)},
		{"shield", mustShield(b, Config{}, true)},
	}
	for _, c := range []struct {
		name    string
		content string
		blocked bool
	}{{"note-2k", jsonNote, false}, {"hostile-2k", jsonHostile, true}} {
		mk := jsonPost(b, c.content)
		if v := variants[2].s.Inspect(mk(), ""); v.Blocked != c.blocked || !c.blocked && len(v.RuleIDs) != 0 {
			b.Fatalf("%s: %+v", c.name, v)
		}
		var base float64
		for _, v := range variants {
			b.Run(c.name+"/"+v.name, func(b *testing.B) {
				for b.Loop() {
					sinkVerdict = v.s.Inspect(mk(), "")
				}
				if v.name == "baseline-bare-crs" {
					base = perOp(b)
				} else if base > 0 {
					b.ReportMetric(perOp(b)/base, "x-baseline")
				}
			})
		}
	}
}

// floorGrammar is the plainest prose there is: lower-case words separated
// by single spaces. Every grammar a note could fit contains it.
const floorGrammar = `[a-z]+(?: [a-z]+)*`

// floorRules are the detection rules the analysis proves can match some
// ARGS value of floorGrammar, exactly: single-link rules whose operator is
// a regular expression, whose transformations leave the grammar's bytes
// unchanged, and for which the product automaton finds an accepting path.
// Since the analysis is monotone in the grammar, a pre-filter of JSON
// bodies by any grammar that admits prose keeps at least these rules.
func floorRules(tb testing.TB) []int {
	tb.Helper()
	rules, err := readCRSRules()
	if err != nil {
		tb.Fatal(err)
	}
	a := newAnalyzer()
	alpha := []byte(" abcdefghijklmnopqrstuvwxyz")
	var live []int
	for _, r := range rules {
		l := r.links[0]
		op := parseOperator(l.op)
		if r.pl != DefaultParanoiaLevel || len(r.links) != 1 || op.re == "" || op.negated ||
			!slices.Contains(splitTargets(l.vars), "ARGS") {
			continue
		}
		m, ok := modelFor(l.transforms, alpha)
		if !ok || slices.ContainsFunc(alpha, func(c byte) bool { return !slices.Equal(m[c], []string{string(rune(c))}) }) {
			continue
		}
		if fires, why := a.canFire(floorGrammar, l.transforms, op); fires && strings.HasPrefix(why, "matches ") {
			live = append(live, r.id)
		}
	}
	return live
}

// BenchmarkJSONFloor measures, on the realistic note, the rules no
// pre-filter of prose bodies can drop (floorRules) run alone: no other
// detection rule, not even on the headers. Its x-baseline is a lower bound
// for any such pre-filter; above 1/3, a 3-fold gain is out of its reach.
func BenchmarkJSONFloor(b *testing.B) {
	live := floorRules(b)
	keep := map[int]bool{}
	for _, id := range live {
		keep[id] = true
	}
	rules, err := readCRSRules()
	if err != nil {
		b.Fatal(err)
	}
	var drop []string
	for _, r := range rules {
		if r.pl > 0 && !keep[r.id] {
			drop = append(drop, strconv.Itoa(r.id))
		}
	}
	d, err := Directives(Config{})
	if err != nil {
		b.Fatal(err)
	}
	waf, err := compileWAF(d + "\n" + removal(drop))
	if err != nil {
		b.Fatal(err)
	}
	ref := mustShield(b, Config{}, false)
	floor := &Shield{cfg: ref.cfg, waf: waf, logger: ref.logger, clock: ref.clock}
	b.Logf("%d rules no prose grammar can drop: %v", len(live), live)
	mk := jsonPost(b, jsonNote)
	var base float64
	for _, v := range []struct {
		name string
		s    *Shield
	}{{"baseline-bare-crs", bareCRS(b)}, {"floor-rules-only", floor}} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				sinkVerdict = v.s.Inspect(mk(), "")
			}
			if v.name == "baseline-bare-crs" {
				base = perOp(b)
			} else if base > 0 {
				b.ReportMetric(perOp(b)/base, "x-baseline")
			}
		})
	}
}
