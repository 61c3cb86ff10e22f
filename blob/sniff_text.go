package blob

import (
	"bytes"
	"unicode/utf8"
)

const utf8BOM = "\xef\xbb\xbf"

// isText reports whether h is UTF-8 text without NUL or other control
// characters than tab, line breaks, form feed and escape. When h was cut at
// SniffLen, an incomplete character at its very end is allowed.
func isText(h []byte, truncated bool) bool {
	h = bytes.TrimPrefix(h, []byte(utf8BOM))
	for len(h) > 0 {
		r, size := utf8.DecodeRune(h)
		if r == utf8.RuneError && size <= 1 {
			return truncated && !utf8.FullRune(h)
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\v' && r != '\f' && r != '\r' && r != 0x1b || r == 0x7f {
			return false
		}
		h = h[size:]
	}
	return true
}

// Markup that text may not start with. Browsers that sniff take text
// starting with these for HTML or XML; a file that does is not plain text.
var (
	// strongMarkup is refused in any text.
	strongMarkup = []string{"<!doctype", "<html", "<head", "<body", "<script", "<iframe", "<style", "<title", "<svg", "<math", "<object", "<embed", "<frameset", "<meta", "<link", "<base", "<form"}
	// inlineMarkup is what a Markdown file may well start with (a centred
	// logo, a comment); it is refused in plain text only.
	inlineMarkup = []string{"<!--", "<a", "<b", "<br", "<div", "<p", "<h1", "<font", "<table", "<img"}
)

// sniffMarkup classifies text by how it starts: markup and scripts are
// refused; the rest is text whose exact type the extension decides.
func sniffMarkup(h []byte) detection {
	h = bytes.TrimPrefix(h, []byte(utf8BOM))
	h = bytes.TrimLeft(h, " \t\n\v\f\r")
	lead := bytes.ToLower(h[:min(len(h), 16)])
	switch {
	case bytes.HasPrefix(lead, []byte("<?php")):
		return refused(classScript)
	case bytes.HasPrefix(lead, []byte("<?")):
		return refused("XML markup")
	case startsWithTag(lead, strongMarkup):
		return refused("HTML or SVG markup")
	case startsWithTag(lead, inlineMarkup):
		return detection{mediaType: TypeMarkdown, class: "text starting with HTML markup"}
	}
	return detection{mediaType: TypeText, class: "text"}
}

// startsWithTag reports whether lead starts with one of tags followed by a
// byte that ends a tag name (or by the end of the file).
func startsWithTag(lead []byte, tags []string) bool {
	for _, t := range tags {
		rest, ok := bytes.CutPrefix(lead, []byte(t))
		if !ok {
			continue
		}
		if t == "<!--" || len(rest) == 0 || bytes.IndexByte([]byte(" \t\n\v\f\r>/"), rest[0]) >= 0 {
			return true
		}
	}
	return false
}
