package breach

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// errPattern is every error parseRange may return: fixed text only.
var errPattern = regexp.MustCompile(`^malformed range response: line \d+: (want 35 hex digits, a colon and a count|bad count)$`)

const suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		name string
		body string
		want int64
		bad  bool
	}{
		{"found", "00000000000000000000000000000000001:3\r\n" + suffix + ":10434004\r\n", 10434004, false},
		{"lower case", strings.ToLower(suffix) + ":7", 7, false},
		{"LF", "00000000000000000000000000000000001:3\n" + suffix + ":2\n", 2, false},
		{"padding", suffix + ":0\r\n", 0, false},
		{"absent", "00000000000000000000000000000000001:3", 0, false},
		{"empty", "", 0, false},
		{"short suffix", suffix[1:] + ":3", 0, true},
		{"long suffix", suffix + "0:3", 0, true},
		{"not hex", strings.Replace(suffix, "E", "G", 1) + ":3", 0, true},
		{"no colon", suffix + "3", 0, true},
		{"no count", suffix + ":", 0, true},
		{"negative", suffix + ":-3", 0, true},
		{"plus", suffix + ":+3", 0, true},
		{"space", suffix + ": 3", 0, true},
		{"huge count", suffix + ":99999999999999999999", 0, true},
		{"html", "<html><body>error</body></html>", 0, true},
		{"NUL", suffix + ":3\x00", 0, true},
	} {
		got, err := parseRange([]byte(c.body), suffix)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("%s: parseRange = %d, %v; want %d, error %v", c.name, got, err, c.want, c.bad)
		}
	}
}

// FuzzParseRange checks that parseRange never panics, that a count comes
// only from a line with the suffix, and that errors never echo the body.
func FuzzParseRange(f *testing.F) {
	f.Add([]byte("00000000000000000000000000000000001:3\r\n"+suffix+":10\r\n"), suffix)
	f.Add([]byte(strings.ToLower(suffix)+":0\n"), suffix)
	f.Add([]byte("\r\n\r\n:"), "")
	f.Fuzz(func(t *testing.T, body []byte, s string) {
		n, err := parseRange(body, s)
		if err != nil {
			if n != 0 || !errPattern.MatchString(err.Error()) {
				t.Fatalf("count %d with error %q", n, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("negative count %d", n)
		}
		if n > 0 && (len(s) != suffixLen || !bytes.Contains(bytes.ToLower(body), []byte(strings.ToLower(s)+":"))) {
			t.Fatalf("count %d for suffix %q not in the body", n, s)
		}
	})
}
