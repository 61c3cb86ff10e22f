package trust

import "testing"

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		in      string
		want    hsts
		wantErr bool
	}{
		{"max-age=31536000; includeSubDomains", hsts{31536000, true, false}, false},
		{"max-age=63072000; includeSubDomains; preload", hsts{63072000, true, true}, false},
		{`MAX-AGE="31536000";INCLUDESUBDOMAINS`, hsts{31536000, true, false}, false},
		{"  max-age = 100 ;  ", hsts{100, false, false}, false},
		{"includeSubDomains; max-age=0", hsts{0, true, false}, false},
		{"max-age=99999999999999999999999", hsts{1<<63 - 1, false, false}, false},
		{"max-age=1; unknown=x", hsts{1, false, false}, false},
		{"includeSubDomains", hsts{}, true},
		{"", hsts{}, true},
		{"max-age=", hsts{}, true},
		{"max-age", hsts{}, true},
		{"max-age=-1", hsts{}, true},
		{"max-age=1e9", hsts{}, true},
		{"max-age=31536000; max-age=1", hsts{}, true},
		{"max-age=1; includeSubDomains; includesubdomains", hsts{}, true},
	}
	for _, tt := range tests {
		got, err := parseHSTS(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("parseHSTS(%q) = %+v, %v; want %+v, error %t", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// FuzzParseHSTS feeds the parser header values a server under test could
// send: it must never panic, and an accepted header has a non-negative
// max-age.
func FuzzParseHSTS(f *testing.F) {
	for _, s := range []string{"max-age=31536000; includeSubDomains", `max-age="5"`, ";;;", "max-age=1;max-age=2", "\x00=\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHSTS(s)
		if err == nil && h.maxAge < 0 {
			t.Fatalf("parseHSTS(%q) accepted a negative max-age", s)
		}
		if err != nil && h != (hsts{}) {
			t.Fatalf("parseHSTS(%q) returned values with an error", s)
		}
	})
}
