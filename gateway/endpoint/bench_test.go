package endpoint

import (
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/openai"
	"github.com/quirehq/quire/gateway/route"
)

const benchAnswer = `{"id":"chatcmpl-b","object":"chat.completion","created":1760433164,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}`

// BenchmarkChat measures the endpoint, the router and the OpenAI adapter
// on a non-streamed chat against an upstream that answers at once, next
// to calling that upstream directly (direct), in one process: the
// gateway's own cost, without TLS and the edge stack.
func BenchmarkChat(b *testing.B) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, benchAnswer)
	}))
	defer up.Close()
	p, err := openai.New(openai.Config{Name: "fast", BaseURL: up.URL + "/v1", APIKey: "sk", AllowLoopbackHTTP: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := route.New(route.Config{Providers: []route.Entry{{Provider: p, ZDR: true, Models: []string{"m"}}}})
	if err != nil {
		b.Fatal(err)
	}
	body := `{"model":"m","messages":[{"role":"user","content":"Summarise the meeting notes in three bullet points, please."}]}`
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	run := func(b *testing.B, url string) {
		for b.Loop() {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testKey)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("direct", func(b *testing.B) { run(b, up.URL+"/v1/chat/completions") })
	for _, redaction := range []bool{false, true} {
		name := "gateway"
		if redaction {
			name = "gateway+redaction"
		}
		b.Run(name, func(b *testing.B) {
			srv := serve(b, r, func(c *Config) {
				if redaction {
					c.Redactor = redactor(b)
				}
			})
			run(b, srv.URL+"/v1/chat/completions")
		})
	}
}

var _ gateway.Provider = (*openai.Provider)(nil)

// BenchmarkStreamMemory holds 500 streams open through the endpoint (over
// TLS, as quire serve serves them) and reports the heap they add per
// stream beyond the same streams held directly against the upstream:
// the gateway's server connection, its upstream connection and its state
// (target < 64 KiB). Client and upstream are in the process in both runs,
// so their share cancels out.
func BenchmarkStreamMemory(b *testing.B) {
	const n = 500
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = io.WriteString(w, `data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"held"},"finish_reason":null}]}`+"\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer up.Close()
	defer close(release)
	p, err := openai.New(openai.Config{Name: "fast", BaseURL: up.URL + "/v1", APIKey: "sk", AllowLoopbackHTTP: true}, nil)
	if err != nil {
		b.Fatal(err)
	}
	r, err := route.New(route.Config{Providers: []route.Entry{{Provider: p, ZDR: true, Models: []string{"m"}, MaxConcurrent: 2 * n}}})
	if err != nil {
		b.Fatal(err)
	}
	gw := serveTLS(b, r)
	body := `{"model":"m","stream":true,"messages":[{"role":"user","content":"hold on"}]}`
	hold := func(url string, c *http.Client) (float64, func()) {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&before)
		var resps []*http.Response
		for range n {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+testKey)
			resp, err := c.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 1)
			if _, err := resp.Body.Read(buf); err != nil {
				b.Fatal(err)
			}
			resps = append(resps, resp)
		}
		time.Sleep(100 * time.Millisecond)
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&after)
		return float64(after.HeapInuse-before.HeapInuse) / n, func() {
			for _, r := range resps {
				r.Body.Close()
			}
		}
	}
	for b.Loop() {
		direct, closeDirect := hold(up.URL+"/v1/chat/completions", &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n}})
		closeDirect()
		tr := gw.Client().Transport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = n
		via, closeVia := hold(gw.URL+"/v1/chat/completions", &http.Client{Transport: tr})
		closeVia()
		b.ReportMetric(direct/1024, "direct-KiB/stream")
		b.ReportMetric(via/1024, "gateway-KiB/stream")
		b.ReportMetric((via-direct)/1024, "added-KiB/stream")
	}
}

// serveTLS is serve over TLS, with testKey accepted.
func serveTLS(tb testing.TB, b Backend) *httptest.Server {
	tb.Helper()
	cfg := Config{Backend: b, Authenticate: func(*http.Request) (*Caller, error) { return &Caller{Account: "a"}, nil }}
	mux := http.NewServeMux()
	for p, h := range New(cfg).Routes() {
		mux.Handle(p, h)
	}
	srv := httptest.NewTLSServer(mux)
	tb.Cleanup(srv.Close)
	return srv
}
