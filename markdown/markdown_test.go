package markdown

import (
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"golang.org/x/net/html"
)

// checkSafe fails unless out is HTML without a script element, without an
// event-handler attribute, and without a URL attribute whose scheme is not
// http, https or mailto (an img src: https only), and with no target.
func checkSafe(t testing.TB, in, out string) {
	t.Helper()
	if strings.Contains(strings.ToLower(out), "<script") {
		t.Fatalf("Render(%q) = %q: contains <script", in, out)
	}
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if !errors.Is(z.Err(), io.EOF) {
				t.Fatalf("Render(%q): output does not tokenize: %v", in, z.Err())
			}
			return
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "style", "iframe", "object", "embed", "form", "svg", "math", "base", "link", "meta":
			t.Fatalf("Render(%q) = %q: element %s survived", in, out, tok.Data)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(key, "on"):
				t.Fatalf("Render(%q) = %q: event handler %s survived", in, out, a.Key)
			case key == "style" || key == "id" || key == "target" || key == "srcset" || key == "formaction":
				t.Fatalf("Render(%q) = %q: attribute %s survived", in, out, a.Key)
			case key == "class" && !(tok.Data == "code" && strings.HasPrefix(a.Val, "language-")):
				t.Fatalf("Render(%q) = %q: class %q on %s survived", in, out, a.Val, tok.Data)
			case key == "href" || key == "cite":
				if u, err := url.Parse(a.Val); err != nil || u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "mailto" {
					t.Fatalf("Render(%q) = %q: %s=%q is not http, https or mailto", in, out, a.Key, a.Val)
				}
			case key == "src":
				if u, err := url.Parse(a.Val); err != nil || u.Scheme != "https" {
					t.Fatalf("Render(%q) = %q: src=%q is not https", in, out, a.Val)
				}
			}
			if strings.Contains(strings.ToLower(a.Val), "javascript:") {
				t.Fatalf("Render(%q) = %q: javascript: in %s", in, out, a.Key)
			}
		}
	}
}

func mustRender(t testing.TB, src string) string {
	t.Helper()
	h, err := Render(src)
	if err != nil {
		t.Fatalf("Render(%q): %v", src, err)
	}
	return string(h)
}

// TestRenderXSS runs vectors from the OWASP XSS Filter Evasion Cheat Sheet
// (and a few Markdown-specific ones) through Render.
func TestRenderXSS(t *testing.T) {
	vectors := []struct{ name, src string }{
		{"script tag", `<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>`},
		{"polyglot", "javascript:/*--></title></style></textarea></script></xmp><svg/onload='+/\"/+/onmouseover=1/+/[*/[]/+alert(1)//'>"},
		{"img javascript src", `<IMG SRC="javascript:alert('XSS');">`},
		{"img no quotes", `<IMG SRC=javascript:alert('XSS')>`},
		{"img case", `<IMG SRC=JaVaScRiPt:alert('XSS')>`},
		{"img html entities", `<IMG SRC=javascript:alert(&quot;XSS&quot;)>`},
		{"grave accent", "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>"},
		{"malformed a", `\<a onmouseover="alert(document.cookie)"\>xxs link\</a\>`},
		{"malformed img", `<IMG """><SCRIPT>alert("XSS")</SCRIPT>"\>`},
		{"fromCharCode", `<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>`},
		{"default src onerror", `<IMG SRC=# onmouseover="alert('xxs')">`},
		{"onerror", `<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>`},
		{"decimal entities", `<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>`},
		{"hex entities", `<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>`},
		{"embedded tab", "<IMG SRC=\"jav\tascript:alert('XSS');\">"},
		{"embedded newline", "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">"},
		{"spaces and meta", `<IMG SRC=" &#14;  javascript:alert('XSS');">`},
		{"non-alpha", `<SCRIPT/XSS SRC="http://xss.rocks/xss.js"></SCRIPT>`},
		{"body onload", `<BODY onload!#$%&()*~+-_.,:;?@[/|\]^` + "`" + `=alert("XSS")>`},
		{"extraneous brackets", `<<SCRIPT>alert("XSS");//\<</SCRIPT>`},
		{"no closing script", `<SCRIPT SRC=http://xss.rocks/xss.js?< B >`},
		{"title escape", `</TITLE><SCRIPT>alert("XSS");</SCRIPT>`},
		{"input image", `<INPUT TYPE="IMAGE" SRC="javascript:alert('XSS');">`},
		{"body background", `<BODY BACKGROUND="javascript:alert('XSS')">`},
		{"img dynsrc", `<IMG DYNSRC="javascript:alert('XSS')">`},
		{"svg onload", `<svg/onload=alert('XSS')>`},
		{"style tag", `<STYLE>li {list-style-image: url("javascript:alert('XSS')");}</STYLE><UL><LI>XSS</br>`},
		{"style attribute", `<DIV STYLE="background-image: url(javascript:alert('XSS'))">`},
		{"meta refresh", `<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert('XSS');">`},
		{"iframe", `<IFRAME SRC="javascript:alert('XSS');"></IFRAME>`},
		{"iframe event", `<IFRAME SRC=# onmouseover="alert(document.cookie)"></IFRAME>`},
		{"table background", `<TABLE BACKGROUND="javascript:alert('XSS')">`},
		{"object", `<OBJECT TYPE="text/x-scriptlet" DATA="http://xss.rocks/scriptlet.html"></OBJECT>`},
		{"embed data", `<EMBED SRC="data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==" type="image/svg+xml" AllowScriptAccess="always"></EMBED>`},
		{"base href", `<BASE HREF="javascript:alert('XSS');//">`},
		{"a with entity scheme", `<A HREF="&#x6A;avascript:alert(1)">x</A>`},
		{"a data uri", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`},
		{"a vbscript", `<a href="vbscript:msgbox(1)">x</a>`},
		{"form action", `<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>`},
		{"html comment conditional", `<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->`},
		{"markdown javascript link", `[click](javascript:alert(1))`},
		{"markdown javascript link encoded", `[click](jav&#x09;ascript:alert(1))`},
		{"markdown javascript image", `![x](javascript:alert(1))`},
		{"markdown data image", `![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`},
		{"markdown reference link", "[a][r]\n\n[r]: javascript:alert(1)"},
		{"markdown autolink", `<javascript:alert(1)>`},
		{"markdown link title break", `[a](https://x.test "t\" onmouseover=\"alert(1)")`},
		{"fenced class injection", "```go\" onclick=\"alert(1)\ncode\n```"},
		{"fenced class space", "```x onclick=alert(1)\ncode\n```"},
		{"target blank", `<a href="https://x.test" target="_blank" rel="opener">x</a>`},
		{"id clobbering", `<p id="__proto__" class="admin" style="position:fixed">x</p>`},
		{"http image", `<img src="http://tracker.test/p.gif">`},
		{"relative link", `<a href="/api/v1/me">x</a>`},
		{"protocol-relative link", `<a href="//evil.test/">x</a>`},
	}
	if len(vectors) < 20 {
		t.Fatal("the table must hold at least 20 vectors")
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			out := mustRender(t, v.src)
			checkSafe(t, v.src, out)
			if strings.Contains(strings.ToLower(out), "javascript:") && strings.Contains(out, "<a ") && strings.Contains(strings.ToLower(out), `href="javascript`) {
				t.Fatalf("Render(%q) = %q: javascript link", v.src, out)
			}
		})
	}
}

// TestRenderFeatures checks that the Markdown the product relies on comes
// out as it should, with the link, image and code rules of the policy.
func TestRenderFeatures(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
		notWant   []string
	}{
		{"heading without id", "# Title", []string{"<h1>Title</h1>"}, []string{"id="}},
		{"emphasis", "*a* **b** ~~c~~", []string{"<em>a</em>", "<strong>b</strong>", "<del>c</del>"}, nil},
		{"table", "| a | b |\n|:--|--:|\n| 1 | 2 |", []string{"<table>", `<th align="left">a</th>`, `<td align="right">2</td>`}, []string{"style="}},
		{"task list", "- [x] done\n- [ ] todo", []string{`<input checked="" disabled="" type="checkbox"> done`, `<input disabled="" type="checkbox"> todo`}, nil},
		{"link", "[q](https://quire.test/a?b=c)", []string{`<a href="https://quire.test/a?b=c" rel="nofollow noopener noreferrer">q</a>`}, []string{"target="}},
		{"autolink", "see https://quire.test now", []string{`<a href="https://quire.test" rel="nofollow noopener noreferrer">https://quire.test</a>`}, nil},
		{"www autolink", "see www.quire.test", []string{`href="http://www.quire.test"`}, nil},
		{"mailto", "[m](mailto:a@quire.test)", []string{`<a href="mailto:a@quire.test" rel="nofollow noopener noreferrer">m</a>`}, nil},
		{"raw link keeps only href", `<a href="https://q.test" target="_blank" rel="opener" title="t">x</a>`, []string{`<a href="https://q.test" title="t" rel="nofollow noopener noreferrer">x</a>`}, []string{"_blank", "opener\""}},
		{"https image", "![alt text](https://img.test/a.png)", []string{`<img src="https://img.test/a.png" alt="alt text">`}, nil},
		{"http image dropped src", "![alt](http://img.test/a.png)", []string{`<img alt="alt">`}, []string{"http://img.test"}},
		{"code language", "```go\nfmt.Println(\"<b>\")\n```", []string{`<pre><code class="language-go">fmt.Println(&#34;&lt;b&gt;&#34;)`}, nil},
		{"relative link dropped", "[x](/settings)", []string{"x"}, []string{"href"}},
		{"inline html kept", "H<sub>2</sub>O <kbd>Ctrl</kbd>", []string{"<sub>2</sub>", "<kbd>Ctrl</kbd>"}, nil},
		{"prose with shell words", "- cat the files\n- watch the logs\nSELECT * FROM plans", []string{"<li>cat the files</li>", "SELECT * FROM plans"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := mustRender(t, tt.src)
			checkSafe(t, tt.src, out)
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, out, w)
				}
			}
			for _, nw := range tt.notWant {
				if strings.Contains(out, nw) {
					t.Errorf("Render(%q) = %q, want no %q", tt.src, out, nw)
				}
			}
		})
	}
}

// TestRenderBounds refuses input over the note content limit and invalid
// UTF-8, and accepts input at the limit.
func TestRenderBounds(t *testing.T) {
	if _, err := Render(strings.Repeat("a", MaxInput+1)); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("Render(MaxInput+1 bytes) error = %v, want %s", err, quire.EINVALID)
	}
	if _, err := Render("ok \xff"); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("Render(invalid UTF-8) error = %v, want %s", err, quire.EINVALID)
	}
	if _, err := Render(strings.Repeat("word ", MaxInput/5)); err != nil {
		t.Fatalf("Render(at the limit): %v", err)
	}
	if MaxInput != quire.MaxNoteContent {
		t.Fatalf("MaxInput = %d, want the note content limit %d", MaxInput, quire.MaxNoteContent)
	}
}

// TestRelOnlyInTags guards the rel rewrite: the rel sequence typed as text
// must stay escaped text.
func TestRelOnlyInTags(t *testing.T) {
	out := mustRender(t, `text rel="nofollow noreferrer" here`)
	if strings.Contains(out, relAll) || !strings.Contains(out, "&#34;") {
		t.Fatalf("Render = %q: rel text was rewritten or not escaped", out)
	}
}

var onAttr = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)

// FuzzRender checks that no input panics Render or gets script, an event
// handler or a javascript: URL through.
func FuzzRender(f *testing.F) {
	for _, s := range []string{
		"# t\n\n- [x] a\n\n| a |\n|---|\n| b |",
		`<IMG SRC=JaVaScRiPt:alert('XSS')>`,
		`<a href="&#x6A;avascript:alert(1)">x</a>`,
		"[a](javascript:alert(1))",
		"<svg/onload=alert(1)>",
		"```x\" onclick=\"y\nz\n```",
		"<scr<script>ipt>alert(1)</script>",
		`<a href="https://q.test" onclick="x">`,
		"![i](https://a.test/x.png \"t\")",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := Render(src)
		if err != nil {
			if quire.ErrorCode(err) != quire.EINVALID {
				t.Fatalf("Render error %v, want only %s", err, quire.EINVALID)
			}
			return
		}
		out := string(h)
		if onAttr.MatchString(out) {
			t.Fatalf("Render(%q) = %q: event handler attribute", src, out)
		}
		checkSafe(t, src, out)
	})
}

// note20K is a realistic 20 KB note: headings, paragraphs, lists, a table,
// code, links.
func note20K() string {
	var b strings.Builder
	for i := 0; b.Len() < 20<<10; i++ {
		b.WriteString("## Section\n\nSome *prose* with a [link](https://quire.test/x) and `code`, then **bold** words and ~~gone~~ ones; see https://example.test/page.\n\n")
		b.WriteString("- [x] first task\n- [ ] second task\n- plain item\n\n")
		b.WriteString("| name | value |\n|:-----|------:|\n| a | 1 |\n| b | 2 |\n\n")
		b.WriteString("```go\nfunc main() { fmt.Println(\"hello\") }\n```\n\n> A quote <sub>with</sub> inline html.\n\n")
	}
	return b.String()
}

func BenchmarkRender20K(b *testing.B) {
	src := note20K()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(src); err != nil {
			b.Fatal(err)
		}
	}
}
