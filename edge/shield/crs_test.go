package shield

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/coraza/v3"
	"github.com/corazawaf/coraza/v3/debuglog"
	"github.com/corazawaf/coraza/v3/types"
)

// crsTestSetup is the CRS regression suite's required setup (rule 900005
// of its README): detection only, so every phase runs, at paranoia level
// 4, with the argument limits and UTF-8 validation the tests assume.
const crsTestSetup = `SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100,setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255,setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"`

// crsSuiteConfig is the shield's configuration the suite runs on: what
// Quire ships, at paranoia level 4 and with room for the suite's bodies.
var crsSuiteConfig = Config{ParanoiaLevel: 4, BodyLimit: 1 << 20}

// crsPassFloor is the lowest pass rate accepted.
const crsPassFloor = 0.99

// crsClient is the client address of every stage: not loopback, which
// CRS's (removed) Apache exceptions would treat specially.
const crsClient = "192.0.2.10"

// newCRSWAF compiles the shield's rules with the suite's setup.
func newCRSWAF(tb testing.TB, cfg Config) coraza.WAF {
	tb.Helper()
	d, err := directives(cfg, crsTestSetup)
	if err != nil {
		tb.Fatal(err)
	}
	waf, err := coraza.NewWAF(coraza.NewWAFConfig().WithRootFS(coreruleset.FS).
		WithDebugLogger(debuglog.Noop()).WithDirectives(d))
	if err != nil {
		tb.Fatal(err)
	}
	return waf
}

// stageLog is what the error log would show for one stage: the ids of the
// rules that logged, and their log lines (for match_regex).
type stageLog struct {
	ids   []int
	lines string
}

// runStage drives one transaction through the request phases.
func runStage(waf coraza.WAF, r rawRequest) stageLog {
	tx := waf.NewTransaction()
	defer tx.Close()
	tx.ProcessConnection(crsClient, 40000, "192.0.2.1", 80)
	tx.ProcessURI(r.uri, r.method, r.version)
	for _, h := range r.headers {
		tx.AddRequestHeader(h[0], h[1])
	}
	if host, ok := r.header("Host"); ok {
		tx.SetServerName(hostOnly(host))
	}
	tx.ProcessRequestHeaders()
	if len(r.body) > 0 {
		_, _, _ = tx.WriteRequestBody(r.body)
	}
	_, _ = tx.ProcessRequestBody()
	return logOf(tx)
}

func logOf(tx types.Transaction) stageLog {
	var l stageLog
	var lines strings.Builder
	for _, m := range tx.MatchedRules() {
		if logged(m) {
			l.ids = append(l.ids, m.Rule().ID())
			lines.WriteString(m.ErrorLog())
			lines.WriteByte('\n')
		}
	}
	l.lines = lines.String()
	return l
}

// judge reports why a stage's log fails its expectations ("" if it passes).
func judge(want ftwLog, got stageLog) string {
	for _, id := range want.ExpectIDs {
		if !slices.Contains(got.ids, id) {
			return fmt.Sprintf("expected rule %d did not log", id)
		}
	}
	for _, id := range want.NoExpectIDs {
		if slices.Contains(got.ids, id) {
			return fmt.Sprintf("rule %d logged, expected not to", id)
		}
	}
	if want.MatchRegex != "" && !regexp.MustCompile(want.MatchRegex).MatchString(got.lines) {
		return "log does not match " + want.MatchRegex
	}
	if want.NoMatchRegex != "" && regexp.MustCompile(want.NoMatchRegex).MatchString(got.lines) {
		return "log matches " + want.NoMatchRegex
	}
	return ""
}

// crsOutcome is the result of one test.
type crsOutcome struct {
	id, skip, failure string
	logs              []stageLog
}

// runCRSSuite runs every test that can be judged on all cores.
func runCRSSuite(waf coraza.WAF, cases []crsCase) []crsOutcome {
	out := make([]crsOutcome, len(cases))
	work := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range work {
				out[i] = runCRSCase(waf, cases[i])
			}
		})
	}
	for i := range cases {
		work <- i
	}
	close(work)
	wg.Wait()
	return out
}

func runCRSCase(waf coraza.WAF, c crsCase) crsOutcome {
	o := crsOutcome{id: c.id, skip: c.skip}
	if o.skip == "" && strings.HasPrefix(c.file, "RESPONSE-") {
		o.skip = "response rule: the shield inspects requests only"
	}
	if o.skip != "" {
		return o
	}
	for _, st := range c.stages {
		l := runStage(waf, st.req)
		o.logs = append(o.logs, l)
		if o.failure == "" {
			o.failure = judge(st.want, l)
		}
	}
	return o
}

// knownFailures reads testdata/crs-known-failures.txt: "<test id> <reason>"
// per line, # comments.
func knownFailures(tb testing.TB) map[string]string {
	tb.Helper()
	f, err := os.Open("testdata/crs-known-failures.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			tb.Fatalf("known failure %s has no reason", id)
		}
		known[id] = strings.TrimSpace(reason)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return known
}

// TestCRSRegression runs the CRS regression suite against the shield's
// rules. It fails when a test fails that is not a known failure, when a
// known failure passes (so the list stays honest), or when the pass rate
// drops below crsPassFloor.
func TestCRSRegression(t *testing.T) {
	t.Parallel()
	cases, err := loadCRSSuite()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	outcomes := runCRSSuite(newCRSWAF(t, crsSuiteConfig), cases)
	byID := map[string]crsOutcome{}
	for _, o := range outcomes {
		byID[o.id] = o
	}
	defer compareOnOff(t, "as written", suitePrefilter(t), cases, func(c crsCase, j int) stageLog {
		return byID[c.id].logs[j]
	})
	known := knownFailures(t)
	var passed, failed, skipped int
	skips := map[string]int{}
	for _, o := range outcomes {
		reason, isKnown := known[o.id]
		switch {
		case o.skip != "":
			skipped++
			skips[o.skip]++
			if isKnown {
				t.Errorf("%s is skipped (%s) but listed as a known failure", o.id, o.skip)
			}
		case o.failure == "":
			passed++
			if isKnown {
				t.Errorf("%s passes: remove it from the known failures (%s)", o.id, reason)
			}
		default:
			failed++
			if !isKnown {
				t.Errorf("%s fails: %s", o.id, o.failure)
			}
		}
		delete(known, o.id)
	}
	for id := range known {
		t.Errorf("known failure %s is not in the suite", id)
	}
	judged := passed + failed
	rate := float64(passed) / float64(max(judged, 1))
	t.Logf("CRS regression: passed %d/%d (%.1f%%), skipped %d, in %v", passed, judged, 100*rate, skipped, time.Since(start).Round(time.Millisecond))
	reasons := make([]string, 0, len(skips))
	for r, n := range skips {
		reasons = append(reasons, fmt.Sprintf("%4d %s", n, r))
	}
	sort.Strings(reasons)
	t.Logf("skipped:\n%s", strings.Join(reasons, "\n"))
	if rate < crsPassFloor {
		t.Errorf("pass rate %.3f below the floor %.3f", rate, crsPassFloor)
	}
}

// TestRxPreFilterLosesDetections documents why the shield keeps Coraza's
// own pre-check of regular expressions (SecRxPreFilter) off: run over the
// whole suite, it changes what some stages log. Should a Coraza release fix
// it, this test fails, and the pre-check can be reconsidered.
func TestRxPreFilterLosesDetections(t *testing.T) {
	t.Parallel()
	cases, err := loadCRSSuite()
	if err != nil {
		t.Fatal(err)
	}
	d, err := directives(crsSuiteConfig, crsTestSetup)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d, "SecRxPreFilter Off\n") {
		t.Fatal("the shield does not turn SecRxPreFilter off")
	}
	var subset []crsCase
	for _, c := range cases {
		if c.id == "932311-7" || c.id == "942220-2" {
			subset = append(subset, c)
		}
	}
	on, err := compileWAF(strings.Replace(d, "SecRxPreFilter Off\n", "SecRxPreFilter On\n", 1))
	if err != nil {
		t.Fatal(err)
	}
	with := runCRSSuite(on, subset)
	without := runCRSSuite(newCRSWAF(t, crsSuiteConfig), subset)
	lost := 0
	for i := range subset {
		if !slices.Equal(with[i].logs[0].ids, without[i].logs[0].ids) {
			lost++
			t.Logf("%s: %v with SecRxPreFilter, %v without", subset[i].id, with[i].logs[0].ids, without[i].logs[0].ids)
		}
	}
	if lost == 0 {
		t.Fatal("SecRxPreFilter no longer changes these tests: reconsider turning it on")
	}
}
