package coheretest

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
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
	// Scenario is the golden file (without ".http") or handler that
	// answered.
	Scenario string
}

// JSON decodes the body as a JSON object.
func (r Request) JSON() (map[string]any, error) {
	var m map[string]any
	err := json.Unmarshal(r.Body, &m)
	return m, err
}

// Server is a fake Cohere upstream.
type Server struct {
	// URL is the API root to configure as base URL ("http://127.0.0.1:N").
	URL string

	fake *goldentest.Server
}

// New starts a fake serving golden files from fsys and stops it when the
// test ends.
func New(tb testing.TB, fsys fs.FS) *Server {
	tb.Helper()
	// Cohere's answers are not streamed: a body goes in one write, and a
	// hang holds it back.
	s := &Server{fake: goldentest.New(fsys, goldentest.Options{Scenario: scenario, NotFound: notFound, Whole: true})}
	s.URL = goldentest.Start(tb, s.fake)
	return s
}

// Handle answers scenario name with h instead of a golden file.
func (s *Server) Handle(name string, h http.HandlerFunc) { s.fake.Handle(name, h) }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	var out []Request
	for _, r := range s.fake.Requests() {
		out = append(out, Request(r))
	}
	return out
}

// Last returns the most recent request, or the zero Request.
func (s *Server) Last() Request { return Request(s.fake.Last()) }

// Disconnects reports the scenarios whose client went away during an
// X-Fake-Hang response.
func (s *Server) Disconnects() <-chan string { return s.fake.Disconnects() }

// scenario names the answer to r: "models_<endpoint>[_<page_token>]" for
// a model list, else the JSON "model" field.
func scenario(r *http.Request, body []byte) string {
	if r.Method == http.MethodGet && r.URL.Path == "/v1/models" {
		q := r.URL.Query()
		name := "models_" + q.Get("endpoint")
		if t := q.Get("page_token"); t != "" {
			name += "_" + t
		}
		return name
	}
	var m struct {
		Model string `json:"model"`
	}
	_ = json.Unmarshal(body, &m)
	return m.Model
}

// notFound answers a scenario with no golden file as Cohere answers an
// unknown model.
func notFound(w http.ResponseWriter, _ string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Debug-Trace-Id", "0b1f6c2e9d8a7f6e5d4c3b2a19080706")
	w.WriteHeader(http.StatusNotFound)
	io.WriteString(w, `{"id":"5f0c9a1e-7b2d-4c3e-8f9a-0b1c2d3e4f50","message":"model not found, make sure the correct model ID was used and that you have access to the model."}`)
}

// Golden reads and parses the golden file name.http.
func (s *Server) Golden(name string) (*Response, error) {
	return goldentest.As[Response](s.fake.Golden(name))
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
