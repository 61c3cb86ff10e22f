package http_test

import (
	"errors"
	"fmt"
	"html"
	"strings"
	"testing"
)

// htmlTag is one start or end tag of a page.
type htmlTag struct {
	name  string
	end   bool
	attrs map[string]string
	// text is the unescaped text from the tag to the next tag.
	text string
}

// has reports whether the tag carries the attribute.
func (t htmlTag) has(name string) bool { _, ok := t.attrs[name]; return ok }

// htmlDoc is a page as a flat list of tags: enough to check attributes and
// read the text of an element that holds no other element.
type htmlDoc struct {
	tags []htmlTag
}

// parseHTML tokenises a page: comments and the doctype are skipped, the
// content of script and style elements is kept as their text. It refuses
// what a browser would repair silently (an unterminated tag, quote or
// comment, a repeated attribute), since that would make a check unsound.
func parseHTML(s string) (*htmlDoc, error) {
	d := &htmlDoc{}
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			if n := len(d.tags); n > 0 {
				d.tags[n-1].text += html.UnescapeString(s[i : i+j])
			}
			i += j
			continue
		}
		next, err := d.markup(s, i)
		if err != nil {
			return nil, err
		}
		i = next
	}
	return d, nil
}

// markup reads the comment, declaration or tag at s[i] and returns where
// it ends.
func (d *htmlDoc) markup(s string, i int) (int, error) {
	switch {
	case strings.HasPrefix(s[i:], "<!--"):
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			return 0, errors.New("unterminated comment")
		}
		return i + 4 + j + 3, nil
	case strings.HasPrefix(s[i:], "<!"):
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return 0, errors.New("unterminated declaration")
		}
		return i + j + 1, nil
	}
	tag, next, err := parseTag(s, i+1)
	if err != nil {
		return 0, err
	}
	if !tag.end && (tag.name == "script" || tag.name == "style") {
		j := strings.Index(strings.ToLower(s[next:]), "</"+tag.name)
		if j < 0 {
			return 0, fmt.Errorf("unterminated %s element", tag.name)
		}
		tag.text = s[next : next+j]
		next += j
	}
	d.tags = append(d.tags, tag)
	return next, nil
}

// parseTag reads a tag from just after its "<" and returns it with the
// index after its ">".
func parseTag(s string, i int) (htmlTag, int, error) {
	t := htmlTag{attrs: map[string]string{}}
	if i < len(s) && s[i] == '/' {
		t.end = true
		i++
	}
	start := i
	for i < len(s) && isNameByte(s[i]) {
		i++
	}
	t.name = strings.ToLower(s[start:i])
	if t.name == "" {
		return t, 0, fmt.Errorf("bad tag at offset %d", start)
	}
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return t, 0, fmt.Errorf("unterminated <%s>", t.name)
		}
		if s[i] == '>' {
			return t, i + 1, nil
		}
		if strings.HasPrefix(s[i:], "/>") {
			return t, i + 2, nil
		}
		var err error
		if i, err = t.parseAttr(s, i); err != nil {
			return t, 0, err
		}
	}
}

// parseAttr reads one attribute at s[i] into t and returns the index after
// it.
func (t *htmlTag) parseAttr(s string, i int) (int, error) {
	start := i
	for i < len(s) && !isSpace(s[i]) && s[i] != '=' && s[i] != '>' && s[i] != '/' {
		i++
	}
	name := strings.ToLower(s[start:i])
	if name == "" {
		return 0, fmt.Errorf("bad attribute in <%s>", t.name)
	}
	if t.has(name) {
		return 0, fmt.Errorf("repeated attribute %s in <%s>", name, t.name)
	}
	value := ""
	if i < len(s) && s[i] == '=' {
		i++
		if i < len(s) && (s[i] == '"' || s[i] == '\'') {
			q := s[i]
			j := strings.IndexByte(s[i+1:], q)
			if j < 0 {
				return 0, fmt.Errorf("unterminated value of %s in <%s>", name, t.name)
			}
			value, i = s[i+1:i+1+j], i+j+2
		} else {
			vs := i
			for i < len(s) && !isSpace(s[i]) && s[i] != '>' {
				i++
			}
			value = s[vs:i]
		}
	}
	t.attrs[name] = html.UnescapeString(value)
	return i, nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// find returns the start tags with the name ("" for any) whose attributes
// include every key=value pair of kv.
func (d *htmlDoc) find(name string, kv ...string) []htmlTag {
	var out []htmlTag
	for _, t := range d.tags {
		if t.end || name != "" && t.name != name {
			continue
		}
		ok := true
		for i := 0; i+1 < len(kv); i += 2 {
			if v, has := t.attrs[kv[i]]; !has || v != kv[i+1] {
				ok = false
			}
		}
		if ok {
			out = append(out, t)
		}
	}
	return out
}

// byID returns the element with the id, or fails the test.
func (d *htmlDoc) byID(t *testing.T, id string) htmlTag {
	t.Helper()
	found := d.find("", "id", id)
	if len(found) != 1 {
		t.Fatalf("%d elements with id %q, want 1", len(found), id)
	}
	return found[0]
}

// checkPage fails the test for every problem pageProblems finds.
func checkPage(t *testing.T, path string, d *htmlDoc) {
	t.Helper()
	for _, p := range pageProblems(d) {
		t.Errorf("%s: %s", path, p)
	}
}

// pageProblems lists what the Content-Security-Policy would block or what
// breaks the pages' accessibility rules: inline script or style,
// event-handler attributes, javascript: URLs, forms that are not
// same-origin POSTs, inputs without a label or autocomplete hint.
func pageProblems(d *htmlDoc) []string {
	var out []string
	labels := map[string]bool{}
	for _, l := range d.find("label") {
		labels[l.attrs["for"]] = true
	}
	if html := d.find("html"); len(d.find("h1")) != 1 || len(d.find("title")) != 1 || len(html) != 1 || html[0].attrs["lang"] == "" {
		out = append(out, "want one h1, one title and html lang")
	}
	for _, tag := range d.find("") {
		for _, problem := range tagProblems(tag, labels) {
			out = append(out, "<"+tag.name+">: "+problem)
		}
	}
	return out
}

// tagProblems lists what is wrong with one tag.
func tagProblems(tag htmlTag, labels map[string]bool) []string {
	var out []string
	if tag.name == "style" {
		out = append(out, "inline style element")
	}
	if tag.name == "script" && (!strings.HasPrefix(tag.attrs["src"], "/static/") || strings.TrimSpace(tag.text) != "") {
		out = append(out, "inline script or script from elsewhere")
	}
	for name, value := range tag.attrs {
		v := strings.ToLower(strings.TrimSpace(value))
		switch {
		case name == "style":
			out = append(out, "style attribute")
		case strings.HasPrefix(name, "on"):
			out = append(out, "event handler attribute "+name)
		case (name == "href" || name == "src" || name == "action") && strings.HasPrefix(v, "javascript:"):
			out = append(out, "javascript: URL")
		}
	}
	switch tag.name {
	case "form":
		if tag.attrs["method"] != "post" || !strings.HasPrefix(tag.attrs["action"], "/") {
			out = append(out, "form is not a same-origin POST")
		}
	case "img":
		if src := tag.attrs["src"]; !strings.HasPrefix(src, "data:image/png;base64,") && !strings.HasPrefix(src, "/") || tag.attrs["alt"] == "" {
			out = append(out, "image without alt or from elsewhere")
		}
	case "input":
		out = append(out, inputProblems(tag, labels)...)
	}
	return out
}

// inputProblems checks that a visible input has a label and the password
// and email fields say what they hold (for password managers).
func inputProblems(tag htmlTag, labels map[string]bool) []string {
	typ := tag.attrs["type"]
	if typ == "hidden" || tag.has("hidden") {
		return nil
	}
	var out []string
	if !labels[tag.attrs["id"]] {
		out = append(out, fmt.Sprintf("input %q has no label", tag.attrs["name"]))
	}
	ac := tag.attrs["autocomplete"]
	switch {
	case typ == "password" && ac != "current-password" && ac != "new-password":
		out = append(out, "password input without current-password or new-password")
	case typ == "email" && ac != "email":
		out = append(out, "email input without autocomplete=email")
	case tag.attrs["name"] == "code" && ac != "one-time-code":
		out = append(out, "code input without autocomplete=one-time-code")
	}
	return out
}
