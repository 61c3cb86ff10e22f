// Command testgate reads `go test -json` output, prints it as the familiar
// verbose text, optionally keeps a text log and a JSON log, and fails the run
// when tests failed or when a suite that must run did not.
//
// It exists because a CI run that silently skips its PostgreSQL or Redis
// suites still looks green: -forbid-skip catches a skipped test whose
// message matches (for example the name of the variable that enables the
// suite), and -require-pass insists that some test matching a pattern
// actually passed.
//
// Usage:
//
//	go test -json ./... 2>&1 | testgate -log test.log -json test.json
//	testgate -in test.json -q -forbid-skip 'QUIRE_TEST_POSTGRES_URL' -require-pass '(?i)postgres'
//
// The exit status is 0 when every test passed and every rule held, 1 when
// not, and 2 on a usage or I/O error.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// patterns is a repeatable regular-expression flag.
type patterns []*regexp.Regexp

func (p *patterns) String() string { return fmt.Sprint(*p) }

func (p *patterns) Set(s string) error {
	re, err := regexp.Compile(s)
	if err != nil {
		return fmt.Errorf("bad pattern: %w", err)
	}
	*p = append(*p, re)
	return nil
}

// run is main without the process: it returns the exit status.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testgate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "read `go test -json` output from this file instead of standard input")
	logPath := fs.String("log", "", "also write the verbose text to this file")
	jsonPath := fs.String("json", "", "also write the JSON events to this file")
	quiet := fs.Bool("q", false, "print only the closing summary, not the test output")
	var rules Rules
	fs.Var((*patterns)(&rules.ForbidSkip), "forbid-skip", "fail if a skipped test's output matches this regexp (repeatable)")
	fs.Var((*patterns)(&rules.RequirePass), "require-pass", "fail unless a passed test's package.Test name matches this regexp (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "testgate: unexpected arguments %q\n", fs.Args())
		return 2
	}
	rep, err := gate(*in, *logPath, *jsonPath, *quiet, rules, stdin, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "testgate: %v\n", err)
		return 2
	}
	if err := rep.WriteSummary(stdout); err != nil {
		fmt.Fprintf(stderr, "testgate: %v\n", err)
		return 2
	}
	if !rep.OK() {
		return 1
	}
	return 0
}

// gate wires the files to a Gate and feeds it every line of input.
func gate(in, logPath, jsonPath string, quiet bool, rules Rules, stdin io.Reader, stdout io.Writer) (rep Report, err error) {
	closeAll := func(c io.Closer) {
		if cerr := c.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close: %w", cerr)
		}
	}
	src := stdin
	if in != "" {
		f, err := os.Open(in)
		if err != nil {
			return rep, fmt.Errorf("open input: %w", err)
		}
		defer closeAll(f)
		src = f
	}
	g := &Gate{Rules: rules}
	var texts []io.Writer
	if !quiet {
		texts = append(texts, stdout)
	}
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return rep, fmt.Errorf("create text log: %w", err)
		}
		defer closeAll(f)
		texts = append(texts, f)
	}
	if len(texts) > 0 {
		g.Text = io.MultiWriter(texts...)
	}
	if jsonPath != "" {
		f, err := os.Create(jsonPath)
		if err != nil {
			return rep, fmt.Errorf("create json log: %w", err)
		}
		defer closeAll(f)
		g.JSON = f
	}
	if err := feed(g, src); err != nil {
		return rep, err
	}
	return g.Report(), nil
}

// feed passes src to g one line at a time, however long the lines are.
func feed(g *Gate, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			if gerr := g.Line(line); gerr != nil {
				return gerr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read input: %w", err)
		}
	}
}
