package markdown

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/quirehq/quire"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/renderer/html"
)

// MaxInput is the longest source Render accepts: a note's content limit.
const MaxInput = quire.MaxNoteContent

// engine is goldmark with CommonMark and the GFM extensions. Raw HTML is
// passed through to the sanitizer (WithUnsafe), which decides what stays.
var engine = goldmark.New(
	goldmark.WithExtensions(
		// A column's alignment as an align attribute, which the policy
		// allows (a style attribute would be dropped).
		extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
		extension.Strikethrough,
		extension.TaskList,
		extension.Linkify,
	),
	goldmark.WithRendererOptions(html.WithUnsafe()),
)

// policy is the sanitizer; see the package documentation.
var policy = newPolicy()

// noFollowNoReferrer is the rel value bluemonday writes on every link; it
// is widened to carry noopener too (bluemonday only adds noopener along
// with target=_blank, which Quire does not want). The sequence cannot
// occur outside a tag: the sanitizer escapes quotes in text as &#34;.
const (
	noFollowNoReferrer = ` rel="nofollow noreferrer"`
	relAll             = ` rel="nofollow noopener noreferrer"`
)

// Render converts src, a note's Markdown, to sanitized HTML. Source that
// is longer than MaxInput or not valid UTF-8 is refused with EINVALID.
func Render(src string) (template.HTML, error) {
	if len(src) > MaxInput {
		return "", quire.Errorf(quire.EINVALID, "Markdown must be at most %d bytes.", MaxInput)
	}
	if !utf8.ValidString(src) {
		return "", quire.Errorf(quire.EINVALID, "Markdown must be valid UTF-8 text.")
	}
	var buf bytes.Buffer
	buf.Grow(len(src) + len(src)/4)
	if err := engine.Convert([]byte(src), &buf); err != nil {
		return "", quire.WrapError(quire.EINTERNAL, "Internal error.", err)
	}
	out := policy.SanitizeBytes(buf.Bytes())
	s := strings.ReplaceAll(string(out), noFollowNoReferrer, relAll)
	return template.HTML(s), nil // #nosec G203 -- sanitized by policy just above
}

// newPolicy builds the sanitizer: bluemonday's UGCPolicy element set with
// its attributes tightened (see the package documentation).
func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()

	// Global attributes: UGCPolicy's standard set without id.
	p.AllowAttrs("dir").Matching(bluemonday.Direction).Globally()
	p.AllowAttrs("lang").Matching(regexp.MustCompile(`^[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*$`)).Globally()
	p.AllowAttrs("title").Matching(bluemonday.Paragraph).Globally()

	// URLs: absolute http, https and mailto only.
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(false)
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)

	// Structure and text.
	p.AllowElements("article", "aside", "figure", "figcaption", "section", "summary", "hgroup",
		"h1", "h2", "h3", "h4", "h5", "h6",
		"br", "div", "hr", "p", "span", "wbr",
		"abbr", "acronym", "cite", "code", "dfn", "em", "mark", "s", "samp", "strong", "sub", "sup", "var",
		"b", "i", "pre", "small", "strike", "tt", "u", "kbd", "del", "ins",
		"rp", "rt", "ruby", "bdi", "bdo",
		"dl", "dt", "dd", "ol", "ul", "li",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col",
		"blockquote", "q", "details", "time")
	p.AllowAttrs("open").Matching(regexp.MustCompile(`(?i)^(|open)$`)).OnElements("details")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowAttrs("cite").Matching(bluemonday.Paragraph).OnElements("del", "ins")
	p.AllowAttrs("datetime").Matching(bluemonday.ISO8601).OnElements("del", "ins", "time")

	// Code: a fenced block's language, and nothing else, as a class.
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,32}$`)).OnElements("code")

	// Links.
	p.AllowAttrs("href").OnElements("a")

	// Lists, with task-list checkboxes (disabled, as goldmark renders them).
	p.AllowAttrs("start", "value").Matching(bluemonday.Integer).OnElements("ol", "li")
	p.AllowAttrs("type").Matching(bluemonday.ListType).OnElements("ol", "ul", "li")
	p.AllowAttrs("type").Matching(regexp.MustCompile(`^checkbox$`)).OnElements("input")
	p.AllowAttrs("checked", "disabled").Matching(regexp.MustCompile(`^(|checked|disabled)$`)).OnElements("input")

	// Tables.
	p.AllowAttrs("align").Matching(bluemonday.CellAlign).OnElements("th", "td", "col", "colgroup", "tr", "thead", "tbody", "tfoot")
	p.AllowAttrs("colspan", "rowspan", "span").Matching(bluemonday.Integer).OnElements("th", "td", "col", "colgroup")

	// Images: https only.
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^https://`)).OnElements("img")
	p.AllowAttrs("alt").Matching(bluemonday.Paragraph).OnElements("img")
	p.AllowAttrs("height", "width").Matching(bluemonday.NumberOrPercent).OnElements("img")
	return p
}
