package endpoint

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
