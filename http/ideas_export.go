package http

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// ideaExportPage is how many ideas the export reads and decrypts at a
// time: the file is streamed, so its size does not bound memory.
const ideaExportPage = 200

// ideaExportFormats maps each export format to its fixed file name and
// media type. Only these constant names reach Content-Disposition.
var ideaExportFormats = map[string]struct{ file, mediaType string }{
	"txt": {"quire-ideas.txt", "text/plain; charset=utf-8"},
	"csv": {"quire-ideas.csv", "text/csv; charset=utf-8"},
}

// ideaWriter writes one format of the export: a header, then each idea
// with the name of its folder ("" for none).
type ideaWriter interface {
	header() error
	idea(i *quire.Idea, folder string) error
	flush() error
}

// export answers GET /api/v1/ideas/export?format=txt|csv[&folderId=] with
// every idea (of one folder, or of none with folderId=none), newest first,
// as a file to download. The first page is read before anything is sent,
// so a failure then is an ordinary error response; a failure later aborts
// the download, so that a cut-off file is never taken for a whole one.
func (h *ideasAPI) export(w http.ResponseWriter, r *http.Request) error {
	ws, err := h.s.callerWorkspace(r)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "format", "folderId"); err != nil {
		return err
	}
	format, ok := ideaExportFormats[r.URL.Query().Get("format")]
	if !ok {
		return quire.Errorf(quire.EINVALID, "Query parameter \"format\" must be txt or csv.")
	}
	f := quire.IdeaFilter{WorkspaceID: ws, Limit: ideaExportPage}
	if f.FolderID, err = folderFilter(r); err != nil {
		return err
	}
	names, err := h.folderNames(r.Context(), ws)
	if err != nil {
		return err
	}
	page, _, err := h.ideas.FindIdeas(r.Context(), f)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", format.mediaType)
	hd.Set("Content-Disposition", `attachment; filename="`+format.file+`"`)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	out := newIdeaWriter(r.URL.Query().Get("format"), w)
	if err := h.stream(r.Context(), out, f, page, names); err != nil {
		h.s.logger.ErrorContext(r.Context(), "idea export failed after the response started", "route", r.Pattern, "error", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// folderNames maps the workspace's folder IDs to their names.
func (h *ideasAPI) folderNames(ctx context.Context, ws string) (map[string]string, error) {
	folders, err := h.folders.FindFolders(ctx, ws)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(folders))
	for _, f := range folders {
		names[f.ID] = f.Name
	}
	return names, nil
}

// stream writes page and every later page of f to out, each page after
// the last idea of the one before (keyset paging: ideas created or
// deleted meanwhile neither repeat nor push others out).
func (h *ideasAPI) stream(ctx context.Context, out ideaWriter, f quire.IdeaFilter, page []*quire.Idea, names map[string]string) error {
	if err := out.header(); err != nil {
		return err
	}
	for {
		for _, i := range page {
			if err := out.idea(i, names[i.FolderID]); err != nil {
				return err
			}
		}
		if len(page) < f.Limit {
			return out.flush()
		}
		last := page[len(page)-1]
		f.After = &quire.IdeaCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		var err error
		if page, _, err = h.ideas.FindIdeas(ctx, f); err != nil {
			return err
		}
	}
}

func newIdeaWriter(format string, w io.Writer) ideaWriter {
	if format == "csv" {
		return &csvIdeas{w: bufio.NewWriter(w)}
	}
	return &txtIdeas{w: bufio.NewWriter(w)}
}

// txtIdeas writes each idea as a line "[createdAt] folder name", then its
// text, then a blank line.
type txtIdeas struct{ w *bufio.Writer }

func (t *txtIdeas) header() error { return nil }

func (t *txtIdeas) idea(i *quire.Idea, folder string) error {
	head := "[" + i.CreatedAt.UTC().Format(time.RFC3339) + "]"
	if folder != "" {
		head += " " + folder
	}
	_, err := t.w.WriteString(head + "\n" + strings.TrimRight(i.Text, "\r\n") + "\n\n")
	return err
}

func (t *txtIdeas) flush() error { return t.w.Flush() }

// csvIdeas writes RFC 4180 CSV with the columns id, text, folder and
// createdAt, every cell defused against formula injection (csvCell). It
// writes the records itself: encoding/csv with CRLF line ends rewrites the
// line breaks inside a cell, and an export must keep the text as it is.
type csvIdeas struct{ w *bufio.Writer }

func (c *csvIdeas) header() error { return c.record("id", "text", "folder", "createdAt") }

func (c *csvIdeas) idea(i *quire.Idea, folder string) error {
	return c.record(i.ID, i.Text, folder, i.CreatedAt.UTC().Format(time.RFC3339))
}

func (c *csvIdeas) flush() error { return c.w.Flush() }

// record writes one CRLF-terminated record. A cell that holds a comma, a
// double quote or a line break is quoted, its quotes doubled.
func (c *csvIdeas) record(cells ...string) error {
	var b strings.Builder
	for i, cell := range cells {
		if i > 0 {
			b.WriteByte(',')
		}
		cell = csvCell(cell)
		if strings.ContainsAny(cell, ",\"\r\n") {
			cell = `"` + strings.ReplaceAll(cell, `"`, `""`) + `"`
		}
		b.WriteString(cell)
	}
	b.WriteString("\r\n")
	_, err := c.w.WriteString(b.String())
	return err
}

// csvCell defuses formula injection: a spreadsheet evaluates a cell that
// begins with = + - @, a tab or a carriage return, so such a cell gets a
// leading apostrophe, which makes it text.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
