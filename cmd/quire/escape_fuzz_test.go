package main

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzEscapeControls checks what a stranger's text can put on the
// operator's terminal: valid UTF-8 with no control, format, line or
// paragraph separator character, but newline and tab (and, on one line,
// not those either).
func FuzzEscapeControls(f *testing.F) {
	for _, s := range []string{"plain", "\x1b[2J\x07", "\u202egnp.exe", "a\u2028b\u2029c", "\xff\xfe", "\r\n\t", "\u0085\u200b\ufeff", "\U000e0001"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, oneLine := range []bool{false, true} {
			out := escapeText(s, oneLine)
			if !utf8.ValidString(out) {
				t.Fatalf("escapeText(%q, %t) = %q is not UTF-8", s, oneLine, out)
			}
			if i := strings.IndexFunc(out, func(r rune) bool {
				if (r == '\n' || r == '\t') && !oneLine {
					return false
				}
				return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || unicode.In(r, unicode.Zl, unicode.Zp)
			}); i >= 0 {
				t.Fatalf("escapeText(%q, %t) = %q holds %U", s, oneLine, out, []rune(out[i:])[0])
			}
		}
	})
}
