package http

import (
	"mime"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// TestContentDisposition checks the header of downloads on names that
// need each kind of escaping.
func TestContentDisposition(t *testing.T) {
	for name, want := range map[string]string{
		"report.pdf":        `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
		"a b;c=d.txt":       `attachment; filename="a b;c=d.txt"; filename*=UTF-8''a%20b%3Bc%3Dd.txt`,
		`quote".txt`:        `attachment; filename="quote_.txt"; filename*=UTF-8''quote%22.txt`,
		"100%.txt":          `attachment; filename="100_.txt"; filename*=UTF-8''100%25.txt`,
		"日本語.md":            `attachment; filename="___.md"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.md`,
		"emoji 🎉.png":       `attachment; filename="emoji _.png"; filename*=UTF-8''emoji%20%F0%9F%8E%89.png`,
		"x'y(z)[1]{2}*.txt": `attachment; filename="x'y(z)[1]{2}*.txt"; filename*=UTF-8''x%27y%28z%29%5B1%5D%7B2%7D%2A.txt`,
	} {
		if got := contentDisposition(name); got != want {
			t.Errorf("contentDisposition(%q)\n got %s\nwant %s", name, got, want)
		}
	}
}

// FuzzContentDisposition: for every name the store accepts, the header
// holds no byte that could end or split it, its plain filename is ASCII,
// and a standard parser reads the exact name back from it.
func FuzzContentDisposition(f *testing.F) {
	for _, s := range []string{"a.txt", `"quoted"`, "100%", "日本語", "a\\b", "semi;colon", "tab\there", "'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name, err := quire.CleanFileName(raw)
		if err != nil {
			return
		}
		h := contentDisposition(name)
		if strings.ContainsAny(h, "\r\n\x00") {
			t.Fatalf("header %q can be split", h)
		}
		for i := 0; i < len(h); i++ {
			if h[i] < 0x20 || h[i] > 0x7e {
				t.Fatalf("header %q holds byte %#x", h, h[i])
			}
		}
		typ, params, err := mime.ParseMediaType(h)
		if err != nil || typ != "attachment" || params["filename"] != name {
			t.Fatalf("header %q parses as %q %q (%v), want the name %q", h, typ, params, err, name)
		}
	})
}
