package redact

import (
	"os"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

// benchProse returns about n bytes of ordinary prose (testdata/prose.txt,
// repeated) with three entities in every 2 KB.
func benchProse(b testing.TB, n int) string {
	prose := string(must(os.ReadFile("testdata/prose.txt")))
	paras := strings.Split(prose, "\n\n")
	entities := []string{
		"Write to olga.petrova@example.com about it.",
		"Her number is +44 20 7946 0958.",
		"The invoice went to IBAN GB82 WEST 1234 5698 7654 32.",
		"The server is 198.51.100.23.",
		"Card 4111 1111 1111 1111 was charged.",
	}
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		p := paras[i%len(paras)]
		if i%2 == 0 {
			p += " " + entities[(i/2)%len(entities)]
		}
		sb.WriteString(p)
		sb.WriteString("\n\n")
	}
	return sb.String()[:n]
}

func benchRedact(b *testing.B, n int, o Options) {
	r, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	text := benchProse(b, n)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r.Session().Redact(text)
	}
}

func BenchmarkRedact2KB(b *testing.B)  { benchRedact(b, 2<<10, Options{}) }
func BenchmarkRedact32KB(b *testing.B) { benchRedact(b, 32<<10, Options{}) }

// BenchmarkRedact32KBNoSecrets leaves the gitleaks rules out, to show what
// they cost.
func BenchmarkRedact32KBNoSecrets(b *testing.B) {
	benchRedact(b, 32<<10, Options{Kinds: []Kind{Email, Phone, CardNumber, IBAN, NationalID, IPAddress}})
}

// BenchmarkNew measures the compilation done once at start: gitleaks'
// default configuration parsed, its regexes compiled, the keyword
// automaton and the rule windows built.
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for range b.N {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRestore32KB(b *testing.B) {
	s := mustRedactor(b).Session()
	red := s.Redact(benchProse(b, 32<<10))
	b.SetBytes(int64(len(red)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.Restore(red)
	}
}

// BenchmarkStream restores a 32 KB answer streamed in 16-byte fragments.
func BenchmarkStream(b *testing.B) {
	s := mustRedactor(b).Session()
	red := s.Redact(benchProse(b, 32<<10))
	var evs []gateway.Event
	for i := 0; i < len(red); i += 16 {
		evs = append(evs, gateway.Event{Type: gateway.EventText, Text: red[i:min(i+16, len(red))]})
	}
	b.SetBytes(int64(len(red)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		st := s.Stream(gateway.SliceStream(evs, nil))
		for {
			if _, err := st.Next(); err != nil {
				break
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
