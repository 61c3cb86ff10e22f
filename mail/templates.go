package mail

import (
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// templateFS holds, per kind, <kind>.txt (defining "subject" and "text")
// and <kind>.html (defining "title" and "body" for layout.html).
//
//go:embed templates
var templateFS embed.FS

// kindTemplates are the parsed templates of one kind.
type kindTemplates struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates maps each kind to its templates. They are embedded, so a parse
// error is a build defect: it panics at start and fails every test.
var templates = mustParseTemplates()

// mustParseTemplates parses the templates of every kind in kindFields.
func mustParseTemplates() map[string]kindTemplates {
	out := make(map[string]kindTemplates, len(kindFields))
	for kind := range kindFields {
		text := texttemplate.Must(texttemplate.New(kind).Option("missingkey=error").
			ParseFS(templateFS, "templates/"+kind+".txt"))
		html := htmltemplate.Must(htmltemplate.New(kind).Option("missingkey=error").
			ParseFS(templateFS, "templates/layout.html", "templates/"+kind+".html"))
		out[kind] = kindTemplates{text: text, html: html}
	}
	return out
}

// rendered is a message's subject and bodies; text uses CRLF line ends.
type rendered struct {
	subject, text, html string
}

// render executes the templates of m.Kind with m.Data. m must have passed
// validateMessage.
func render(m Message) (rendered, error) {
	t := templates[m.Kind]
	var r rendered
	var err error
	if r.subject, err = execText(t.text, "subject", m.Data); err != nil {
		return r, err
	}
	if r.text, err = execText(t.text, "text", m.Data); err != nil {
		return r, err
	}
	r.text = strings.ReplaceAll(r.text, "\n", "\r\n")
	var b strings.Builder
	if err := t.html.ExecuteTemplate(&b, "html", m.Data); err != nil {
		return r, err
	}
	r.html = b.String()
	return r, ValidateHeaderValue(r.subject)
}

// execText executes the named text template into a string.
func execText(t *texttemplate.Template, name string, data map[string]string) (string, error) {
	var b strings.Builder
	err := t.ExecuteTemplate(&b, name, data)
	return b.String(), err
}
