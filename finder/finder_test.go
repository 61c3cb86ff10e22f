package finder_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/finder"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/search"
	"github.com/quirehq/quire/sqlite"
)

// fakeAI reranks by a fixed score per document text, or fails.
type fakeAI struct {
	rerankErr error
	reranked  int
}

func (f *fakeAI) Embed(context.Context, *endpoint.Caller, *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	return nil, errors.New("no embeddings in this test")
}

func (f *fakeAI) Rerank(_ context.Context, c *endpoint.Caller, req *gateway.RerankRequest) (*gateway.RerankResponse, error) {
	f.reranked++
	if f.rerankErr != nil {
		return nil, f.rerankErr
	}
	resp := &gateway.RerankResponse{}
	for i := range req.Documents { // the last document is the most relevant
		resp.Results = append(resp.Results, gateway.RerankResult{Index: i, Score: float64(i)})
	}
	return resp, nil
}

type env struct {
	t       *testing.T
	svc     *finder.Service
	notes   quire.NoteService
	ideas   quire.IdeaService
	folders quire.FolderService
	ai      *fakeAI
	ws      string
}

func newEnv(t *testing.T, rerankModel string) *env {
	ctx := context.Background()
	db, b, _ := authtest.SQLite(t)
	u := &quire.User{Email: "f@example.com", Name: "f"}
	if err := sqlite.NewUserService(db, b).CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	w := &quire.Workspace{Name: "w", Region: quire.RegionEU, OwnerID: u.ID}
	if err := sqlite.NewWorkspaceService(db, b).CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	ai := &fakeAI{}
	notes, ideas, folders := sqlite.NewNoteService(db, b), sqlite.NewIdeaService(db, b), sqlite.NewFolderService(db, b)
	svc, err := finder.New(finder.Config{Notes: notes, Ideas: ideas, Folders: folders, AI: ai, RerankModel: rerankModel,
		Caller: func(context.Context, string) (*endpoint.Caller, error) { return &endpoint.Caller{Account: u.ID}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return &env{t: t, svc: svc, notes: svc.Notes(notes), ideas: svc.Ideas(ideas), folders: svc.Folders(folders), ai: ai, ws: w.ID}
}

func (e *env) note(title, content string) *quire.Note {
	e.t.Helper()
	n := &quire.Note{WorkspaceID: e.ws, Title: title, Content: content}
	if err := e.notes.CreateNote(context.Background(), n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *env) idea(text, folder string) *quire.Idea {
	e.t.Helper()
	i := &quire.Idea{WorkspaceID: e.ws, Text: text, FolderID: folder}
	if err := e.ideas.CreateIdea(context.Background(), i); err != nil {
		e.t.Fatal(err)
	}
	return i
}

// ids searches and returns the hits' IDs in order.
func (e *env) ids(p finder.Params) []string {
	e.t.Helper()
	res, err := e.svc.Search(context.Background(), e.ws, p)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, h := range res.Hits {
		out = append(out, h.ID)
	}
	return out
}

func TestSearchStaysCurrent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, "")
	plan := e.note("Garden plan", "Plant tomatoes in May.")
	e.idea("Buy tomato seeds", "")
	if got := e.ids(finder.Params{Text: "tomatoes"}); !slices.Equal(got, []string{plan.ID}) {
		t.Fatalf("tomatoes: %v", got)
	}
	// Saved after the index was built: found at once.
	later := e.note("Kitchen", "Tomatoes ripen on the sill.")
	if got := e.ids(finder.Params{Text: "tomatoes"}); len(got) != 2 || !slices.Contains(got, later.ID) {
		t.Fatalf("after a new note: %v", got)
	}
	if _, err := e.notes.UpdateNote(ctx, e.ws, later.ID, quire.NoteUpdate{Content: ptr("Basil on the sill.")}); err != nil {
		t.Fatal(err)
	}
	if got := e.ids(finder.Params{Text: "basil"}); !slices.Equal(got, []string{later.ID}) {
		t.Fatalf("after an edit, basil: %v", got)
	}
	if got := e.ids(finder.Params{Text: "tomatoes"}); !slices.Equal(got, []string{plan.ID}) {
		t.Fatalf("after an edit, tomatoes: %v", got)
	}
	if err := e.notes.DeleteNote(ctx, e.ws, later.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.ids(finder.Params{Text: "basil"}); len(got) != 0 {
		t.Fatalf("a deleted note is found: %v", got)
	}

	// Folders: their names are found, and filters follow moves.
	f := &quire.Folder{WorkspaceID: e.ws, Name: "Allotment"}
	if err := e.folders.CreateFolder(ctx, f); err != nil {
		t.Fatal(err)
	}
	seeds := e.idea("Order seed potatoes", "")
	if got := e.ids(finder.Params{Text: "allotment", Kinds: []search.Kind{search.KindFolder}}); !slices.Equal(got, []string{f.ID}) {
		t.Fatalf("folder name: %v", got)
	}
	if err := e.ideas.MoveIdeas(ctx, e.ws, []string{seeds.ID}, f.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.ids(finder.Params{Text: "potatoes", Folder: f.ID}); !slices.Equal(got, []string{seeds.ID}) {
		t.Fatalf("after a bulk move, in the folder: %v", got)
	}
	note, err := e.ideas.PromoteIdea(ctx, e.ws, seeds.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := e.ids(finder.Params{Text: "potatoes"}); !slices.Equal(got, []string{note.ID}) {
		t.Fatalf("after promotion: %v", got)
	}
	if _, err := e.folders.DeleteFolder(ctx, e.ws, f.ID, quire.DeleteContents); err != nil {
		t.Fatal(err)
	}
	if got := e.ids(finder.Params{Text: "potatoes"}); len(got) != 0 {
		t.Fatalf("notes deleted with their folder are found: %v", got)
	}
	if got := e.ids(finder.Params{Text: "allotment"}); len(got) != 0 {
		t.Fatalf("a deleted folder is found: %v", got)
	}
}

func TestSearchRerank(t *testing.T) {
	e := newEnv(t, "rerank-model")
	a := e.note("Soup one", "soup")
	b := e.note("Soup two", "soup soup soup")
	got := e.ids(finder.Params{Text: "soup", Rerank: true})
	if e.ai.reranked != 1 || len(got) != 2 || got[0] != a.ID && got[0] != b.ID {
		t.Fatalf("reranked %d times: %v", e.ai.reranked, got)
	}
	e.ai.rerankErr = errors.New("provider down")
	res, err := e.svc.Search(context.Background(), e.ws, finder.Params{Text: "soup", Rerank: true})
	if err != nil || !res.RerankFallback || len(res.Hits) != 2 {
		t.Fatalf("rerank failure: %+v, %v", res, err)
	}
	if _, err := e.svc.Search(context.Background(), e.ws, finder.Params{Text: "soup", Mode: search.ModeSemantic}); quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("semantic search without a model: %v", err)
	}
	if _, err := e.svc.Search(context.Background(), e.ws, finder.Params{Text: `"unclosed`}); err != nil && quire.ErrorCode(err) != quire.EINVALID {
		t.Fatalf("bad query: %v", err)
	}
}

// TestRetrieveAnswersQuestions: a question finds the notes that hold its
// words, though no note holds every one of them.
func TestRetrieveAnswersQuestions(t *testing.T) {
	e := newEnv(t, "")
	ship := e.note("Launch", "Search ships in the third quarter.")
	e.note("Recipes", "Bread, soup and salad.")
	idea := e.idea("Search could rank by recency", "")
	got, err := e.svc.Retrieve(context.Background(), e.ws, "When does search ship?", true, false, 5)
	if err != nil || len(got) != 1 || got[0].Source.ID != ship.ID || got[0].Source.Kind != "note" || got[0].Text == "" {
		t.Fatalf("notes for the question: %+v, %v", got, err)
	}
	got, err = e.svc.Retrieve(context.Background(), e.ws, "Will search ship in the third quarter?", true, true, 5)
	if err != nil || len(got) != 2 {
		t.Fatalf("notes and ideas: %+v, %v", got, err)
	}
	if got[0].Source.ID != ship.ID || got[1].Source.ID != idea.ID {
		t.Fatalf("order %v, %v: the note with more of the question's words first", got[0].Source, got[1].Source)
	}
	if got, err := e.svc.Retrieve(context.Background(), e.ws, "?!", true, true, 5); err != nil || len(got) != 0 {
		t.Fatalf("a question of punctuation: %+v, %v", got, err)
	}
}

func ptr[T any](v T) *T { return &v }

// vectorAI embeds a text as counts of three words, so that texts about the
// same things are near each other, and records what it was asked.
type vectorAI struct {
	fakeAI
	mu     sync.Mutex
	inputs []string
}

func (v *vectorAI) Embed(_ context.Context, _ *endpoint.Caller, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	resp := &gateway.EmbedResponse{}
	for _, in := range req.Inputs {
		v.inputs = append(v.inputs, in)
		l := strings.ToLower(in)
		vec := []float32{0.01, 0.01, 0.01}
		for i, w := range []string{"garden", "kitchen", "money"} {
			vec[i] += float32(strings.Count(l, w))
		}
		resp.Vectors = append(resp.Vectors, vec)
	}
	return resp, nil
}

func TestSemanticSearch(t *testing.T) {
	ctx := context.Background()
	db, b, _ := authtest.SQLite(t)
	u := &quire.User{Email: "s@example.com", Name: "s"}
	_ = sqlite.NewUserService(db, b).CreateUser(ctx, u)
	w := &quire.Workspace{Name: "w", Region: quire.RegionEU, OwnerID: u.ID}
	if err := sqlite.NewWorkspaceService(db, b).CreateWorkspace(ctx, w); err != nil {
		t.Fatal(err)
	}
	raw := sqlite.NewNoteService(db, b)
	embeddings := sqlite.NewEmbeddingService(db, b)
	ai := &vectorAI{}
	newSvc := func() *finder.Service {
		svc, err := finder.New(finder.Config{Notes: raw, Ideas: sqlite.NewIdeaService(db, b), Folders: sqlite.NewFolderService(db, b),
			Embeddings: embeddings, AI: ai, EmbedModel: "embed-1",
			Caller: func(context.Context, string) (*endpoint.Caller, error) { return &endpoint.Caller{Account: u.ID}, nil }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Close() })
		return svc
	}
	svc := newSvc()
	notes := svc.Notes(raw)
	garden := &quire.Note{WorkspaceID: w.ID, Title: "Beds", Content: "garden garden: compost and mulch"}
	money := &quire.Note{WorkspaceID: w.ID, Title: "Budget", Content: "money for the year"}
	for _, n := range []*quire.Note{garden, money} {
		if err := notes.CreateNote(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	// Embedding runs in the background: wait until both are stored.
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := embeddings.FindEmbeddings(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 2 notes embedded", len(got))
		}
		time.Sleep(20 * time.Millisecond)
	}
	res, err := svc.Search(ctx, w.ID, finder.Params{Text: "where is my garden plan", Mode: search.ModeSemantic, Limit: 1})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != garden.ID {
		t.Fatalf("semantic: %+v, %v", res.Hits, err)
	}
	res, err = svc.Search(ctx, w.ID, finder.Params{Text: "budget", Mode: search.ModeHybrid})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].ID != money.ID {
		t.Fatalf("hybrid: %+v, %v", res.Hits, err)
	}

	// A new instance loads the stored vectors: nothing is embedded again.
	ai.mu.Lock()
	before := len(ai.inputs)
	ai.mu.Unlock()
	fresh := newSvc()
	res, err = fresh.Search(ctx, w.ID, finder.Params{Text: "kitchen garden", Mode: search.ModeSemantic, Limit: 1})
	if err != nil || len(res.Hits) != 1 || res.Hits[0].ID != garden.ID {
		t.Fatalf("after a restart: %+v, %v", res.Hits, err)
	}
	ai.mu.Lock()
	if after := len(ai.inputs); after != before+1 { // the query alone
		t.Fatalf("a restart embedded %d texts again", after-before-1)
	}
	ai.mu.Unlock()

	// A deleted note's embedding goes with it.
	if err := fresh.Notes(raw).DeleteNote(ctx, w.ID, money.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := embeddings.FindEmbeddings(ctx, w.ID); len(got) != 1 || got[0].DocID != garden.ID {
		t.Fatalf("embeddings after a delete: %d", len(got))
	}
}
