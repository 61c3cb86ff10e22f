package shield

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

func TestMiddleware(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	s, err := New(Config{Penalty: PenaltyConfig{Trips: 1}}, WithClock(clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	var seen []Verdict
	var body string
	h := s.Middleware(func(r *http.Request) string { return r.Header.Get("X-Test-Client") }, nil,
		func(v Verdict) { seen = append(seen, v) })(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body = string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	serve := func(r *http.Request) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	rec := serve(req("POST", "/api/v1/folders", noteJSON, append(apiHeaders, [2]string{"X-Test-Client", "a"})...))
	if rec.Code != http.StatusNoContent || body != noteJSON {
		t.Fatalf("clean request: %d, handler read %q", rec.Code, body)
	}
	rec = serve(req("GET", "/?q=%3Cscript%3Ealert(1)%3C/script%3E", "", [2]string{"X-Test-Client", "a"}))
	checkRefusal(t, rec, http.StatusForbidden, false)
	rec = serve(req("GET", "/notes/abc", "", [2]string{"X-Test-Client", "a"}))
	checkRefusal(t, rec, http.StatusForbidden, true)
	if got := rec.Header().Get("Retry-After"); got != fmt.Sprint(int(DefaultPenaltyBlockFor/time.Second)) {
		t.Errorf("Retry-After %q", got)
	}
	if len(seen) != 3 || seen[0].Blocked || !seen[1].Blocked || !seen[2].Penalised {
		t.Fatalf("observed %+v", seen)
	}
	rec = serve(req("POST", "/api/v1/folders", `{"a":`, apiHeaders...))
	checkRefusal(t, rec, http.StatusBadRequest, false)
}

func checkRefusal(t *testing.T, rec *httptest.ResponseRecorder, status int, retry bool) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Error.Code != CodeBlocked || e.Error.Message == "" {
		t.Fatalf("refusal %d %q, want %d %s", rec.Code, rec.Body, status, CodeBlocked)
	}
	if (rec.Header().Get("Retry-After") != "") != retry || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("refusal headers %v", rec.Header())
	}
}

// TestNoContentInVerdictOrLogs puts a marker in attacks of every kind, and
// in bodies that fail to parse, and looks for it in the verdicts, the
// shield's log, the refusal and everything written to stdout, stderr and
// the standard logger while the shield was built and ran.
func TestNoContentInVerdictOrLogs(t *testing.T) {
	const marker = "QuireMarker7f3a"
	var logs bytes.Buffer
	out := captureOutput(t, func() {
		s, err := New(Config{ParanoiaLevel: 4}, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
		if err != nil {
			t.Error(err)
			return
		}
		rs := []*http.Request{
			req("GET", "/?q="+marker+"%27%20UNION%20SELECT%20password%20FROM%20users--", ""),
			req("GET", "/"+marker+"/../../etc/passwd", ""),
			req("GET", "/notes", "", [2]string{"User-Agent", "sqlmap " + marker}, [2]string{"Cookie", "s=" + marker + "<script>alert(1)</script>"}),
			req("POST", "/api/v1/folders", `{"content":"`+marker+`; cat /etc/passwd"}`, apiHeaders...),
			req("POST", "/api/v1/folders", `{"content":"`+marker+`"`, apiHeaders...),
			req("POST", "/api/v1/folders", "--x\r\n"+marker, [2]string{"Content-Type", "multipart/form-data; boundary=x"}),
			req("POST", "/api/v1/folders", "<a>"+marker, [2]string{"Content-Type", "application/xml"}),
		}
		for i, r := range rs {
			rec := httptest.NewRecorder()
			s.Middleware(nil, nil, func(v Verdict) {
				if dump := fmt.Sprintf("%+v %v %#v", v, v, v); strings.Contains(dump, marker) {
					t.Errorf("request %d: the verdict holds the marker: %s", i, dump)
				}
				if i < 4 && !v.Blocked {
					t.Errorf("request %d passed: %+v", i, v)
				}
			})(http.NotFoundHandler()).ServeHTTP(rec, r)
			if strings.Contains(rec.Body.String(), marker) {
				t.Errorf("request %d: the refusal holds the marker", i)
			}
		}
	})
	if strings.Contains(out, marker) || strings.Contains(logs.String(), marker) {
		t.Fatalf("the marker was written out:\n%s\n%s", out, logs.String())
	}
}

// captureOutput runs f with stdout, stderr and the standard logger sent to
// a pipe and returns what was written. It changes process-wide state, so
// its caller must not run in parallel.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	rd, wr, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, logOut := os.Stdout, os.Stderr, log.Writer()
	os.Stdout, os.Stderr = wr, wr
	log.SetOutput(wr)
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(rd)
		done <- string(b)
	}()
	defer func() {
		os.Stdout, os.Stderr = stdout, stderr
		log.SetOutput(logOut)
	}()
	f()
	_ = wr.Close()
	return <-done
}
