package goldentest

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// MaxBody bounds a recorded request body; the rest of a longer body is
// not read.
const MaxBody = 64 << 20

// Request is one request the fake received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Scenario is the golden file (without ".http") or handler the request
	// named; Capture leaves it empty.
	Scenario string
}

// Capture reads r's body (up to MaxBody) and returns r as recorded.
func Capture(r *http.Request) Request {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxBody))
	return Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
}

// Options are what a vendor's fake decides for itself.
type Options struct {
	// Scenario names the golden file or handler that answers r; body is
	// r's body, already read.
	Scenario func(r *http.Request, body []byte) string
	// NotFound answers a scenario that has no golden file, as the vendor
	// answers an unknown model.
	NotFound func(w http.ResponseWriter, name string)
	// Admit, when set, sees each request after it is recorded and before
	// it is answered; it returns false when it has answered the request
	// itself (a refused credential, say).
	Admit func(w http.ResponseWriter, r *http.Request) bool
	// Whole writes a body in one unflushed write instead of event by
	// event, and makes X-Fake-Hang send the head only: for an API that
	// does not stream, whose client would otherwise have its whole answer
	// before the hang.
	Whole bool
}

// Server records requests and replays golden files. It is an
// http.Handler; Start serves it.
type Server struct {
	fsys        fs.FS
	opts        Options
	disconnects chan string

	mu         sync.Mutex
	splitEvery int
	noRecord   bool
	reqs       []Request
	handlers   map[string]http.HandlerFunc
}

// New returns a fake answering from the golden files in fsys.
func New(fsys fs.FS, opts Options) *Server {
	return &Server{fsys: fsys, opts: opts, handlers: map[string]http.HandlerFunc{}, disconnects: make(chan string, 16)}
}

// Start serves h on 127.0.0.1 until the test ends, and returns its root
// URL ("http://127.0.0.1:N").
func Start(tb testing.TB, h http.Handler) string {
	tb.Helper()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv.URL
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

// ServeHTTP records r, then answers it with the handler or golden file
// its scenario names.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := Capture(r)
	rec.Scenario = s.opts.Scenario(r, rec.Body)
	s.mu.Lock()
	if !s.noRecord {
		s.reqs = append(s.reqs, rec)
	}
	h, split := s.handlers[rec.Scenario], s.splitEvery
	s.mu.Unlock()
	if s.opts.Admit != nil && !s.opts.Admit(w, r) {
		return
	}
	if h != nil {
		r.Body = io.NopCloser(bytes.NewReader(rec.Body))
		h(w, r)
		return
	}
	s.replay(w, r, rec.Scenario, split)
}

// replay writes the golden response for name.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, name string, split int) {
	resp, err := s.Golden(name)
	if err != nil {
		s.opts.NotFound(w, name)
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
	var body [][]byte
	switch {
	case !s.opts.Whole:
		body = pieces(resp, split)
	case !hang:
		body = [][]byte{resp.Body}
	}
	for _, piece := range body {
		if _, err := w.Write(piece); err != nil {
			return
		}
		if !s.opts.Whole {
			_ = rc.Flush()
		}
	}
	switch {
	case hang:
		_ = rc.Flush()
		<-r.Context().Done()
		select {
		case s.disconnects <- name:
		default: // nobody is counting; never block the server's shutdown
		}
	case abort:
		_ = rc.Flush()
		panic(http.ErrAbortHandler)
	}
}

// Golden reads and parses the golden file name.http. A name that could
// reach outside fsys does not exist.
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

// pieces splits the body as it is to be written: event streams event by
// event (an event ends with a blank line, LF LF or CRLF CRLF as the
// vendor sends it), or in pieces of split bytes; other bodies whole.
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
		} else if i, sep := blankLine(b); i >= 0 {
			n = i + sep
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// blankLine returns the index of the first blank line in b (LF LF or
// CRLF CRLF) and the length of its separator, or -1.
func blankLine(b []byte) (int, int) {
	lf, crlf := bytes.Index(b, []byte("\n\n")), bytes.Index(b, []byte("\r\n\r\n"))
	if crlf >= 0 && (lf < 0 || crlf < lf) {
		return crlf, 4
	}
	return lf, 2
}
