package goldentest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

const sse = "HTTP/1.1 200 OK\nContent-Type: text/event-stream\nX-Request-Id: req_1\n\n"

var goldens = fstest.MapFS{
	"text.http":   {Data: []byte("HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 11\n\n{\"ok\":true}")},
	"stream.http": {Data: []byte(sse + "data: 1\n\ndata: 2\n\n")},
	"crlf.http":   {Data: []byte("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n")},
	"cut.http":    {Data: []byte("HTTP/1.1 200 OK\nContent-Type: text/event-stream\nX-Fake-Abort: true\n\ndata: 1\n\n")},
	"hang.http":   {Data: []byte("HTTP/1.1 200 OK\nContent-Type: application/json\nX-Fake-Hang: true\n\n{}")},
	"e429.http":   {Data: []byte("HTTP/1.1 429 Too Many Requests\nContent-Type: application/json\nRetry-After: 2\n\n{\"error\":{}}")},
	"bad.http":    {Data: []byte("no head here")},
	"secret":      {Data: []byte("HTTP/1.1 200 OK\nContent-Type: text/plain\n\nsecret")},
}

// options names the scenario by the JSON "model" field and answers an
// unknown one 404 with the name in a header, so tests can see it.
func options() Options {
	return Options{
		Scenario: func(_ *http.Request, body []byte) string {
			var m struct{ Model string }
			_ = json.Unmarshal(body, &m)
			return m.Model
		},
		NotFound: func(w http.ResponseWriter, name string) {
			w.Header().Set("X-Missing", name)
			w.WriteHeader(http.StatusNotFound)
		},
	}
}

// tape is a ResponseWriter that logs its writes and flushes in order.
type tape struct {
	header http.Header
	status int
	log    []string
}

func (t *tape) Header() http.Header {
	if t.header == nil {
		t.header = http.Header{}
	}
	return t.header
}

func (t *tape) WriteHeader(code int) {
	t.status = code
	t.log = append(t.log, fmt.Sprint("head ", code))
}

func (t *tape) Write(b []byte) (int, error) {
	t.log = append(t.log, "write "+string(b))
	return len(b), nil
}

func (t *tape) Flush() { t.log = append(t.log, "flush") }

// serve runs one request for model through s on a tape, with ctx (done
// at once for a hang), and reports whether the handler aborted.
func serve(s *Server, model string, ctx context.Context) (t *tape, aborted bool) {
	t = &tape{}
	r := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/x?q=1", strings.NewReader(`{"model":"`+model+`"}`))
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				panic(v)
			}
			aborted = true
		}
	}()
	s.ServeHTTP(t, r)
	return t, false
}

func TestReplayWrites(t *testing.T) {
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name, model string
		whole       bool
		split       int
		want        []string
		aborted     bool
	}{
		{"json", "text", false, 0, []string{"head 200", `write {"ok":true}`, "flush"}, false},
		{"json whole", "text", true, 0, []string{"head 200", `write {"ok":true}`}, false},
		{"events", "stream", false, 0, []string{"head 200", "write data: 1\n\n", "flush", "write data: 2\n\n", "flush"}, false},
		{"crlf events", "crlf", false, 0, []string{"head 200", "write data: 1\r\n\r\n", "flush", "write data: 2\r\n\r\n", "flush"}, false},
		{"split", "stream", false, 7, []string{"head 200", "write data: 1", "flush", "write \n\ndata:", "flush", "write  2\n\n", "flush"}, false},
		{"events whole", "stream", true, 0, []string{"head 200", "write data: 1\n\ndata: 2\n\n"}, false},
		{"abort", "cut", false, 0, []string{"head 200", "write data: 1\n\n", "flush", "flush"}, true},
		{"abort whole", "cut", true, 0, []string{"head 200", "write data: 1\n\n", "flush"}, true},
		{"hang", "hang", false, 0, []string{"head 200", "write {}", "flush", "flush"}, false},
		{"hang whole", "hang", true, 0, []string{"head 200", "flush"}, false},
		{"error", "e429", false, 0, []string{"head 429", `write {"error":{}}`, "flush"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := options()
			opts.Whole = tc.whole
			s := New(goldens, opts)
			s.SplitEvery(tc.split)
			got, aborted := serve(s, tc.model, done)
			if strings.Join(got.log, "|") != strings.Join(tc.want, "|") || aborted != tc.aborted {
				t.Fatalf("got %q aborted %v, want %q aborted %v", got.log, aborted, tc.want, tc.aborted)
			}
			for k := range got.header {
				if strings.HasPrefix(k, "X-Fake-") || k == "Content-Length" {
					t.Fatalf("sent header %s", k)
				}
			}
		})
	}
}

func TestServeRecordsAndRoutes(t *testing.T) {
	opts := options()
	refused := 0
	opts.Admit = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Authorization") == "Bearer bad" {
			refused++
			w.WriteHeader(http.StatusUnauthorized)
			return false
		}
		return true
	}
	s := New(goldens, opts)
	var handled []byte
	s.Handle("custom", func(w http.ResponseWriter, r *http.Request) {
		handled, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusTeapot)
	})
	do := func(model, auth string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		body, _ := json.Marshal(map[string]string{"model": model})
		r := httptest.NewRequest(http.MethodPost, "/v1/x?q=1", bytes.NewReader(body))
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		s.ServeHTTP(w, r)
		return w
	}
	if w := do("custom", ""); w.Code != http.StatusTeapot || string(handled) != `{"model":"custom"}` {
		t.Fatalf("handler: %d, read %q", w.Code, handled)
	}
	for _, name := range []string{"missing", "../secret", "secret", "text.", ".", "a\\b", ""} {
		if w := do(name, ""); w.Code != http.StatusNotFound || w.Header().Get("X-Missing") != name {
			t.Fatalf("%q: %d %v", name, w.Code, w.Header())
		}
	}
	if w := do("text", "Bearer bad"); w.Code != http.StatusUnauthorized || refused != 1 {
		t.Fatalf("admit: %d, %d refused", w.Code, refused)
	}
	if w := do("custom", "Bearer bad"); w.Code != http.StatusUnauthorized || refused != 2 {
		t.Fatalf("admit before a handler: %d, %d refused", w.Code, refused)
	}
	reqs := s.Requests()
	if len(reqs) != 10 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/v1/x" || r.RawQuery != "q=1" || string(r.Body) != `{"model":"custom"}` || r.Scenario != "custom" {
		t.Fatalf("recorded %+v", r)
	}
	if last := s.Last(); last.Scenario != "custom" || last.Header.Get("Authorization") != "Bearer bad" {
		t.Fatalf("last %+v", last)
	}
	reqs[0].Scenario = "changed"
	if s.Requests()[0].Scenario != "custom" {
		t.Fatal("Requests shares its slice")
	}
	s.StopRecording()
	do("text", "")
	if len(s.Requests()) != 10 {
		t.Fatal("recorded after StopRecording")
	}
	if last := New(goldens, opts).Last(); !reflect.DeepEqual(last, Request{}) {
		t.Fatalf("Last of no request: %+v", last)
	}
}

func TestCaptureBoundsTheBody(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", io.MultiReader(bytes.NewReader(make([]byte, MaxBody)), strings.NewReader("more")))
	if rec := Capture(r); len(rec.Body) != MaxBody {
		t.Fatalf("captured %d bytes", len(rec.Body))
	}
}

func TestHangOverHTTP(t *testing.T) {
	for _, whole := range []bool{false, true} {
		opts := options()
		opts.Whole = whole
		s := New(goldens, opts)
		url := Start(t, s)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(`{"model":"hang"}`))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			cancel()
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || resp.Header.Get("X-Fake-Hang") != "" {
			t.Fatalf("whole %v: read %q, %v", whole, body, err)
		}
		if want := map[bool]string{false: "{}", true: ""}[whole]; string(body) != want {
			t.Fatalf("whole %v: body before the hang %q, want %q", whole, body, want)
		}
		select {
		case name := <-s.Disconnects():
			if name != "hang" {
				t.Fatalf("disconnect %q", name)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no disconnect reported")
		}
	}
}

func TestAbortOverHTTP(t *testing.T) {
	s := New(goldens, options())
	url := Start(t, s)
	resp, err := http.Post(url, "application/json", strings.NewReader(`{"model":"cut"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || string(body) != "data: 1\n\n" || resp.Header.Get("X-Fake-Abort") != "" {
		t.Fatalf("abort: %q, %v, %v", body, err, resp.Header)
	}
}

func TestParseGolden(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		status    int
		header    http.Header
		body      string
	}{
		{"lf", "HTTP/1.1 200 OK\nContent-Type: application/json\nContent-Length: 2\n\n{}", 200,
			http.Header{"Content-Type": {"application/json"}}, "{}"},
		{"crlf", "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nVary: a\r\nVary: b\r\n\r\n{}\r\n", 429,
			http.Header{"Retry-After": {"2"}, "Vary": {"a", "b"}}, "{}\r\n"},
		{"crlf head, lf events", "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata: 1\n\ndata: 2\n\n", 200,
			http.Header{"Content-Type": {"text/event-stream"}}, "data: 1\n\ndata: 2\n\n"},
		{"lf head, crlf events", "HTTP/1.1 200 OK\nContent-Type: text/event-stream\n\ndata: 1\r\n\r\n", 200,
			http.Header{"Content-Type": {"text/event-stream"}}, "data: 1\r\n\r\n"},
		{"chunked", "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\nX-Fake-Abort: true\n\nbody", 200,
			http.Header{"X-Fake-Abort": {"true"}}, "body"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := ParseGolden([]byte(tc.raw))
			if err != nil {
				t.Fatal(err)
			}
			if g.StatusCode != tc.status || fmt.Sprint(g.Header) != fmt.Sprint(tc.header) || string(g.Body) != tc.body {
				t.Fatalf("got %d %v %q", g.StatusCode, g.Header, g.Body)
			}
		})
	}
	for _, raw := range []string{"HTTP/1.1 200 OK\nA: b\n", "", "HTTP/1.1 two hundred\n\n{}", "HTTP/1.1 200 OK\nTransfer-Encoding: gzip\n\n{}"} {
		if g, err := ParseGolden([]byte(raw)); err == nil {
			t.Fatalf("%q parsed: %+v", raw, g)
		}
	}
}

func TestAs(t *testing.T) {
	type vendorResponse struct {
		StatusCode int
		Header     http.Header
		Body       []byte
	}
	s := New(goldens, options())
	r, err := As[vendorResponse](s.Golden("e429"))
	if err != nil || r.StatusCode != 429 || r.Header.Get("Retry-After") != "2" || string(r.Body) != `{"error":{}}` {
		t.Fatalf("%+v %v", r, err)
	}
	if r, err := As[vendorResponse](s.Golden("bad")); err == nil || r != nil {
		t.Fatalf("bad golden: %+v %v", r, err)
	}
}

func FuzzParseGolden(f *testing.F) {
	for _, g := range goldens {
		f.Add(g.Data, 0)
	}
	f.Add([]byte(sse+"data: 1\r\n\ndata: 2\n\r\n\r\n"), 3)
	f.Fuzz(func(t *testing.T, raw []byte, split int) {
		g, err := ParseGolden(raw)
		if err != nil {
			return
		}
		if !bytes.HasSuffix(raw, g.Body) {
			t.Fatalf("body %q is not the end of the file", g.Body)
		}
		g.Header.Set("Content-Type", "text/event-stream")
		ps := pieces(g, split%64)
		if !bytes.Equal(bytes.Join(ps, nil), g.Body) {
			t.Fatalf("pieces %q do not make the body %q", ps, g.Body)
		}
		for _, p := range ps {
			if len(p) == 0 || split%64 > 0 && len(p) > split%64 {
				t.Fatalf("piece %q with split %d", p, split)
			}
		}
	})
}
