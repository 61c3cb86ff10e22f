package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
)

// shared compiles one Redactor with every kind for the tests: New costs
// tens of milliseconds (the gitleaks rules).
var shared = sync.OnceValues(func() (*Redactor, error) { return New(Options{}) })

func mustRedactor(t testing.TB) *Redactor {
	t.Helper()
	r, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// entities returns what r finds in s, as "kind:text", in order; literal
// placeholders are left out.
func entities(r *Redactor, s string) []string {
	var out []string
	for _, sp := range r.find(s) {
		if !sp.literal {
			out = append(out, sp.kind.String()+":"+s[sp.start:sp.end])
		}
	}
	return out
}

func readTestdata(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// entitiesText returns testdata/entities.txt with its sample credential
// filled in.
func entitiesText(t testing.TB) string {
	t.Helper()
	return strings.ReplaceAll(readTestdata(t, "entities.txt"), "${GITHUB_PAT}", sampleSecrets()["github-pat"])
}

// The sample credentials below are assembled at run time from pieces, so
// that no secret scanner (GitHub push protection, gitleaks in CI) flags
// this source; they are random and were never issued.

// randString returns n characters of alphabet from a seeded generator.
func randString(rng *rand.Rand, alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	alnum   = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	upper2  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	decimal = "0123456789"
	b64     = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// sampleSecrets returns credentials in the formats of well-known gitleaks
// rules, by rule ID.
func sampleSecrets() map[string]string {
	rng := rand.New(rand.NewPCG(7, 11))
	b64url := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	var key strings.Builder
	key.WriteString("-----BEGIN " + "RSA PRIVATE" + " KEY-----\n")
	for range 6 {
		key.WriteString(randString(rng, b64, 64) + "\n")
	}
	key.WriteString("-----END " + "RSA PRIVATE" + " KEY-----")
	return map[string]string{
		"aws-access-token":    "AKI" + "A" + randString(rng, upper2, 16),
		"github-pat":          "gh" + "p_" + randString(rng, alnum, 36),
		"slack-bot-token":     "xox" + "b-" + randString(rng, decimal, 11) + "-" + randString(rng, decimal, 12) + "-" + randString(rng, alnum, 24),
		"stripe-access-token": "sk" + "_live_" + randString(rng, alnum, 24),
		"jwt": b64url(`{"alg":"HS256","typ":"JWT"}`) + "." +
			b64url(`{"sub":"1234567890","name":"Sample","iat":1516239022}`) + "." + randString(rng, alnum, 43),
		"private-key":    key.String(),
		"openai-api-key": "sk-" + "proj-" + randString(rng, alnum, 58) + "T3Blbk" + "FJ" + randString(rng, alnum, 58),
		"gcp-api-key":    "AI" + "za" + randString(rng, alnum, 35),
	}
}
