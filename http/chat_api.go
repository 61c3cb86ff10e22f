package http

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
)

// Paging of GET /api/v1/chats.
const (
	defaultChatLimit = 50
	maxChatLimit     = 200
)

// maxChatBody caps a message body: the longest message, each byte
// escaped at worst, and the options.
const maxChatBody = 6*quire.MaxChatMessage + 4<<10

// registerChats registers the AI chat routes. Like the notes routes they
// act in the caller's own workspace; another workspace's conversation is
// not found.
func (s *Server) registerChats() {
	if s.cfg.Workspaces == nil || s.cfg.Notes == nil || s.cfg.Chats == nil || s.cfg.Chat == nil {
		return
	}
	h := &chatAPI{s: s, chats: s.cfg.Chats, svc: s.cfg.Chat, notes: s.cfg.Notes}
	s.Handle("GET /api/v1/chats", h.list)
	s.Handle("POST /api/v1/chats", h.create)
	s.Handle("GET /api/v1/chats/{id}", h.get)
	s.Handle("PATCH /api/v1/chats/{id}", h.update)
	s.Handle("DELETE /api/v1/chats/{id}", h.delete)
	s.Mount("POST /api/v1/chats/{id}/messages", BodyLimit(maxChatBody, s.handlerFunc(h.send)))
	s.Handle("POST /api/v1/chats/{id}/messages/{message}/note", h.saveAsNote)
}

type chatAPI struct {
	s     *Server
	chats quire.ChatService
	svc   *chat.Service
	notes quire.NoteService
}

func errNoChat() error { return quire.Errorf(quire.ENOTFOUND, "Conversation not found.") }

// conversation reads the path's conversation in the caller's workspace.
func (h *chatAPI) conversation(r *http.Request) (*quire.Conversation, error) {
	a, err := requireActor(r)
	if err != nil {
		return nil, err
	}
	ws, err := h.s.ownWorkspace(r.Context(), a.UserID)
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	if !quire.ValidID(id) {
		return nil, errNoChat()
	}
	return h.chats.FindConversation(r.Context(), ws, id)
}

// list answers GET /api/v1/chats?limit=&offset=: the most recently used
// first.
func (h *chatAPI) list(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	ws, err := h.s.ownWorkspace(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	if err := checkQuery(r, "limit", "offset"); err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", defaultChatLimit, maxChatLimit)
	if err != nil || limit == 0 {
		return quire.Errorf(quire.EINVALID, "Query parameter \"limit\" must be a whole number from 1 to %d.", maxChatLimit)
	}
	offset, err := queryInt(r, "offset", 0, maxNoteOffset)
	if err != nil {
		return err
	}
	list, total, err := h.chats.FindConversations(r.Context(), ws, offset, limit)
	if err != nil {
		return err
	}
	models, err := h.svc.Models(r.Context(), a.UserID, ws)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"chats": list, "total": total, "defaultModel": h.svc.DefaultModel(),
		"models": models, "webSearch": h.svc.WebEnabled()})
}

// chatBody is the body of POST and PATCH /api/v1/chats.
type chatBody struct {
	Title *string `json:"title"`
	Model *string `json:"model"`
}

// create answers POST /api/v1/chats with 201 and the conversation.
func (h *chatAPI) create(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	ws, err := h.s.ownWorkspace(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	var in *chatBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the conversation.")
	}
	c := &quire.Conversation{WorkspaceID: ws, Model: h.svc.DefaultModel()}
	if in.Title != nil {
		c.Title = *in.Title
	}
	if in.Model != nil {
		c.Model = *in.Model
	}
	if err := h.chats.CreateConversation(r.Context(), c); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/chats/"+c.ID)
	return JSON(w, http.StatusCreated, c)
}

// get answers GET /api/v1/chats/{id} with the conversation and its
// messages, oldest first.
func (h *chatAPI) get(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	c, err := h.conversation(r)
	if err != nil {
		return err
	}
	msgs, err := h.chats.FindChatMessages(r.Context(), c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return JSON(w, http.StatusOK, map[string]any{"chat": c, "messages": msgs})
}

// update answers PATCH /api/v1/chats/{id}: a new title or model.
func (h *chatAPI) update(w http.ResponseWriter, r *http.Request) error {
	c, err := h.conversation(r)
	if err != nil {
		return err
	}
	var in *chatBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil || (in.Title == nil && in.Model == nil) {
		return quire.Errorf(quire.EINVALID, "Nothing to change: give title or model.")
	}
	c, err = h.chats.UpdateConversation(r.Context(), c.WorkspaceID, c.ID, quire.ConversationUpdate{Title: in.Title, Model: in.Model})
	if err != nil {
		return err
	}
	return JSON(w, http.StatusOK, c)
}

// delete answers DELETE /api/v1/chats/{id} with 204.
func (h *chatAPI) delete(w http.ResponseWriter, r *http.Request) error {
	c, err := h.conversation(r)
	if err != nil {
		return err
	}
	if err := h.chats.DeleteConversation(r.Context(), c.WorkspaceID, c.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// saveAsNote answers POST /api/v1/chats/{id}/messages/{message}/note: an
// answer becomes a note, titled after the conversation (or the answer's
// first line), with 201 {"noteId"}.
func (h *chatAPI) saveAsNote(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	c, err := h.conversation(r)
	if err != nil {
		return err
	}
	msgs, err := h.chats.FindChatMessages(r.Context(), c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	var answer *quire.ChatMessage
	for _, m := range msgs {
		if m.ID == r.PathValue("message") && m.Role == quire.ChatAssistant {
			answer = m
		}
	}
	if answer == nil || answer.Content == "" {
		return quire.Errorf(quire.ENOTFOUND, "Answer not found.")
	}
	title := c.Title
	if title == "" {
		title, _, _ = strings.Cut(strings.TrimSpace(answer.Content), "\n")
		title = strings.TrimLeft(title, "# ")
	}
	n := &quire.Note{WorkspaceID: c.WorkspaceID, Title: clipTitle(title, 120), Content: answer.Content}
	if err := h.notes.CreateNote(r.Context(), n); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/notes/"+n.ID)
	return JSON(w, http.StatusCreated, map[string]string{"noteId": n.ID})
}

// clipTitle cuts s to at most n bytes at a rune boundary.
func clipTitle(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// streamWriteTimeout bounds the write of one event of an answer, and
// answerWindow the wait for the next; they replace the server's write
// timeout, which counts from the request.
const (
	streamWriteTimeout = time.Minute
	answerWindow       = 10 * time.Minute
)
