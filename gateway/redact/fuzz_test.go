package redact

import (
	"encoding/json"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/quirehq/quire/gateway"
)

func fuzzSeeds(f *testing.F) []string {
	seeds := []string{
		"", "[", "[EMAIL_1]", "[EMAIL_1] bob@example.com [EMAIL_2]", "[[PHONE_1]]", "[NATIONAL_ID_123456789]",
		"+44 20 7946 0958", "(212) 555-0199", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00",
		"536-22-1234 AB 12 34 56 C", "10.0.0.1 2001:db8::1 ::ffff:1.2.3.4", "user@bücher.de",
		`api_key = "f3Kq9ZxW2bLp7Rt4Vn8Mc1Yd"`, "\xff\xfe[EMAIL_\xff]", "a@b.c@d.ef",
		readTestdata(f, "prose.txt"), entitiesText(f),
	}
	for _, v := range sampleSecrets() {
		seeds = append(seeds, "token: "+v)
	}
	return seeds
}

// FuzzRoundTrip: Restore(Redact(x)) == x for every x, and every
// placeholder-shaped text in Redact(x) is one the session issued.
func FuzzRoundTrip(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	r := mustRedactor(f)
	f.Fuzz(func(t *testing.T, x string) {
		s := r.Session()
		red := s.Redact(x)
		if back := s.Restore(red); back != x {
			t.Fatalf("Restore(Redact(%q)) = %q (redacted %q)", x, back, red)
		}
		for _, sp := range findLiterals(red, nil) {
			if _, ok := s.values[red[sp.start:sp.end]]; !ok {
				t.Fatalf("%q in %q was not issued", red[sp.start:sp.end], red)
			}
		}
		// Redacting again in the same session is stable.
		if again := s.Restore(s.Restore(s.Redact(red))); again != x {
			t.Fatalf("double round trip of %q gave %q", x, again)
		}
	})
}

// FuzzStream: the restoring stream, fed the redaction of x cut at random
// points, yields x, as text and as tool-call arguments.
func FuzzStream(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, uint64(i))
	}
	r := mustRedactor(f)
	f.Fuzz(func(t *testing.T, x string, seed uint64) {
		s := r.Session()
		red := s.Redact(x)
		rng := rand.New(rand.NewPCG(seed, seed>>7))
		var evs []gateway.Event
		for last := 0; last < len(red); {
			n := min(len(red)-last, 1+rng.IntN(8))
			typ := gateway.EventText
			if rng.IntN(2) == 0 {
				typ = gateway.EventToolCallDelta
			}
			evs = append(evs, gateway.Event{Type: typ, Index: rng.IntN(3), Text: red[last : last+n]})
			last += n
		}
		// Each channel sees its own fragments in order; what each
		// restores must be the restoration of what it was sent.
		got, err := drain(t, s.Stream(gateway.SliceStream(evs, nil)))
		if err != io.EOF {
			t.Fatal(err)
		}
		for _, typ := range []gateway.EventType{gateway.EventText, gateway.EventToolCallDelta} {
			for i := range 3 {
				sent := texts(evs, typ, i)
				if want := s.restore(sent, typ == gateway.EventToolCallDelta); texts(got, typ, i) != want {
					t.Fatalf("%v %d: sent %q, got %q, want %q", typ, i, sent, texts(got, typ, i), want)
				}
			}
		}
		// All on one channel: the text itself comes back.
		for i := range evs {
			evs[i].Type, evs[i].Index = gateway.EventText, 0
		}
		got, _ = drain(t, s.Stream(gateway.SliceStream(evs, nil)))
		if texts(got, gateway.EventText, 0) != x {
			t.Fatalf("stream of %q gave %q", x, texts(got, gateway.EventText, 0))
		}
	})
}

// FuzzArguments: redacted tool-call arguments stay valid JSON when they
// were, are unchanged when there is nothing to redact, and restore to
// JSON that decodes to the same strings.
func FuzzArguments(f *testing.F) {
	for _, s := range []string{
		`{}`, `[]`, `"x"`, `1`, `null`, `{"a":"bob@example.com","b":[1,2,{"c":"10.0.0.1"}]}`,
		`{"card": 4111111111111111, "n": -1.5e10}`, `{"bob@example.com": true}`, `{"a": "\u0040\n\"[EMAIL_1]\""}`,
		`{"a":`, `{"a":1}{}`, "\"\xff\"",
	} {
		f.Add(s)
	}
	r := mustRedactor(f)
	f.Fuzz(func(t *testing.T, args string) {
		s := r.Session()
		out := s.redactArguments(args)
		valid := json.Valid([]byte(args))
		if valid && !json.Valid([]byte(out)) {
			t.Fatalf("%q redacted to invalid %q", args, out)
		}
		if len(s.values) == 0 && out != args {
			t.Fatalf("%q changed to %q with nothing redacted", args, out)
		}
		if !valid {
			if s.Restore(out) != args {
				t.Fatalf("text round trip of %q failed", args)
			}
			return
		}
		back := s.restore(out, true)
		if !json.Valid([]byte(back)) {
			t.Fatalf("%q restored to invalid %q", out, back)
		}
	})
}
