package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Shapes of the gateway benchmark.
const (
	gwChunks     = 20  // text chunks in a streamed answer
	gwSequential = 800 // requests per sequential series
	gwRate       = 1000
	gwRatePhase  = 3 * time.Second
)

var gwAnswer = []byte(`{"id":"chatcmpl-b","object":"chat.completion","created":1760433164,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hello there."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":3,"total_tokens":12}}`)

// fastUpstream is an OpenAI-format upstream that answers at once: a
// complete answer, or a stream of gwChunks chunks.
type fastUpstream struct {
	url string
	srv *http.Server
}

func startFastUpstream(b *testing.B) *fastUpstream {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	u := &fastUpstream{url: "http://" + ln.Addr().String() + "/v1"}
	chunk := func(text string) []byte {
		return []byte(`data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1760433164,"model":"m","choices":[{"index":0,"delta":{"content":"` + text + `"},"finish_reason":null}]}` + "\n\n")
	}
	done := []byte(`data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1760433164,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n" +
		`data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1760433164,"model":"m","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":20,"total_tokens":29}}` + "\n\ndata: [DONE]\n\n")
	u.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !bytes.Contains(body, []byte(`"stream":true`)) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(gwAnswer)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		fl := w.(http.Flusher)
		for i := range gwChunks {
			_, _ = w.Write(chunk("word" + strconv.Itoa(i) + " "))
			fl.Flush()
		}
		_, _ = w.Write(done)
	})}
	go func() { _ = u.srv.Serve(ln) }()
	b.Cleanup(func() { _ = u.srv.Close() })
	return u
}

// gatewayBenchServer starts the real quire serve in front of up, with
// limits far above the load and redaction on or off, and returns it with
// an API key.
func gatewayBenchServer(b *testing.B, bin string, up *fastUpstream, redaction bool) (*floodServer, string) {
	b.Helper()
	dir := b.TempDir()
	cfg := filepath.Join(dir, "quire.yaml")
	yaml := fmt.Sprintf(`server:
  max_in_flight: 4096
  max_in_flight_per_client: 4096
  max_conns_per_ip: 1024
ratelimit:
  per_ip: {rate: 1000000, period: 1s, burst: 1000000}
  per_user: {rate: 1000000, period: 1s, burst: 1000000}
  per_key: {rate: 1000000, period: 1s, burst: 1000000}
ai:
  providers:
    - {name: fast, kind: openai, base_url: %q, api_key: sk-bench, zdr: true, trains_on_data: false, models: [m], max_concurrent: 4096}
  redaction: {enabled: %t}
`, up.url, redaction)
	if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
		b.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	cmd := exec.Command(bin, "serve", "--config", cfg, "--data", data, "--addr", "127.0.0.1:0", "--http-addr", "")
	s := startedServer(b, cmd)
	b.Cleanup(func() {
		if s.cmd.ProcessState == nil { // not stopped by the benchmark
			s.stop(b)
		}
	})
	return s, benchAPIKey(b, s.url, data)
}

// benchAPIKey signs up, confirms the address from the outbox, and creates
// an API key.
func benchAPIKey(b *testing.B, base, data string) string {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	post := func(path string, body any) map[string]any {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
		req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
		req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode >= 300 {
			b.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
		}
		return out
	}
	const pw = "a long gateway benchmark passphrase"
	post("/api/v1/auth/signup", map[string]string{"email": "bench@example.com", "password": pw})
	token := ""
	link := regexp.MustCompile(`token=3D([A-Za-z0-9_=\-\r\n]+)|token=([A-Za-z0-9_\-]+)`)
	for deadline := time.Now().Add(20 * time.Second); token == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(data, "outbox", "*-verify_email-*.eml"))
		for _, f := range files {
			raw, _ := os.ReadFile(f)
			if m := link.FindSubmatch(raw); m != nil && bytes.Contains(raw, []byte("verify")) {
				token = strings.NewReplacer("=\r\n", "", "=\n", "").Replace(string(append(m[1], m[2]...)))
			}
		}
	}
	if token == "" {
		b.Fatal("no verification email")
	}
	post("/api/v1/auth/verify-email", map[string]string{"token": token})
	key, _ := post("/api/v1/api-keys", map[string]string{"name": "bench", "password": pw})["key"].(string)
	if key == "" {
		b.Fatal("no API key")
	}
	return key
}

// gwClient is a keep-alive client with room for conns connections.
func gwClient(conns int) *http.Client {
	return &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
}

// gwCall is one chat call: its latency, and for a stream the time to the
// first chunk.
type gwCall struct{ total, first time.Duration }

// chatCall sends one chat request to base (the gateway or the upstream) and
// reads the whole answer.
func chatCall(c *http.Client, base, key, prompt string, stream bool) (gwCall, error) {
	body := fmt.Sprintf(`{"model":"m","stream":%t,"messages":[{"role":"user","content":%q}]}`, stream, prompt)
	req, _ := http.NewRequest(http.MethodPost, base+"/chat/completions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return gwCall{}, err
	}
	defer resp.Body.Close()
	var call gwCall
	if stream {
		br := bufio.NewReader(resp.Body)
		for {
			line, err := br.ReadString('\n')
			if call.first == 0 && strings.HasPrefix(line, "data: ") {
				call.first = time.Since(t0)
			}
			if err != nil {
				break
			}
		}
	} else {
		_, _ = io.Copy(io.Discard, resp.Body)
	}
	call.total = time.Since(t0)
	if resp.StatusCode != http.StatusOK {
		return call, fmt.Errorf("status %d", resp.StatusCode)
	}
	return call, nil
}

// sequential runs n calls to each of the two bases, alternating, so that
// both see the same machine.
func sequential(b *testing.B, c *http.Client, gw, up, key, prompt string, stream bool, n int) (via, direct []gwCall) {
	b.Helper()
	for range 50 { // warm the connections
		_, _ = chatCall(c, gw, key, prompt, stream)
		_, _ = chatCall(c, up, key, prompt, stream)
	}
	for range n {
		v, err := chatCall(c, gw, key, prompt, stream)
		if err != nil {
			b.Fatalf("via the gateway: %v", err)
		}
		d, err := chatCall(c, up, key, prompt, stream)
		if err != nil {
			b.Fatalf("direct: %v", err)
		}
		via, direct = append(via, v), append(direct, d)
	}
	return via, direct
}

// openLoop sends rate requests a second to base for d and returns the
// latencies of those that succeeded, and how many failed.
func openLoop(c *http.Client, base, key, prompt string, rate int, d time.Duration) ([]time.Duration, int) {
	var (
		mu     sync.Mutex
		lat    []time.Duration
		failed int
		wg     sync.WaitGroup
	)
	start := time.Now()
	n := int(d.Seconds() * float64(rate))
	for i := range n {
		at := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(at))
		wg.Go(func() {
			call, err := chatCall(c, base, key, prompt, false)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				return
			}
			lat = append(lat, call.total)
		})
	}
	wg.Wait()
	return lat, failed
}

func totals(calls []gwCall) []time.Duration {
	out := make([]time.Duration, len(calls))
	for i, c := range calls {
		out[i] = c.total
	}
	return out
}

func firsts(calls []gwCall) []time.Duration {
	out := make([]time.Duration, len(calls))
	for i, c := range calls {
		out[i] = c.first
	}
	return out
}

// pct is percentile on a copy.
func pct(lat []time.Duration, p int) time.Duration {
	return percentile(slices.Clone(lat), p)
}

func µs(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// BenchmarkGatewayAdded measures what the real quire serve adds to a chat
// call against an upstream that answers at once, with redaction off (the
// issue's target: ≤ 50 µs median, ≤ 250 µs p99) and on:
//
//   - seq-*: one call at a time, alternating between the gateway and the
//     upstream directly; added-p50/p99 are the differences of the
//     percentiles.
//   - rate-*: 1,000 calls a second for 3 s, open loop, each way.
//   - stream-*: time to the first chunk, and the added cost per chunk
//     (the added total minus the added first-chunk time, over 20 chunks).
//
// Memory per stream is measured in process, where the heap can be read
// after a collection: BenchmarkStreamMemory in gateway/endpoint.
//
// Client, upstream and server share the machine's cores.
func BenchmarkGatewayAdded(b *testing.B) {
	bin := buildQuire(b)
	up := startFastUpstream(b)
	for b.Loop() {
		b.StopTimer()
		s, key := gatewayBenchServer(b, bin, up, false)
		gw := s.url + "/v1"
		c := gwClient(512)
		prompt := "Summarise the meeting notes in three bullet points, please."

		via, direct := sequential(b, c, gw, up.url, key, prompt, false, gwSequential)
		v, d := totals(via), totals(direct)
		b.ReportMetric(µs(pct(v, 50)-pct(d, 50)), "seq-added-p50-µs")
		b.ReportMetric(µs(pct(v, 99)-pct(d, 99)), "seq-added-p99-µs")
		b.ReportMetric(µs(pct(d, 50)), "seq-direct-p50-µs")

		rv, fv := openLoop(c, gw, key, prompt, gwRate, gwRatePhase)
		rd, fd := openLoop(c, up.url, key, prompt, gwRate, gwRatePhase)
		b.ReportMetric(µs(pct(rv, 50)-pct(rd, 50)), "rate-added-p50-µs")
		b.ReportMetric(µs(pct(rv, 99)-pct(rd, 99)), "rate-added-p99-µs")
		b.ReportMetric(float64(fv+fd), "rate-failed")

		sv, sd := sequential(b, c, gw, up.url, key, prompt, true, gwSequential/4)
		b.ReportMetric(µs(pct(firsts(sv), 50)-pct(firsts(sd), 50)), "stream-first-added-p50-µs")
		addedTotal := pct(totals(sv), 50) - pct(totals(sd), 50)
		addedFirst := pct(firsts(sv), 50) - pct(firsts(sd), 50)
		b.ReportMetric(µs(addedTotal-addedFirst)/gwChunks, "stream-per-chunk-added-µs")

		c.CloseIdleConnections()
		s.stop(b)

		// Redaction on: the same sequential series.
		sr, keyR := gatewayBenchServer(b, bin, up, true)
		cr := gwClient(8)
		pii := prompt + " Mail ada@example.com or call +44 20 7946 0958 about card 4111 1111 1111 1111. " + strings.Repeat("Plain prose about the quarterly plan. ", 40)
		via, direct = sequential(b, cr, sr.url+"/v1", up.url, keyR, pii, false, gwSequential)
		b.ReportMetric(µs(pct(totals(via), 50)-pct(totals(direct), 50)), "redact-2KB-seq-added-p50-µs")
		cr.CloseIdleConnections()
		sr.stop(b)
		b.StartTimer()
	}
}
