package anthropictest

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway/internal/goldentest"
)

// Request is one request the fake received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Model is the scenario the request named.
	Model string
}

// JSON decodes the body as a JSON object.
func (r Request) JSON() (map[string]any, error) {
	var m map[string]any
	err := json.Unmarshal(r.Body, &m)
	return m, err
}

// Server is a fake Anthropic upstream.
type Server struct {
	// URL is the API root to configure as base URL ("http://127.0.0.1:N");
	// requests go to URL/v1/messages and URL/v1/models.
	URL string

	fake *goldentest.Server
}

// New starts a fake serving golden files from fsys and stops it when the
// test ends.
func New(tb testing.TB, fsys fs.FS) *Server {
	tb.Helper()
	s := &Server{fake: goldentest.New(fsys, goldentest.Options{Scenario: scenario, NotFound: notFound})}
	s.URL = goldentest.Start(tb, s.fake)
	return s
}

// SplitEvery makes event-stream bodies be written in pieces of n bytes
// (when n > 0) instead of one event at a time.
func (s *Server) SplitEvery(n int) { s.fake.SplitEvery(n) }

// StopRecording stops keeping requests (for benchmarks).
func (s *Server) StopRecording() { s.fake.StopRecording() }

// Handle answers scenario name with h instead of a golden file.
func (s *Server) Handle(name string, h http.HandlerFunc) { s.fake.Handle(name, h) }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	var out []Request
	for _, r := range s.fake.Requests() {
		out = append(out, request(r))
	}
	return out
}

// Last returns the most recent request, or the zero Request.
func (s *Server) Last() Request { return request(s.fake.Last()) }

// Disconnects reports the scenarios whose client went away during an
// X-Fake-Hang response.
func (s *Server) Disconnects() <-chan string { return s.fake.Disconnects() }

// request is r as this package records it.
func request(r goldentest.Request) Request {
	return Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery, Header: r.Header, Body: r.Body, Model: r.Scenario}
}

// scenario is the model the request names (the JSON "model" field), or
// for a model list "models", then "models_after_" and the after_id of a
// later page.
func scenario(r *http.Request, body []byte) string {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/models") {
		if after := r.URL.Query().Get("after_id"); after != "" {
			return "models_after_" + after
		}
		return "models"
	}
	var m struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(body, &m)
	return m.Model
}

// notFound answers a model with no golden file, as the API does.
func notFound(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Request-Id", "req_011CUfakeNotFound0000000")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, `{"type":"error","error":{"type":"not_found_error","message":"model: `+jsonSafe(name)+`"},"request_id":"req_011CUfakeNotFound0000000"}`)
}

// jsonSafe returns s with only the characters that need no escaping in a
// JSON string.
func jsonSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}

// Response is a parsed golden file.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// ParseGolden parses a golden file: an HTTP/1.1 response as sent on the
// wire, with LF or CRLF line endings in the head. The body is kept byte
// for byte.
func ParseGolden(raw []byte) (*Response, error) {
	return goldentest.As[Response](goldentest.ParseGolden(raw))
}

// Golden returns the parsed golden file name, for tests that compare
// against it.
func (s *Server) Golden(name string) (*Response, error) {
	return goldentest.As[Response](s.fake.Golden(name))
}
