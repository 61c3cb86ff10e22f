package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// maxHeldOutput bounds the output kept per running test. Skip messages come
// first, so a cap costs nothing in practice and keeps a chatty test from
// holding the whole log in memory.
const maxHeldOutput = 64 << 10

// event is one line of `go test -json` (see `go doc test2json`).
type event struct {
	Action     string
	Package    string
	ImportPath string // set instead of Package on build events
	Test       string
	Output     string
}

// Rules say which outcomes fail the run beyond failing tests.
type Rules struct {
	// ForbidSkip fails the run when a skipped test's output, or any
	// package-level output (a TestMain that bows out), matches one of them.
	ForbidSkip []*regexp.Regexp
	// RequirePass fails the run unless, for each pattern, at least one
	// passed test whose "package.Test/sub" name matches it. Only tests
	// without subtests count: a parent passes even when every subtest
	// skipped, so its pass proves nothing ran.
	RequirePass []*regexp.Regexp
}

// Report is what a run of `go test -json` amounted to.
type Report struct {
	Passed, Failed, Skipped int
	// FailedTests and FailedPackages name what failed, for the closing lines.
	FailedTests, FailedPackages []string
	// ForbiddenSkips names each test (or package) a ForbidSkip rule caught.
	ForbiddenSkips []string
	// MissingPasses lists each RequirePass pattern no passed test matched.
	MissingPasses []string
}

// OK reports whether nothing failed and every rule held.
func (r Report) OK() bool {
	return r.Failed == 0 && len(r.FailedPackages) == 0 &&
		len(r.ForbiddenSkips) == 0 && len(r.MissingPasses) == 0
}

// Gate consumes `go test -json` line by line. It writes each line's text
// to Text (so the console reads like `go test -v`), each valid event line to
// JSON, and tallies the outcome against its Rules.
type Gate struct {
	Rules Rules
	Text  io.Writer
	JSON  io.Writer

	held     map[string]*strings.Builder
	parents  map[string]bool
	hits     []bool
	seenSkip map[string]bool
	rep      Report
}

// Line processes one line of input, without its trailing newline. A line
// that is not a test event (stderr of the go command, say) is echoed as is.
func (g *Gate) Line(line []byte) error {
	var ev event
	trimmed := bytes.TrimSpace(line)
	if len(trimmed) == 0 || trimmed[0] != '{' || json.Unmarshal(trimmed, &ev) != nil || ev.Action == "" {
		return g.text(string(line) + "\n")
	}
	if g.JSON != nil {
		if _, err := g.JSON.Write(append(trimmed, '\n')); err != nil {
			return fmt.Errorf("write json log: %w", err)
		}
	}
	if ev.Output != "" {
		if err := g.text(ev.Output); err != nil {
			return err
		}
	}
	g.observe(ev)
	return nil
}

func (g *Gate) text(s string) error {
	if g.Text == nil {
		return nil
	}
	if _, err := io.WriteString(g.Text, s); err != nil {
		return fmt.Errorf("write text log: %w", err)
	}
	return nil
}

// observe updates the tallies for one event.
func (g *Gate) observe(ev event) {
	if g.held == nil {
		g.held = map[string]*strings.Builder{}
		g.parents = map[string]bool{}
		g.seenSkip = map[string]bool{}
		g.hits = make([]bool, len(g.Rules.RequirePass))
	}
	if ev.Package == "" {
		ev.Package = ev.ImportPath
	}
	name := ev.Package
	if ev.Test != "" {
		name += "." + ev.Test
	}
	switch ev.Action {
	case "run":
		// Mark every ancestor; a subtest name may itself hold a slash.
		for i := range len(ev.Test) {
			if ev.Test[i] == '/' {
				g.parents[ev.Package+"."+ev.Test[:i]] = true
			}
		}
	case "output", "build-output":
		g.output(ev, name)
	case "pass", "fail", "skip":
		if ev.Test == "" {
			if ev.Action == "fail" {
				g.rep.FailedPackages = append(g.rep.FailedPackages, ev.Package)
			}
			return
		}
		g.finish(ev.Action, name)
	}
}

func (g *Gate) output(ev event, name string) {
	if ev.Test == "" {
		if g.forbidden(ev.Output) {
			g.flag(ev.Package)
		}
		return
	}
	b := g.held[name]
	if b == nil {
		b = &strings.Builder{}
		g.held[name] = b
	}
	if b.Len() < maxHeldOutput {
		b.WriteString(ev.Output)
	}
}

func (g *Gate) finish(action, name string) {
	out := ""
	if b := g.held[name]; b != nil {
		out = b.String()
		delete(g.held, name)
	}
	switch action {
	case "pass":
		g.rep.Passed++
		if g.parents[name] {
			delete(g.parents, name)
			return
		}
		for i, re := range g.Rules.RequirePass {
			if re.MatchString(name) {
				g.hits[i] = true
			}
		}
	case "fail":
		delete(g.parents, name)
		g.rep.Failed++
		g.rep.FailedTests = append(g.rep.FailedTests, name)
	case "skip":
		delete(g.parents, name)
		g.rep.Skipped++
		if g.forbidden(out) {
			g.flag(name)
		}
	}
}

func (g *Gate) forbidden(s string) bool {
	for _, re := range g.Rules.ForbidSkip {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func (g *Gate) flag(name string) {
	if !g.seenSkip[name] {
		g.seenSkip[name] = true
		g.rep.ForbiddenSkips = append(g.rep.ForbiddenSkips, name)
	}
}

// Report returns the outcome so far, with RequirePass evaluated.
func (g *Gate) Report() Report {
	rep := g.rep
	rep.MissingPasses = nil
	for i, re := range g.Rules.RequirePass {
		if g.hits == nil || !g.hits[i] {
			rep.MissingPasses = append(rep.MissingPasses, re.String())
		}
	}
	for _, s := range [][]string{rep.FailedTests, rep.FailedPackages, rep.ForbiddenSkips} {
		sort.Strings(s)
	}
	return rep
}

// WriteSummary prints the closing lines: what broke, then one line of
// counts in the form CI log readers recognise.
func (r Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	for _, t := range r.FailedTests {
		fmt.Fprintf(&b, "testgate: FAIL %s\n", t)
	}
	for _, p := range r.FailedPackages {
		fmt.Fprintf(&b, "testgate: FAIL package %s\n", p)
	}
	for _, s := range r.ForbiddenSkips {
		fmt.Fprintf(&b, "testgate: forbidden skip in %s (a suite that must run did not)\n", s)
	}
	for _, p := range r.MissingPasses {
		fmt.Fprintf(&b, "testgate: no passed test matches %q (the suite did not run)\n", p)
	}
	fmt.Fprintf(&b, "testgate: %d passed, %d failed, %d skipped\n", r.Passed, r.Failed, r.Skipped)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return nil
}
