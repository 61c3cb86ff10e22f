package shield

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// tokenAlphabet is the pre-filter's token alphabet; fuzz bytes outside it
// are mapped into it, so that inputs stay in the class while keeping
// whatever letters and digits the fuzzer (or a seed keyword) put there.
const tokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func tokenise(s string) string {
	b := []byte(s)
	for i, c := range b {
		if strings.IndexByte(tokenAlphabet, c) < 0 {
			b[i] = tokenAlphabet[int(c)%len(tokenAlphabet)]
		}
	}
	return string(b)
}

// pathOf makes an absolute path of plain segments from s.
func pathOf(s string) string {
	var segs []string
	for _, seg := range strings.Split(s, "/") {
		if seg = tokenise(seg); seg != "" {
			segs = append(segs, seg)
		}
	}
	return "/" + strings.Join(segs, "/")
}

// hostOf makes a host name from s; the class check decides whether it is
// one the class admits.
func hostOf(s string) string {
	var labels []string
	for _, l := range strings.Split(strings.ToLower(s), ".") {
		if l = strings.Trim(strings.ReplaceAll(tokenise(l), "_", "-"), "-"); l != "" {
			labels = append(labels, l)
		}
	}
	return strings.Join(append(labels, "example", "com"), ".")
}

// FuzzPrefilter checks the pre-filter's promise on requests of its class
// made from fuzz input, at every paranoia level: whatever it judges clean,
// the full rules find nothing in.
func FuzzPrefilter(f *testing.F) {
	for _, s := range [][4]string{
		{"notes/abc", "__Host-quire_session", "Zk3xT9vQ2mLpR7sW4nB8yC1dF6gH0jK5aE3uI9oP2qA", "quire"},
		{"0x2e0x2e/etc/passwd", "s", "runtimebase64data", "java.lang.runtime"},
		{"WEB-INF/web", "__proto__", "constructor-prototype", "localhost"},
		{"AAAeDtldmFsKDEp", "session", "1-union-select-password", "cafe"},
		{"wp-admin/admin-ajax", "PHPSESSID", "Invoke-Expression", "x"},
		{"etc/shadow", "id", "0x41414141", "select"},
	} {
		for pl := range 4 {
			f.Add(s[0], s[1], s[2], s[3], uint8(pl))
		}
	}
	f.Fuzz(func(t *testing.T, path, name, value, host string, pl uint8) {
		if len(path)+len(name)+len(value)+len(host) > 2048 {
			return
		}
		cfg := Config{ParanoiaLevel: 1 + int(pl%4)}
		p, h := pathOf(path), hostOf(host)
		cookie := tokenise(name) + "=" + tokenise(value)
		if tokenise(name) == "" {
			cookie = "s=" + tokenise(value)
		}
		checkClean(t, cfg, classRequest(p, h, cookie, "https://"+h+p, "Bearer "+tokenise(value+"0123456789abcdef")), "fuzz input")
	})
}

// FuzzJSONArgs: the extraction of a (possibly cut) JSON body never fails,
// stays within its bounds, and finds every scalar of a whole document.
func FuzzJSONArgs(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `[1,2,{"x":null}]`, `{"a":{"b":[true,"c"]}}`, `{"a":"cut`, `"x"`, `{}`, `[[[[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		args := jsonArgs(data)
		if len(args) > maxArgs {
			t.Fatalf("%d args", len(args))
		}
		for _, a := range args {
			if !strings.HasPrefix(a.key, "json") {
				t.Fatalf("key %q", a.key)
			}
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&v) != nil || dec.More() {
			return
		}
		if n := scalars(v, 0); n <= maxArgs && n != len(args) && depth(v) <= maxJSONDepth {
			t.Fatalf("%d scalars in the document, %d args", n, len(args))
		}
	})
}

func scalars(v any, _ int) int {
	switch t := v.(type) {
	case map[string]any:
		n := 0
		for _, x := range t {
			n += scalars(x, 0)
		}
		return n
	case []any:
		n := 0
		for _, x := range t {
			n += scalars(x, 0)
		}
		return n
	}
	return 1
}

func depth(v any) int {
	d := 0
	switch t := v.(type) {
	case map[string]any:
		for _, x := range t {
			d = max(d, depth(x))
		}
	case []any:
		for _, x := range t {
			d = max(d, depth(x))
		}
	default:
		return 1
	}
	return d + 1
}

// FuzzMultipartArgs: the extraction of a multipart body never fails and
// stays within its bounds.
func FuzzMultipartArgs(f *testing.F) {
	f.Add([]byte(multipartBody("a", "b", "c")), testBoundary, true)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb"), "x", false)
	f.Fuzz(func(t *testing.T, data []byte, boundary string, whole bool) {
		args, _ := multipartArgs(data, boundary, whole)
		if len(args) > maxArgs {
			t.Fatalf("%d args", len(args))
		}
		total := 0
		for _, a := range args {
			total += len(a.value)
		}
		if total > len(data) {
			t.Fatalf("%d bytes of values from %d bytes", total, len(data))
		}
	})
}
