package shield

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	crstests "github.com/corazawaf/coraza-coreruleset/v4/tests"
	"go.yaml.in/yaml/v3"
)

// The CRS regression suite is written for go-ftw, which sends each stage
// to a web server and then reads the server's error log. This file reads
// the suite (as go-ftw's YAML format defines it) and turns each stage into
// a request as go-ftw would put it on the wire; crs_test.go drives a
// Coraza transaction with it directly.

// ftwFile is one YAML file of the suite.
type ftwFile struct {
	RuleID int       `yaml:"rule_id"`
	Tests  []ftwTest `yaml:"tests"`
}

type ftwTest struct {
	TestID int        `yaml:"test_id"`
	Stages []ftwStage `yaml:"stages"`
}

type ftwStage struct {
	Input  ftwInput  `yaml:"input"`
	Output ftwOutput `yaml:"output"`
}

type ftwInput struct {
	Method              *string   `yaml:"method"`
	URI                 *string   `yaml:"uri"`
	Version             *string   `yaml:"version"`
	Headers             yaml.Node `yaml:"headers"`
	Data                *string   `yaml:"data"`
	EncodedRequest      string    `yaml:"encoded_request"`
	AutocompleteHeaders *bool     `yaml:"autocomplete_headers"`
}

type ftwOutput struct {
	Status           any    `yaml:"status"`
	ResponseContains string `yaml:"response_contains"`
	ExpectError      bool   `yaml:"expect_error"`
	Log              ftwLog `yaml:"log"`
}

type ftwLog struct {
	ExpectIDs    []int  `yaml:"expect_ids"`
	NoExpectIDs  []int  `yaml:"no_expect_ids"`
	MatchRegex   string `yaml:"match_regex"`
	NoMatchRegex string `yaml:"no_match_regex"`
}

// crsCase is one test of the suite: "<rule>-<test>", as go-ftw names it.
type crsCase struct {
	id     string
	file   string
	stages []crsStage
	skip   string // why the runner cannot judge it; "" when it can
}

// crsStage is one request and what the log must show.
type crsStage struct {
	req  rawRequest
	want ftwLog
}

// rawRequest is a request as it goes on the wire: headers in order, the
// body after chunked decoding.
type rawRequest struct {
	method, uri, version string
	headers              [][2]string
	body                 []byte
}

// header returns the first value of name (case-insensitive).
func (r rawRequest) header(name string) (string, bool) {
	for _, h := range r.headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// loadCRSSuite reads every test of the embedded suite.
func loadCRSSuite() ([]crsCase, error) {
	var cases []crsCase
	err := fs.WalkDir(crstests.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") {
			return err
		}
		data, err := fs.ReadFile(crstests.FS, p)
		if err != nil {
			return err
		}
		var f ftwFile
		if err := yaml.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, t := range f.Tests {
			cases = append(cases, newCRSCase(p, f.RuleID, t))
		}
		return nil
	})
	return cases, err
}

func newCRSCase(file string, rule int, t ftwTest) crsCase {
	c := crsCase{id: fmt.Sprintf("%d-%d", rule, t.TestID), file: file}
	for _, s := range t.Stages {
		o := s.Output
		switch {
		case o.ExpectError:
			c.skip = "expects the server to refuse the connection (expect_error)"
		case len(o.Log.ExpectIDs)+len(o.Log.NoExpectIDs) == 0 && o.Log.MatchRegex == "" && o.Log.NoMatchRegex == "":
			c.skip = "checks only the server's response (status or body), not the rules' log"
		}
		r, err := s.Input.request()
		if err != nil {
			c.skip = "input cannot be built: " + err.Error()
		}
		c.stages = append(c.stages, crsStage{req: r, want: o.Log})
	}
	return c
}

// request builds the stage's request as go-ftw sends it.
func (in ftwInput) request() (rawRequest, error) {
	if in.EncodedRequest != "" {
		raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(in.EncodedRequest), ""))
		if err != nil {
			return rawRequest{}, err
		}
		return parseRaw(raw), nil
	}
	r := rawRequest{method: deref(in.Method, "GET"), uri: deref(in.URI, "/"), version: deref(in.Version, "HTTP/1.1")}
	hdrs := map[string]string{}
	for i := 0; i+1 < len(in.Headers.Content); i += 2 {
		hdrs[in.Headers.Content[i].Value] = in.Headers.Content[i+1].Value
	}
	add := func(k, v string) {
		if hdrs[k] == "" {
			hdrs[k] = v
		}
	}
	data := []byte(deref(in.Data, ""))
	auto := in.AutocompleteHeaders == nil || *in.AutocompleteHeaders
	if len(data) > 0 && auto {
		add("Content-Type", "application/x-www-form-urlencoded")
		data = encodeFormData(hdrs["Content-Type"], data)
	}
	if strings.HasPrefix(hdrs["Content-Type"], "multipart/form-data;") {
		data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	}
	if auto {
		add("Connection", "close")
		if len(data) > 0 || methodsWithBody.MatchString(r.method) {
			add("Content-Length", strconv.Itoa(len(data)))
		}
	}
	keys := make([]string, 0, len(hdrs))
	for k := range hdrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.headers = append(r.headers, [2]string{k, hdrs[k]})
	}
	r.body = data
	return r.asServerReads(), nil
}

// asServerReads applies what an HTTP/1.1 server does before the rules see
// a request: with Transfer-Encoding chunked the body is dechunked and a
// Content-Length dropped; otherwise the body is what Content-Length says
// (nothing without one).
func (r rawRequest) asServerReads() rawRequest {
	if te, _ := r.header("Transfer-Encoding"); strings.EqualFold(te, "chunked") {
		r.body = dechunk(r.body)
		r.headers = slices.DeleteFunc(slices.Clone(r.headers), func(h [2]string) bool {
			return strings.EqualFold(h[0], "Content-Length")
		})
		return r
	}
	cl, _ := r.header("Content-Length")
	n, err := strconv.Atoi(strings.TrimSpace(cl))
	if err != nil || n < 0 {
		n = 0
	}
	r.body = r.body[:min(n, len(r.body))]
	return r
}

// methodsWithBody is go-ftw's own (loosely anchored) expression.
var methodsWithBody = regexp.MustCompile(`^POST|PUT|PATCH|DELETE$`)

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

// encodeFormData URL-encodes the keys and values of a form body that is
// not encoded yet, as go-ftw does.
func encodeFormData(ct string, data []byte) []byte {
	if ct != "application/x-www-form-urlencoded" {
		return data
	}
	if un, err := url.QueryUnescape(string(data)); un != string(data) || err != nil {
		return data
	}
	var out []string
	for _, tok := range strings.Split(string(data), "&") {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			out = append(out, url.QueryEscape(tok)+"&")
			continue
		}
		out = append(out, url.QueryEscape(k)+"="+url.QueryEscape(v))
	}
	return []byte(strings.TrimSuffix(strings.Join(out, "&"), "&"))
}

// parseRaw reads a request from its wire form as leniently as a web
// server that lets it reach the rules: the request line split at its
// first and last space, "Name: value" header lines, the body (dechunked).
func parseRaw(raw []byte) rawRequest {
	head, body, found := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !found {
		head, body, _ = bytes.Cut(raw, []byte("\n\n"))
	}
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	var r rawRequest
	line := lines[0]
	first, last := strings.IndexByte(line, ' '), strings.LastIndexByte(line, ' ')
	switch {
	case first < 0:
		r.method = line
	case first == last:
		r.method, r.uri = line[:first], line[first+1:]
	default:
		r.method, r.uri, r.version = line[:first], line[first+1:last], line[last+1:]
	}
	for _, l := range lines[1:] {
		if k, v, ok := strings.Cut(l, ":"); ok {
			r.headers = append(r.headers, [2]string{k, strings.TrimSpace(v)})
		}
	}
	r.body = body
	return r.asServerReads()
}

// dechunk decodes a chunked body, keeping what decodes before an error.
func dechunk(b []byte) []byte {
	var out []byte
	br := bufio.NewReader(bytes.NewReader(b))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return out
		}
		size, err := strconv.ParseInt(strings.TrimSpace(strings.SplitN(line, ";", 2)[0]), 16, 32)
		if err != nil || size <= 0 {
			return out
		}
		chunk := make([]byte, size)
		n, _ := io.ReadFull(br, chunk)
		out = append(out, chunk[:n]...)
		_, _ = br.ReadString('\n')
	}
}
