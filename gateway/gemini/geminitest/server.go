package geminitest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway/internal/goldentest"
)

// Request is one request the fake received.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Scenario is the golden file the request named (without ".http").
	Scenario string
}

// JSON decodes the body as a JSON object.
func (r Request) JSON() (map[string]any, error) {
	var m map[string]any
	err := json.Unmarshal(r.Body, &m)
	return m, err
}

// Server is a fake Gemini API and Vertex AI upstream.
type Server struct {
	// URL is the API root to configure as base URL ("http://127.0.0.1:N").
	URL string
	// TokenURL is the OAuth2 token endpoint, once ServeTokens was called.
	TokenURL string

	fake *goldentest.Server

	mu        sync.Mutex
	tokenKey  *rsa.PublicKey
	lifetimes []time.Duration
	issued    map[string]time.Time // access token → expiry
	tokens    []string             // in the order issued
	tokenReqs []Request
}

// New starts a fake serving golden files from fsys and stops it when the
// test ends.
func New(tb testing.TB, fsys fs.FS) *Server {
	tb.Helper()
	s := &Server{issued: map[string]time.Time{}}
	s.fake = goldentest.New(fsys, goldentest.Options{Scenario: scenario, NotFound: notFound, Admit: s.admit})
	s.URL = goldentest.Start(tb, http.HandlerFunc(s.serve))
	return s
}

// SplitEvery makes event-stream bodies be written in pieces of n bytes
// (when n > 0) instead of one event at a time.
func (s *Server) SplitEvery(n int) { s.fake.SplitEvery(n) }

// StopRecording stops keeping requests (for benchmarks).
func (s *Server) StopRecording() { s.fake.StopRecording() }

// Handle answers scenario name with h instead of a golden file.
func (s *Server) Handle(name string, h http.HandlerFunc) { s.fake.Handle(name, h) }

// Requests returns the API requests received so far (token requests are
// apart, in TokenRequests).
func (s *Server) Requests() []Request {
	var out []Request
	for _, r := range s.fake.Requests() {
		out = append(out, Request(r))
	}
	return out
}

// Last returns the most recent API request, or the zero Request.
func (s *Server) Last() Request { return Request(s.fake.Last()) }

// Disconnects reports the scenarios whose client went away during an
// X-Fake-Hang response.
func (s *Server) Disconnects() <-chan string { return s.fake.Disconnects() }

// ServeTokens turns on the token endpoint: it accepts JWT bearer
// assertions signed with the private half of key, and issues access
// tokens that expire after lifetimes[n] for the n-th token (the last
// lifetime repeats; 3599s, Google's, if none is given). It returns
// TokenURL, to put in a service-account key's token_uri.
func (s *Server) ServeTokens(key *rsa.PublicKey, lifetimes ...time.Duration) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenKey, s.lifetimes = key, lifetimes
	s.TokenURL = s.URL + "/token"
	return s.TokenURL
}

// Tokens returns the access tokens issued so far, in order.
func (s *Server) Tokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.tokens...)
}

// TokenRequests returns the requests the token endpoint received.
func (s *Server) TokenRequests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.tokenReqs...)
}

// serve sends the token endpoint's requests to serveToken, apart from
// the API's.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/token" {
		s.serveToken(w, Request(goldentest.Capture(r)))
		return
	}
	s.fake.ServeHTTP(w, r)
}

// admit refuses an API request whose bearer token the token endpoint did
// not issue or that expired, as Google does.
func (s *Server) admit(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	authErr := s.checkBearer(r.Header.Get("Authorization"))
	s.mu.Unlock()
	if authErr == "" {
		return true
	}
	writeJSON(w, http.StatusUnauthorized, `{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.","status":"UNAUTHENTICATED","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"`+authErr+`","domain":"googleapis.com","metadata":{"service":"aiplatform.googleapis.com","method":"google.cloud.aiplatform.v1.PredictionService.GenerateContent"}}]}}`)
	return false
}

// checkBearer returns the ErrorInfo reason for a bearer token the token
// endpoint did not issue or that expired, or "" (no token, or a good
// one). s.mu is held.
func (s *Server) checkBearer(auth string) string {
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || s.tokenKey == nil {
		return ""
	}
	exp, ok := s.issued[tok]
	switch {
	case !ok:
		return "ACCESS_TOKEN_TYPE_UNSUPPORTED"
	case time.Now().After(exp):
		return "ACCESS_TOKEN_EXPIRED"
	}
	return ""
}

// scenario is what the request names: the model of a model method, or
// the model list (with its page token).
func scenario(r *http.Request, _ []byte) string {
	p := r.URL.Path
	if r.Method == http.MethodGet {
		name := ""
		switch {
		case strings.HasSuffix(p, "/publishers/google/models"):
			name = "vertex_models"
		case strings.HasSuffix(p, "/models"):
			name = "models"
		}
		if name != "" {
			if tok := r.URL.Query().Get("pageToken"); tok != "" {
				name += "_" + tok
			}
			return name
		}
	}
	last := p[strings.LastIndexByte(p, '/')+1:]
	model, _, _ := strings.Cut(last, ":")
	return model
}

// writeJSON writes a JSON answer with Google's usual headers.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Server", "scaffolding on HTTPServer2")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// notFound answers a model with no golden file, as the API does.
func notFound(w http.ResponseWriter, name string) {
	msg, _ := json.Marshal("models/" + name + " is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.")
	writeJSON(w, http.StatusNotFound, `{"error":{"code":404,"message":`+string(msg)+`,"status":"NOT_FOUND"}}`)
}

// Golden returns the parsed golden file name, for tests that compare
// against it.
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

// serveToken is Google's OAuth2 token endpoint for the JWT bearer grant
// (RFC 7523), as service-account credentials use it.
func (s *Server) serveToken(w http.ResponseWriter, rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenReqs = append(s.tokenReqs, rec)
	if s.tokenKey == nil {
		writeJSON(w, http.StatusNotFound, `{"error":"not_found"}`)
		return
	}
	form, err := url.ParseQuery(string(rec.Body))
	if err != nil || rec.Method != http.MethodPost || form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		writeJSON(w, http.StatusBadRequest, `{"error":"unsupported_grant_type","error_description":"Invalid grant_type: "}`)
		return
	}
	if err := s.verifyAssertion(form.Get("assertion")); err != nil {
		writeJSON(w, http.StatusBadRequest, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)
		return
	}
	life := 3599 * time.Second
	if n := len(s.tokens); len(s.lifetimes) > 0 {
		life = s.lifetimes[min(n, len(s.lifetimes)-1)]
	}
	tok := fmt.Sprintf("ya29.c.b0Aaek%02d%s", len(s.tokens), rand.Text())
	s.tokens = append(s.tokens, tok)
	s.issued[tok] = time.Now().Add(life)
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"access_token":%q,"expires_in":%d,"token_type":"Bearer"}`, tok, int(life/time.Second)))
}

// verifyAssertion checks a service account's JWT: RS256 signed with the
// configured key, for this token endpoint, asking for a scope, and
// current. s.mu is held.
func (s *Server) verifyAssertion(jwt string) error {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var header struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	var claims struct {
		Iss   string `json:"iss"`
		Scope string `json:"scope"`
		Aud   string `json:"aud"`
		Exp   int64  `json:"exp"`
		Iat   int64  `json:"iat"`
	}
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "RS256" {
		return errors.New("bad header")
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return errors.New("bad claims")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(s.tokenKey, crypto.SHA256, sum[:], sig); err != nil {
		return err
	}
	now := time.Now().Unix()
	if claims.Iss == "" || claims.Scope == "" || claims.Aud != s.TokenURL || claims.Exp < now || claims.Iat > now+60 {
		return errors.New("bad claims")
	}
	return nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
