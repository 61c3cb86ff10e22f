package mail

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/quirehq/quire"
)

// linkLine is how a reader takes the action link out of a message: the
// only line of the text part that is a URL and nothing else.
var linkLine = regexp.MustCompile(`(?m)^(https?://\S+)\r?$`)

// eml is a parsed message: its header and its decoded text and HTML parts.
type eml struct {
	header     mail.Header
	text, html string
}

// parseEML parses raw as an RFC 5322 message with a multipart/alternative
// body, failing the test on anything else.
func parseEML(t *testing.T, raw []byte) eml {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ReadMessage: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	out := eml{header: msg.Header}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("NextRawPart: %v", err)
		}
		body := decodePart(t, p)
		switch ct := p.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/plain"):
			out.text = body
		case strings.HasPrefix(ct, "text/html"):
			out.html = body
		default:
			t.Fatalf("unexpected part %q", ct)
		}
	}
	if out.text == "" || out.html == "" {
		t.Fatalf("message lacks a text or an HTML part")
	}
	return out
}

// decodePart returns p's body, decoded from its transfer encoding.
func decodePart(t *testing.T, p *multipart.Part) string {
	t.Helper()
	var r io.Reader = p
	switch cte := p.Header.Get("Content-Transfer-Encoding"); cte {
	case "quoted-printable":
		r = quotedprintable.NewReader(p)
	case "8bit", "7bit":
	default:
		t.Fatalf("unexpected transfer encoding %q", cte)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read part: %v", err)
	}
	return string(b)
}

// readEML reads and parses the file at path.
func readEML(t *testing.T, path string) eml {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseEML(t, raw)
}

// wantCode fails the test unless err is a *quire.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var qe *quire.Error
	if !errors.As(err, &qe) || qe.Code != code {
		t.Fatalf("error = %v, want *quire.Error with code %q", err, code)
	}
}

// dirNames returns the names of the entries of dir; a missing dir has none.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	} else if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names
}
