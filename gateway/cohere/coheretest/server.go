package coheretest

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
	URL         string
	srv         *httptest.Server
	fsys        fs.FS
	mu          sync.Mutex
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
	rec := Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body, Scenario: scenario(r, body)}
	s.mu.Lock()
	s.reqs = append(s.reqs, rec)
	h := s.handlers[rec.Scenario]
	s.mu.Unlock()
	if h != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		h(w, r)
		return
	}
	s.replay(w, r, rec.Scenario)
}

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

// replay writes the golden response for name.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, name string) {
	resp, err := s.Golden(name)
	if err != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Debug-Trace-Id", "0b1f6c2e9d8a7f6e5d4c3b2a19080706")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"id":"5f0c9a1e-7b2d-4c3e-8f9a-0b1c2d3e4f50","message":"model not found, make sure the correct model ID was used and that you have access to the model."}`)
		return
	}
	abort, hang := resp.Header.Get("X-Fake-Abort") == "true", resp.Header.Get("X-Fake-Hang") == "true"
	for k, vs := range resp.Header {
		if !strings.HasPrefix(k, "X-Fake-") {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(resp.StatusCode)
	if hang {
		_ = http.NewResponseController(w).Flush()
		<-r.Context().Done()
		select {
		case s.disconnects <- name:
		default: // nobody is counting; never block the server's shutdown
		}
		return
	}
	if _, err := w.Write(resp.Body); err != nil {
		return
	}
	if abort {
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	}
}

// Golden reads and parses the golden file name.http.
func (s *Server) Golden(name string) (*Response, error) {
	if name == "" || strings.ContainsAny(name, "/\\.") {
		return nil, fs.ErrNotExist
	}
	raw, err := fs.ReadFile(s.fsys, name+".http")
	if err != nil {
		return nil, err
	}
	return ParseGolden(raw)
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
			return nil, errors.New("coheretest: golden file has no blank line after the head")
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(io.MultiReader(bytes.NewReader(head), strings.NewReader("\r\n\r\n"))), nil)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	resp.Header.Del("Content-Length")
	resp.Header.Del("Transfer-Encoding")
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}
