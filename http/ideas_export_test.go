package http_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/auth"
	quirehttp "github.com/quirehq/quire/http"
)

// ideaExportRaw downloads the ideas export of u.
func ideaExportRaw(t *testing.T, u *wsUser, format, folder string) *httptest.ResponseRecorder {
	t.Helper()
	path := "/api/v1/ideas/export?format=" + format
	if folder != "" {
		path += "&folderId=" + folder
	}
	req := httptest.NewRequest(http.MethodGet, "https://quire.test"+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: u.cookie})
	rec := httptest.NewRecorder()
	u.srv.ServeHTTP(rec, req)
	return rec
}

// ideaExportBody is the body of a successful export.
func ideaExportBody(t *testing.T, u *wsUser, format, folder string) string {
	t.Helper()
	rec := ideaExportRaw(t, u, format, folder)
	if rec.Code != 200 {
		t.Fatalf("export answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// ideaTimes returns each idea's createdAt as the export writes it.
func ideaTimes(u *wsUser, ids ...string) []string {
	u.t.Helper()
	var out []string
	for _, id := range ids {
		r := u.want(u.do(http.MethodGet, "/api/v1/ideas/"+id, nil), 200, "")
		at, err := time.Parse(time.RFC3339Nano, r.body["createdAt"].(string))
		if err != nil {
			u.t.Fatal(err)
		}
		out = append(out, at.UTC().Format(time.RFC3339))
	}
	return out
}

// TestIdeasExport checks both formats byte for byte: headers that make
// the file a download of a fixed name, RFC 4180 quoting, and cells
// defused against formula injection.
func TestIdeasExport(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("export@example.com")
	folder := createFolder(u, "=Ops, \"north\"")
	plain := createIdea(u, map[string]any{"text": "plain"})
	formula := createIdea(u, map[string]any{"text": "=HYPERLINK(\"http://evil\")", "folderId": folder})
	multi := createIdea(u, map[string]any{"text": "-1 then\r\n\"quoted\", with comma\n"})
	tab := createIdea(u, map[string]any{"text": "\tindented"})
	at := ideaTimes(u, plain, formula, multi, tab)

	rec := ideaExportRaw(t, u, "csv", "")
	h := rec.Header()
	if rec.Code != 200 || h.Get("Content-Type") != "text/csv; charset=utf-8" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Disposition") != `attachment; filename="quire-ideas.csv"` || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("csv export answered %d with %v", rec.Code, h)
	}
	want := "id,text,folder,createdAt\r\n" +
		tab + ",'\tindented,," + at[3] + "\r\n" +
		multi + ",\"'-1 then\r\n\"\"quoted\"\", with comma\n\",," + at[2] + "\r\n" +
		formula + ",\"'=HYPERLINK(\"\"http://evil\"\")\",\"'=Ops, \"\"north\"\"\"," + at[1] + "\r\n" +
		plain + ",plain,," + at[0] + "\r\n"
	if got := rec.Body.String(); got != want {
		t.Fatalf("csv export:\n%q\nwant\n%q", got, want)
	}

	rec = ideaExportRaw(t, u, "txt", "")
	if rec.Header().Get("Content-Type") != "text/plain; charset=utf-8" ||
		rec.Header().Get("Content-Disposition") != `attachment; filename="quire-ideas.txt"` {
		t.Fatalf("txt export headers %v", rec.Header())
	}
	want = "[" + at[3] + "]\n\tindented\n\n" +
		"[" + at[2] + "]\n-1 then\r\n\"quoted\", with comma\n\n" +
		"[" + at[1] + "] =Ops, \"north\"\n=HYPERLINK(\"http://evil\")\n\n" +
		"[" + at[0] + "]\nplain\n\n"
	if got := rec.Body.String(); got != want {
		t.Fatalf("txt export:\n%q\nwant\n%q", got, want)
	}

	if got := ideaExportBody(t, u, "csv", folder); strings.Count(got, "\r\n") != 2 || !strings.Contains(got, formula) {
		t.Fatalf("export of one folder:\n%s", got)
	}
	if got := ideaExportBody(t, u, "csv", "none"); strings.Contains(got, formula) || !strings.Contains(got, plain) {
		t.Fatalf("export of no folder:\n%s", got)
	}
}

// TestIdeasExportPages exports more ideas than one page holds: each
// appears exactly once, newest first.
func TestIdeasExportPages(t *testing.T) {
	e := newFolderIdeaEnv(t)
	u := e.user("pages@example.com")
	var ids []string
	for i := range 230 {
		ids = append(ids, createIdea(u, map[string]any{"text": "idea " + string(rune('a'+i%26))}))
	}
	slices.Reverse(ids)
	rows, err := csv.NewReader(strings.NewReader(ideaExportBody(t, u, "csv", ""))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, row := range rows[1:] {
		got = append(got, row[0])
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("export lists %d ideas, want the %d created, newest first, each once", len(got), len(ids))
	}
}

// FuzzIdeaExportCSV captures arbitrary text as an idea and exports it as
// CSV: the text is refused with a 4xx, or the file parses as CSV and its
// cell is the text, defused with a leading apostrophe exactly when it
// begins with a character a spreadsheet would evaluate.
func FuzzIdeaExportCSV(f *testing.F) {
	for _, s := range []string{"plain", "=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "a,b\n\"c\"", "'already", " =late"} {
		f.Add(s)
	}
	e := newFolderIdeaAPI(f)
	ctx := context.Background()
	_, login, err := e.svc.SignUp(ctx, "fuzz-export@example.com", apiPassword, auth.Client{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		body, _ := json.Marshal(map[string]any{"text": text})
		_ = json.Unmarshal(body, &struct{ Text *string }{&text}) // what the server reads: invalid UTF-8 becomes U+FFFD
		r := serveRaw(t, e.srv, http.MethodPost, "/api/v1/ideas", string(body), login.Token)
		if r.status != 201 {
			if r.status != 400 && r.status != 413 || (&quire.Idea{WorkspaceID: "w", Text: text}).Validate() == nil {
				t.Fatalf("capture of %q answered %d: %s", text, r.status, r.body)
			}
			return
		}
		res := serveRaw(t, e.srv, http.MethodGet, "/api/v1/ideas/export?format=csv", "", login.Token)
		rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
		if res.status != 200 || err != nil || len(rows) < 2 {
			t.Fatalf("export answered %d, %v: %q", res.status, err, res.body)
		}
		want := text
		if strings.ContainsAny(text[:1], "=+-@\t\r") {
			want = "'" + text
		}
		// encoding/csv reads a line break in a cell as "\n", whatever it was.
		if got := rows[1][1]; got != strings.ReplaceAll(want, "\r\n", "\n") {
			t.Fatalf("cell %q, want %q", got, want)
		}
		r = serveRaw(t, e.srv, http.MethodPost, "/api/v1/ideas/bulk", `{"action":"delete","ids":["`+rows[1][0]+`"]}`, login.Token)
		if r.status != 200 {
			t.Fatalf("clean up: %d %s", r.status, r.body)
		}
	})
}
