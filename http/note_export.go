package http

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"unicode"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/markdown"
)

// exportFormats maps each export format to its file extension and media
// type.
var exportFormats = map[string]struct{ ext, mediaType string }{
	"markdown": {".md", "text/markdown; charset=utf-8"},
	"html":     {".html", "text/html; charset=utf-8"},
	"json":     {".json", "application/json"},
}

// exportPage is the standalone HTML document of an exported note. The body
// is the sanitizer's output; the title is escaped by the template.
var exportPage = template.Must(template.New("export").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><meta name="robots" content="noindex">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src https: data:">
<title>{{.Title}}</title></head>
<body><h1>{{.Title}}</h1>
{{.Body}}
</body></html>
`))

// export answers GET /api/v1/notes/{id}/export?format=markdown|html|json
// with the note as a file to download.
func (h *notesAPI) export(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r, "format"); err != nil {
		return err
	}
	name := r.URL.Query().Get("format")
	format, ok := exportFormats[name]
	if !ok {
		return quire.Errorf(quire.EINVALID, "Query parameter \"format\" must be markdown, html or json.")
	}
	n, err := h.note(r)
	if err != nil {
		return err
	}
	body, err := exportNote(n, name)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", format.mediaType)
	hd.Set("Content-Disposition", `attachment; filename="`+fileSlug(n.Title)+format.ext+`"`)
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}

// exportNote renders n in format.
func exportNote(n *quire.Note, format string) ([]byte, error) {
	switch format {
	case "markdown":
		return []byte("# " + oneLine(n.Title) + "\n\n" + n.Content), nil
	case "json":
		b, err := json.MarshalIndent(noteBody(n), "", "  ")
		return append(b, '\n'), err
	}
	rendered, err := markdown.Render(n.Content)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = exportPage.Execute(&buf, struct {
		Title string
		Body  template.HTML
	}{n.Title, rendered})
	return buf.Bytes(), err
}

// oneLine folds a title's line breaks into spaces, so that it stays one
// markdown heading.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }), " ")
}

// fileSlug makes a download's file name from a title: ASCII letters and
// digits, runs of anything else as one hyphen, at most 60 bytes; "note"
// when nothing is left. Only such a name goes into the header, so no
// title can break out of it.
func fileSlug(title string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range strings.ToLower(title) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			hyphen = false
			if b.Len() >= 60 {
				break
			}
			continue
		}
		hyphen = true
	}
	if b.Len() == 0 {
		return "note"
	}
	return b.String()
}
