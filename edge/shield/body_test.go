package shield

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"slices"
	"strings"
	"testing"
)

// TestBodyReadableAfterInspection: the handler reads exactly what the
// client sent, for bodies below, at and above the limit.
func TestBodyReadableAfterInspection(t *testing.T) {
	t.Parallel()
	const limit = 1024
	s := mustShield(t, Config{BodyLimit: limit}, true)
	for _, n := range []int{1, limit - 1, limit, limit + 1, 5 * limit} {
		for _, ct := range []string{"application/json", "application/x-www-form-urlencoded", "application/xml"} {
			body := fillBody(ct, n)
			r := req("POST", "/api/v1/folders", body, [2]string{"Content-Type", ct})
			v := s.Inspect(r, "")
			if v.Blocked {
				t.Fatalf("%s of %d bytes blocked: %+v", ct, n, v)
			}
			if v.BodyTruncated != (n > limit) {
				t.Errorf("%s of %d bytes: BodyTruncated %v", ct, n, v.BodyTruncated)
			}
			got, err := io.ReadAll(r.Body)
			if err != nil || string(got) != body {
				t.Fatalf("%s of %d bytes: handler read %d bytes (%v), want the %d sent", ct, n, len(got), err, len(body))
			}
			if err := r.Body.Close(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fillBody returns a benign body of exactly n bytes of content type ct.
func fillBody(ct string, n int) string {
	switch ct {
	case "application/json":
		if n < 14 {
			return strings.Repeat("1", n)
		}
		return `{"t":"` + strings.Repeat("a", n-14) + `","n":1}`
	case "application/xml":
		if n < 7 {
			return strings.Repeat("a", n)
		}
		return "<a>" + strings.Repeat("b", n-7) + "</a>"
	}
	if n < 2 {
		return strings.Repeat("a", n)
	}
	return "a=" + strings.Repeat("b", n-2)
}

// TestBodyPrefixInspected: an attack within the first body_limit bytes of
// a longer body is found, in every body type; one after the limit is not
// (the documented trade-off).
func TestBodyPrefixInspected(t *testing.T) {
	t.Parallel()
	const limit = 2048
	s := mustShield(t, Config{BodyLimit: limit}, true)
	attack := "1' UNION SELECT password FROM users --"
	pad := strings.Repeat("x", 3*limit)
	cases := []struct{ name, ct, early, late string }{
		{"json", "application/json", `{"a":"` + attack + `","b":"` + pad + `"}`, `{"b":"` + pad + `","a":"` + attack + `"}`},
		{"form", "application/x-www-form-urlencoded", "a=" + attack + "&b=" + pad, "b=" + pad + "&a=" + attack},
		{"multipart", "", multipartBody("a", attack, pad), multipartBody("b", pad, attack)},
	}
	for _, c := range cases {
		ct := c.ct
		if ct == "" {
			ct = "multipart/form-data; boundary=" + testBoundary
		}
		v := s.Inspect(req("POST", "/api/v1/folders", c.early, [2]string{"Content-Type", ct}), "")
		if !v.Blocked || !v.BodyTruncated || !slices.Contains(v.Categories, "sqli") {
			t.Errorf("%s, attack in the first part: %+v", c.name, v)
		}
		v = s.Inspect(req("POST", "/api/v1/folders", c.late, [2]string{"Content-Type", ct}), "")
		if v.Blocked || !v.BodyTruncated {
			t.Errorf("%s, attack after the limit: %+v", c.name, v)
		}
	}
}

const testBoundary = "quireTestBoundary7MA4YWxkTrZu0gW"

// multipartBody has a field a, a file part f and a field b.
func multipartBody(firstName, first, second string) string {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary(testBoundary)
	_ = w.WriteField(firstName, first)
	fw, _ := w.CreateFormFile("f", "recording.webm")
	_, _ = fw.Write([]byte("\x1a\x45\xdf\xa3 binary"))
	_ = w.WriteField("z", second)
	_ = w.Close()
	return b.String()
}

func TestMultipartWhole(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{Bypass: []string{}}, true) // the upload route is a gateway route, bypassed by default
	ct := [2]string{"Content-Type", "multipart/form-data; boundary=" + testBoundary}
	if v := s.Inspect(req("POST", "/v1/audio/transcriptions", multipartBody("model", "whisper-1", "en"), ct), ""); v.Blocked {
		t.Fatalf("upload blocked: %+v", v)
	}
	v := s.Inspect(req("POST", "/v1/audio/transcriptions", multipartBody("model", "<script>alert(1)</script>", "en"), ct), "")
	if !v.Blocked || !slices.Contains(v.Categories, "xss") {
		t.Fatalf("XSS in a multipart field: %+v", v)
	}
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	_ = w.SetBoundary(testBoundary)
	fw, _ := w.CreateFormFile("f", "../../../../etc/passwd")
	_, _ = fw.Write([]byte("x"))
	_ = w.Close()
	if v := s.Inspect(req("POST", "/v1/audio/transcriptions", b.String(), ct), ""); !v.Blocked {
		t.Fatalf("traversal in a file name: %+v", v)
	}
	// A whole body that does not parse is refused, as Coraza's strict
	// multipart check would; a cut one is inspected as far as it goes.
	broken := "--" + testBoundary + "\r\n\x0eContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" + testBoundary + "--\r\n"
	v = s.Inspect(req("POST", "/v1/audio/transcriptions", broken, ct), "")
	if !v.Blocked || v.Status != http.StatusBadRequest || !slices.Contains(v.Categories, "request-body") {
		t.Fatalf("malformed multipart: %+v", v)
	}
	unclosed := strings.TrimSuffix(multipartBody("model", "whisper-1", "en"), "--"+testBoundary+"--\r\n")
	if v = s.Inspect(req("POST", "/v1/audio/transcriptions", unclosed, ct), ""); !v.Blocked {
		t.Fatalf("multipart without its closing boundary: %+v", v)
	}
}

// TestBodyReadError: the handler sees the error the body gave the shield,
// after the bytes read before it.
func TestBodyReadError(t *testing.T) {
	t.Parallel()
	s := mustShield(t, Config{BodyLimit: 1024}, true)
	boom := errors.New("boom")
	r := req("POST", "/api/v1/folders", "", [2]string{"Content-Type", "application/x-www-form-urlencoded"}, [2]string{"Content-Length", "100"})
	r.Body = io.NopCloser(io.MultiReader(strings.NewReader("hello"), errReader{boom}))
	r.ContentLength = -1
	v := s.Inspect(r, "")
	if v.Blocked || !v.BodyTruncated {
		t.Fatalf("verdict %+v", v)
	}
	got, err := io.ReadAll(r.Body)
	if string(got) != "hello" || !errors.Is(err, boom) {
		t.Fatalf("handler read %q, %v", got, err)
	}
}

// TestBodyBounded: the shield reads at most body_limit+1 bytes itself,
// whatever the body's size.
func TestBodyBounded(t *testing.T) {
	t.Parallel()
	const limit = 4096
	s := mustShield(t, Config{BodyLimit: limit}, true)
	src := &countingReader{r: io.LimitReader(zeros{}, 1<<30)}
	r := req("POST", "/api/v1/folders", "", [2]string{"Content-Type", "application/octet-stream"})
	r.Body = io.NopCloser(src)
	r.ContentLength = 1 << 30
	s.Inspect(r, "")
	if src.n > limit+1 {
		t.Fatalf("the shield read %d bytes of the body, limit %d", src.n, limit)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestJSONArgs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want []arg
	}{
		{`{"a":{"b":"x","c":[1,true,null]}}`, []arg{{"json.a.b", "x"}, {"json.a.c.0", "1"}, {"json.a.c.1", "true"}, {"json.a.c.2", ""}}},
		{`[{"a":"x"},"y"]`, []arg{{"json.0.a", "x"}, {"json.1", "y"}}},
		{`{"a":"complete","b":"cut sho`, []arg{{"json.a", "complete"}}},
		{`{"a":`, nil},
		{`not json`, nil},
	}
	for _, c := range cases {
		if got := jsonArgs([]byte(c.in)); !slices.Equal(got, c.want) {
			t.Errorf("jsonArgs(%s) = %v, want %v", c.in, got, c.want)
		}
	}
	deep := strings.Repeat("[", 5000) + `"x"` + strings.Repeat("]", 5000)
	if got := jsonArgs([]byte(deep)); len(got) != 0 {
		t.Errorf("a value below the depth limit was extracted: %d args", len(got))
	}
	var many strings.Builder
	many.WriteString("[")
	for i := range 3000 {
		fmt.Fprintf(&many, "%d,", i)
	}
	if got := jsonArgs([]byte(many.String())); len(got) != maxArgs {
		t.Errorf("%d args extracted, want the cap %d", len(got), maxArgs)
	}
}

func TestBodyKind(t *testing.T) {
	t.Parallel()
	for ct, want := range map[string]bodyType{
		"application/json":                    kindJSON,
		"Application/JSON; charset=utf-8":     kindJSON,
		"application/vnd.api+json":            kindJSON,
		"text/xml":                            kindXML,
		"application/soap+xml":                kindXML,
		"multipart/form-data; boundary=x":     kindMultipart,
		"application/x-www-form-urlencoded":   kindOther,
		"text/plain":                          kindOther,
		"":                                    kindOther,
		"application/json;;;; broken=\"":      kindJSON,
		"multipart/form-data; boundary=\"x\"": kindMultipart,
	} {
		if got, _ := bodyKind(ct); got != want {
			t.Errorf("bodyKind(%q) = %v, want %v", ct, got, want)
		}
	}
}
