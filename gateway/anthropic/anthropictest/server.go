package anthropictest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// maxRecorded bounds a recorded request body.
const maxRecorded = 64 << 20

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
	URL         string
	srv         *httptest.Server
	fsys        fs.FS
	mu          sync.Mutex
	splitEvery  int
	noRecord    bool
	reqs        []Request
	handlers    map[string]http.HandlerFunc
	disconnects chan string
}

// New starts a fake serving golden files from fsys and stops it when the
// test ends.
func New(tb testing.TB, fsys fs.FS) *Server {
	tb.Helper()
	s := &Server{fsys: fsys, handlers: map[string]http.HandlerFunc{}, disconnects: make(chan string, 16)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.srv.Close)
	return s
}

// SplitEvery makes event-stream bodies be written in pieces of n bytes
// (when n > 0) instead of one event at a time.
func (s *Server) SplitEvery(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.splitEvery = n
}

// StopRecording stops keeping requests (for benchmarks).
func (s *Server) StopRecording() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noRecord = true
}

// Handle answers scenario name with h instead of a golden file.
func (s *Server) Handle(name string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[name] = h
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

// Last returns the most recent request, or the zero Request.
func (s *Server) Last() Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reqs) == 0 {
		return Request{}
	}
	return s.reqs[len(s.reqs)-1]
}

// Disconnects reports the scenarios whose client went away during an
// X-Fake-Hang response.
func (s *Server) Disconnects() <-chan string { return s.disconnects }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRecorded))
	rec := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Model: scenario(r, body)}
	s.mu.Lock()
	if !s.noRecord {
		s.reqs = append(s.reqs, rec)
	}
	h, split := s.handlers[rec.Model], s.splitEvery
	s.mu.Unlock()
	if h != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
		return
	}
	s.replay(w, r, rec.Model, split)
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

// replay writes the golden response for name.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, name string, split int) {
	resp, err := s.golden(name)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Request-Id", "req_011CUfakeNotFound0000000")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"type":"error","error":{"type":"not_found_error","message":"model: `+jsonSafe(name)+`"},"request_id":"req_011CUfakeNotFound0000000"}`)
		return
	}
	abort, hang := resp.Header.Get("X-Fake-Abort") == "true", resp.Header.Get("X-Fake-Hang") == "true"
	for k, vs := range resp.Header {
		if !strings.HasPrefix(k, "X-Fake-") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	for _, piece := range pieces(resp, split) {
		if _, err := w.Write(piece); err != nil {
			return
		}
		_ = rc.Flush()
	}
	switch {
	case hang:
		<-r.Context().Done()
		select {
		case s.disconnects <- name:
		default: // nobody is counting; never block the server's shutdown
		}
	case abort:
		panic(http.ErrAbortHandler)
	}
}

// golden reads and parses name.http.
func (s *Server) golden(name string) (*Response, error) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, fs.ErrNotExist
	}
	raw, err := fs.ReadFile(s.fsys, name+".http")
	if err != nil {
		return nil, err
	}
	return ParseGolden(raw)
}

// pieces splits the body as it is to be written.
func pieces(resp *Response, split int) [][]byte {
	b := resp.Body
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		return [][]byte{b}
	}
	var out [][]byte
	for len(b) > 0 {
		n := len(b)
		if split > 0 {
			n = min(split, n)
		} else if i := bytes.Index(b, []byte("\n\n")); i >= 0 {
			n = i + 2
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
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
	head, body, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		if head, body, ok = bytes.Cut(raw, []byte("\r\n\r\n")); !ok {
			return nil, errors.New("anthropictest: golden file has no blank line after the head")
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(bytes.NewReader(head), strings.NewReader("\r\n\r\n"))), nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	resp.Header.Del("Content-Length")
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// Golden returns the parsed golden file name, for tests that compare
// against it.
func (s *Server) Golden(name string) (*Response, error) { return s.golden(name) }

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
