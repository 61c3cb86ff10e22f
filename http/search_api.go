package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/search"
)

// registerSearch registers GET /api/v1/search, over the caller's own
// workspace.
func (s *Server) registerSearch() {
	if s.cfg.Workspaces == nil || s.cfg.Search == nil {
		return
	}
	h := &searchAPI{s: s, svc: s.cfg.Search}
	s.Handle("GET /api/v1/search", h.search)
	s.Mount("POST /api/v1/search", BodyLimit(maxSearchBody, s.handlerFunc(h.searchBody)))
}

// maxSearchBody caps the body of POST /api/v1/search.
const maxSearchBody = 16 << 10

// searchRequest is the body of POST /api/v1/search: the parameters of
// GET /api/v1/search as JSON. Clients search this way for text that the
// shield would refuse in a URL (a note that quotes SQL or shell): the
// body, like a note's, is not put to the rules.
type searchRequest struct {
	Q        string   `json:"q"`
	Mode     string   `json:"mode"`
	Type     []string `json:"type"`
	FolderID *string  `json:"folderId"`
	After    string   `json:"after"`
	Before   string   `json:"before"`
	Limit    *int     `json:"limit"`
	Offset   int      `json:"offset"`
	Rerank   bool     `json:"rerank"`
}

// searchBody answers POST /api/v1/search as GET does.
func (h *searchAPI) searchBody(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	var in *searchRequest
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the search.")
	}
	q := url.Values{"q": {in.Q}}
	for k, v := range map[string]string{"mode": in.Mode, "type": strings.Join(in.Type, ","), "after": in.After, "before": in.Before} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if in.FolderID != nil {
		q.Set("folderId", *in.FolderID)
	}
	if in.Limit != nil {
		q.Set("limit", strconv.Itoa(*in.Limit))
	}
	q.Set("offset", strconv.Itoa(in.Offset))
	q.Set("rerank", strconv.FormatBool(in.Rerank))
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	return h.search(w, r2)
}

type searchAPI struct {
	s   *Server
	svc *finder.Service
}

// highlightJSON is a fragment with the byte ranges of the matched words.
type highlightJSON struct {
	Text   string   `json:"text"`
	Ranges [][2]int `json:"ranges"`
	Before bool     `json:"before,omitempty"`
	After  bool     `json:"after,omitempty"`
}

// hitJSON is one result.
type hitJSON struct {
	ID       string        `json:"id"`
	Kind     string        `json:"type"`
	FolderID *string       `json:"folderId"`
	Updated  time.Time     `json:"updatedAt"`
	Score    float64       `json:"score"`
	Title    highlightJSON `json:"title"`
	Body     highlightJSON `json:"body"`
}

func highlightBody(h search.Highlight) highlightJSON {
	out := highlightJSON{Text: h.Text, Ranges: make([][2]int, 0, len(h.Ranges)), Before: h.Before, After: h.After}
	for _, r := range h.Ranges {
		out.Ranges = append(out.Ranges, [2]int{r.Start, r.End})
	}
	return out
}

// search answers GET /api/v1/search?q=&mode=keyword|semantic|hybrid&
// type=note,idea,folder&folderId=&after=YYYY-MM-DD&before=YYYY-MM-DD&
// limit=&offset=&rerank=true. The query may carry the same filters in its
// own syntax (type:note, folder:ID, after:, before:, "phrases", -words).
func (h *searchAPI) search(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	ws, err := h.s.ownWorkspace(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	p, err := searchParams(r)
	if err != nil {
		return err
	}
	res, err := h.svc.Search(r.Context(), ws, p)
	if err != nil {
		return err
	}
	out := make([]hitJSON, 0, len(res.Hits))
	for _, hit := range res.Hits {
		j := hitJSON{ID: hit.ID, Kind: string(hit.Kind), Updated: hit.Updated, Score: hit.Score,
			Title: highlightBody(hit.Title), Body: highlightBody(hit.Body)}
		if hit.FolderID != "" {
			f := hit.FolderID
			j.FolderID = &f
		}
		out = append(out, j)
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"results": out, "total": res.Total, "mode": res.Mode,
		"reranked": res.Reranked, "rerankFallback": res.RerankFallback})
}

// searchParams reads the query parameters of a search.
func searchParams(r *http.Request) (finder.Params, error) {
	var p finder.Params
	if err := checkQuery(r, "q", "mode", "type", "folderId", "after", "before", "limit", "offset", "rerank"); err != nil {
		return p, err
	}
	q := r.URL.Query()
	p.Text = q.Get("q")
	switch m := search.Mode(q.Get("mode")); m {
	case "", search.ModeKeyword, search.ModeSemantic, search.ModeHybrid:
		p.Mode = m
	default:
		return p, quire.Errorf(quire.EINVALID, "Query parameter \"mode\" must be keyword, semantic or hybrid.")
	}
	if t := q.Get("type"); t != "" {
		for _, k := range strings.Split(t, ",") {
			if !search.Kind(k).Valid() {
				return p, quire.Errorf(quire.EINVALID, "Query parameter \"type\" must list note, idea or folder.")
			}
			p.Kinds = append(p.Kinds, search.Kind(k))
		}
	}
	if f := q.Get("folderId"); q.Has("folderId") {
		if !quire.ValidID(f) {
			return p, quire.Errorf(quire.EINVALID, "Query parameter \"folderId\" is not a valid identifier.")
		}
		p.Folder = f
	}
	for name, dst := range map[string]*time.Time{"after": &p.After, "before": &p.Before} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse("2006-01-02", s)
			if err != nil {
				return p, quire.Errorf(quire.EINVALID, "Query parameter %q must be a date, YYYY-MM-DD.", name)
			}
			*dst = t
		}
	}
	var err error
	if p.Limit, err = queryInt(r, "limit", search.DefaultLimit, search.MaxLimit); err != nil {
		return p, err
	}
	if p.Offset, err = queryInt(r, "offset", 0, search.MaxOffset); err != nil {
		return p, err
	}
	switch q.Get("rerank") {
	case "", "false":
	case "true":
		p.Rerank = true
	default:
		return p, quire.Errorf(quire.EINVALID, "Query parameter \"rerank\" must be true or false.")
	}
	return p, nil
}
