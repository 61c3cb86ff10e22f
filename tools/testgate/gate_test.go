package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Recorded with `go test -json` (go1.27.3) on a throwaway module:
// skipped.jsonl: package other has TestOK (pass), TestBad (fail) and
// TestRedis (skips naming QUIRE_TEST_REDIS_URL); package postgres has
// TestStore, whose only subtest skips naming QUIRE_TEST_POSTGRES_URL, so the
// parent passes. ran.jsonl: the same postgres package with the variable set.
// buildfail.jsonl: a package whose test does not compile.

var (
	forbidBoth   = regexp.MustCompile(`QUIRE_TEST_(POSTGRES|REDIS)_URL`)
	forbidPG     = regexp.MustCompile(`QUIRE_TEST_POSTGRES_URL`)
	needPostgres = regexp.MustCompile(`(?i)postgres`)
	needRedis    = regexp.MustCompile(`(?i)redis`)
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func runGate(t *testing.T, rules Rules, input []byte) (Report, string, string) {
	t.Helper()
	var text, js bytes.Buffer
	g := &Gate{Rules: rules, Text: &text, JSON: &js}
	if err := feed(g, bytes.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	return g.Report(), text.String(), js.String()
}

func TestGateFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		rules   Rules
		want    Report
	}{
		{
			name:    "skips and a failure, no rules",
			fixture: "skipped.jsonl",
			want: Report{
				Passed: 2, Failed: 1, Skipped: 2,
				FailedTests:    []string{"example.com/tg/other.TestBad"},
				FailedPackages: []string{"example.com/tg/other"},
			},
		},
		{
			name:    "forbidden skips are named, parent pass does not satisfy require-pass",
			fixture: "skipped.jsonl",
			rules:   Rules{ForbidSkip: []*regexp.Regexp{forbidBoth}, RequirePass: []*regexp.Regexp{needPostgres}},
			want: Report{
				Passed: 2, Failed: 1, Skipped: 2,
				FailedTests:    []string{"example.com/tg/other.TestBad"},
				FailedPackages: []string{"example.com/tg/other"},
				ForbiddenSkips: []string{"example.com/tg/other.TestRedis", "example.com/tg/postgres.TestStore/notes"},
				MissingPasses:  []string{"(?i)postgres"},
			},
		},
		{
			name:    "forbid only postgres",
			fixture: "skipped.jsonl",
			rules:   Rules{ForbidSkip: []*regexp.Regexp{forbidPG}},
			want: Report{
				Passed: 2, Failed: 1, Skipped: 2,
				FailedTests:    []string{"example.com/tg/other.TestBad"},
				FailedPackages: []string{"example.com/tg/other"},
				ForbiddenSkips: []string{"example.com/tg/postgres.TestStore/notes"},
			},
		},
		{
			name:    "suite ran",
			fixture: "ran.jsonl",
			rules:   Rules{ForbidSkip: []*regexp.Regexp{forbidBoth}, RequirePass: []*regexp.Regexp{needPostgres}},
			want:    Report{Passed: 2},
		},
		{
			name:    "suite ran but another required one did not",
			fixture: "ran.jsonl",
			rules:   Rules{RequirePass: []*regexp.Regexp{needPostgres, needRedis}},
			want:    Report{Passed: 2, MissingPasses: []string{"(?i)redis"}},
		},
		{
			name:    "build failure",
			fixture: "buildfail.jsonl",
			want:    Report{FailedPackages: []string{"example.com/tg/broken"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _ := runGate(t, tt.rules, readFixture(t, tt.fixture))
			assertReport(t, got, tt.want)
			if got.OK() != tt.want.OK() {
				t.Errorf("OK() = %v, want %v", got.OK(), tt.want.OK())
			}
		})
	}
}

func assertReport(t *testing.T, got, want Report) {
	t.Helper()
	if got.Passed != want.Passed || got.Failed != want.Failed || got.Skipped != want.Skipped {
		t.Errorf("counts = %d/%d/%d passed/failed/skipped, want %d/%d/%d",
			got.Passed, got.Failed, got.Skipped, want.Passed, want.Failed, want.Skipped)
	}
	for _, f := range []struct {
		name      string
		got, want []string
	}{
		{"FailedTests", got.FailedTests, want.FailedTests},
		{"FailedPackages", got.FailedPackages, want.FailedPackages},
		{"ForbiddenSkips", got.ForbiddenSkips, want.ForbiddenSkips},
		{"MissingPasses", got.MissingPasses, want.MissingPasses},
	} {
		if !slices.Equal(f.got, f.want) {
			t.Errorf("%s = %q, want %q", f.name, f.got, f.want)
		}
	}
}

func TestGateInlineEvents(t *testing.T) {
	const pkg = `"Package":"example.com/q/postgres"`
	tests := []struct {
		name  string
		lines []string
		want  Report
	}{
		{
			name: "TestMain bows out at package level",
			lines: []string{
				`{"Action":"start",` + pkg + `}`,
				`{"Action":"output",` + pkg + `,"Output":"postgres: set QUIRE_TEST_POSTGRES_URL=... to run\n"}`,
				`{"Action":"output",` + pkg + `,"Output":"ok  \texample.com/q/postgres\t0.01s [no tests to run]\n"}`,
				`{"Action":"pass",` + pkg + `}`,
			},
			want: Report{ForbiddenSkips: []string{"example.com/q/postgres"}, MissingPasses: []string{"(?i)postgres"}},
		},
		{
			name: "non-JSON lines are tolerated",
			lines: []string{
				`go: downloading example.com/dep v1.0.0`,
				`{not json`,
				`{"Action":"run",` + pkg + `,"Test":"TestPing"}`,
				`{"Action":"pass",` + pkg + `,"Test":"TestPing"}`,
			},
			want: Report{Passed: 1},
		},
		{
			name: "slash inside a subtest name still marks the top test as a parent",
			lines: []string{
				`{"Action":"run",` + pkg + `,"Test":"TestX"}`,
				`{"Action":"run",` + pkg + `,"Test":"TestX/a/b"}`,
				`{"Action":"output",` + pkg + `,"Test":"TestX/a/b","Output":"skip: set QUIRE_TEST_POSTGRES_URL\n"}`,
				`{"Action":"skip",` + pkg + `,"Test":"TestX/a/b"}`,
				`{"Action":"pass",` + pkg + `,"Test":"TestX"}`,
			},
			want: Report{
				Passed: 1, Skipped: 1,
				ForbiddenSkips: []string{"example.com/q/postgres.TestX/a/b"},
				MissingPasses:  []string{"(?i)postgres"},
			},
		},
		{
			name: "a failing parent is not a pass",
			lines: []string{
				`{"Action":"run",` + pkg + `,"Test":"TestY"}`,
				`{"Action":"fail",` + pkg + `,"Test":"TestY"}`,
				`{"Action":"fail",` + pkg + `}`,
			},
			want: Report{
				Failed: 1, FailedTests: []string{"example.com/q/postgres.TestY"},
				FailedPackages: []string{"example.com/q/postgres"},
				MissingPasses:  []string{"(?i)postgres"},
			},
		},
	}
	rules := Rules{ForbidSkip: []*regexp.Regexp{forbidBoth}, RequirePass: []*regexp.Regexp{needPostgres}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, _ := runGate(t, rules, []byte(strings.Join(tt.lines, "\n")))
			assertReport(t, got, tt.want)
		})
	}
}

func TestGateEchoesTextAndKeepsOnlyEvents(t *testing.T) {
	input := "go: downloading x v1\n" + string(readFixture(t, "ran.jsonl"))
	_, text, js := runGate(t, Rules{}, []byte(input))
	wantText := "go: downloading x v1\n=== RUN   TestStore\n=== RUN   TestStore/notes\n" +
		"    p_test.go:13: ran against postgres\n--- PASS: TestStore/notes (0.00s)\n" +
		"--- PASS: TestStore (0.00s)\nPASS\nok  \texample.com/tg/postgres\t0.003s\n"
	if text != wantText {
		t.Errorf("text =\n%s\nwant\n%s", text, wantText)
	}
	if strings.Contains(js, "downloading") {
		t.Error("JSON log holds a non-event line")
	}
	if got, want := strings.Count(js, "\n"), 13; got != want {
		t.Errorf("JSON log has %d lines, want %d", got, want)
	}
}

func TestHeldOutputIsBounded(t *testing.T) {
	g := &Gate{}
	big := `{"Action":"output","Package":"p","Test":"TestBig","Output":"` + strings.Repeat("x", 1024) + `\n"}`
	for range 2 * maxHeldOutput / 1024 {
		if err := g.Line([]byte(big)); err != nil {
			t.Fatal(err)
		}
	}
	if n := g.held["p.TestBig"].Len(); n > maxHeldOutput+2048 {
		t.Errorf("held %d bytes for one test, cap is %d", n, maxHeldOutput)
	}
}

func TestRunExitStatus(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join("testdata", "ran.jsonl")
	tests := []struct {
		name string
		args []string
		want int
		tail string
	}{
		{"green", []string{"-in", in, "-q"}, 0, "testgate: 2 passed, 0 failed, 0 skipped\n"},
		{"rules hold", []string{"-in", in, "-q", "-forbid-skip", "QUIRE_TEST_POSTGRES_URL", "-require-pass", "(?i)postgres"}, 0, "0 skipped\n"},
		{"missing suite", []string{"-in", in, "-q", "-require-pass", "redis"}, 1, "0 skipped\n"},
		{"forbidden skip", []string{"-in", filepath.Join("testdata", "skipped.jsonl"), "-q", "-forbid-skip", "REDIS"}, 1, "2 skipped\n"},
		{"bad pattern", []string{"-in", in, "-require-pass", "("}, 2, ""},
		{"stray argument", []string{"-in", in, "extra"}, 2, ""},
		{"missing input", []string{"-in", filepath.Join(dir, "none.jsonl")}, 2, ""},
		{"logs written", []string{"-in", in, "-q", "-log", filepath.Join(dir, "t.log"), "-json", filepath.Join(dir, "t.json")}, 0, "0 skipped\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run(tt.args, strings.NewReader(""), &out, &errOut)
			if got != tt.want {
				t.Fatalf("exit %d, want %d (stderr %q)", got, tt.want, errOut.String())
			}
			if !strings.HasSuffix(out.String(), tt.tail) {
				t.Errorf("stdout %q does not end with %q", out.String(), tt.tail)
			}
		})
	}
	logText, err := os.ReadFile(filepath.Join(dir, "t.log"))
	if err != nil || !strings.Contains(string(logText), "--- PASS: TestStore/notes") {
		t.Errorf("text log = %q, %v", logText, err)
	}
	js, err := os.ReadFile(filepath.Join(dir, "t.json"))
	if err != nil || !bytes.Equal(js, readFixture(t, "ran.jsonl")) {
		t.Errorf("JSON log differs from input (err %v)", err)
	}
}

func FuzzGateLine(f *testing.F) {
	for _, name := range []string{"skipped.jsonl", "ran.jsonl", "buildfail.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		for line := range bytes.SplitSeq(b, []byte("\n")) {
			f.Add(line)
		}
	}
	f.Add([]byte(`{"Action":"run","Package":"p","Test":"/"}`))
	f.Add([]byte(`{"Action":"pass","Package":"","Test":"a//b/"}`))
	rules := Rules{ForbidSkip: []*regexp.Regexp{forbidBoth}, RequirePass: []*regexp.Regexp{needPostgres}}
	f.Fuzz(func(t *testing.T, line []byte) {
		var text bytes.Buffer
		g := &Gate{Rules: rules, Text: &text}
		for range 2 {
			if err := g.Line(line); err != nil {
				t.Fatal(err)
			}
		}
		rep := g.Report()
		if rep.Passed < 0 || rep.Failed < 0 || rep.Skipped < 0 || rep.Passed+rep.Failed+rep.Skipped > 2 {
			t.Fatalf("impossible counts %+v from two copies of one line", rep)
		}
		if text.Len() == 0 && len(bytes.TrimSpace(line)) > 0 && !bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) {
			t.Fatal("a non-event line was not echoed")
		}
	})
}
