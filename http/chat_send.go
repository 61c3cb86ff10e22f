package http

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/chat"
)

// sendBody is the body of POST /api/v1/chats/{id}/messages.
type sendBody struct {
	Content string       `json:"content"`
	Model   *string      `json:"model"`
	Context *sendContext `json:"context"`
}

// sendContext is what the answer may draw on.
type sendContext struct {
	Notes  bool    `json:"notes"`
	Ideas  bool    `json:"ideas"`
	NoteID *string `json:"noteId"`
	Web    bool    `json:"web"`
}

func (in *sendBody) ask() (chat.Ask, error) {
	a := chat.Ask{Text: in.Content}
	if in.Model != nil {
		if err := quire.ValidateModel(*in.Model); err != nil {
			return a, err
		}
		a.Model = *in.Model
	}
	if c := in.Context; c != nil {
		a.Notes, a.Ideas, a.Web = c.Notes, c.Ideas, c.Web
		if c.NoteID != nil {
			if !quire.ValidID(*c.NoteID) {
				return a, quire.Errorf(quire.EINVALID, "Field \"context.noteId\" must be a note ID.")
			}
			a.NoteID = *c.NoteID
		}
	}
	return a, nil
}

// send answers POST /api/v1/chats/{id}/messages. The answer streams as
// server-sent events: question (the stored question), sources (what the
// answer draws on), delta (a fragment of text), done (the stored answer,
// with its status). With "Accept: application/json" the answer comes
// whole instead: {"question", "sources", "answer"}. A failure before the
// answer starts is an ordinary error response, and nothing is stored.
func (h *chatAPI) send(w http.ResponseWriter, r *http.Request) error {
	if err := checkQuery(r); err != nil {
		return err
	}
	c, err := h.conversation(r)
	if err != nil {
		return err
	}
	var in *sendBody
	if err := decodeStrict(r, &in); err != nil {
		return err
	}
	if in == nil {
		return quire.Errorf(quire.EINVALID, "Request body must be a JSON object: the message.")
	}
	ask, err := in.ask()
	if err != nil {
		return err
	}
	a, _ := requireActor(r)
	// The server's write timeout counts from the request; an answer may
	// take minutes (retrieval, the provider, a slow model).
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(answerWindow))
	if wantsJSON(r) {
		out := map[string]any{}
		err := h.svc.Send(r.Context(), a.UserID, c.WorkspaceID, c.ID, ask, func(ev chat.Event) error {
			switch ev.Type {
			case "question":
				out["question"] = ev.Message
			case "sources":
				out["sources"] = ev.Sources
			case "done":
				out["answer"] = ev.Message
			}
			return nil
		})
		if err != nil {
			return err
		}
		return JSON(w, http.StatusOK, out)
	}
	sse := &eventWriter{w: w, rc: rc}
	return h.svc.Send(r.Context(), a.UserID, c.WorkspaceID, c.ID, ask, sse.write)
}

// wantsJSON reports whether the client asked for the whole answer as
// JSON rather than a stream.
func wantsJSON(r *http.Request) bool {
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/event-stream")
}

// eventWriter writes chat events as server-sent events, flushing each.
type eventWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func (e *eventWriter) write(ev chat.Event) error {
	if !e.started {
		h := e.w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		e.w.WriteHeader(http.StatusOK)
		e.started = true
	}
	var data any
	switch ev.Type {
	case "question", "done":
		data = ev.Message
	case "sources":
		data = map[string]any{"sources": ev.Sources}
	default:
		data = map[string]string{"text": ev.Text}
	}
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	_ = e.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
	if _, err := e.w.Write([]byte("event: " + ev.Type + "\ndata: " + string(b) + "\n\n")); err != nil {
		return err
	}
	if err := e.rc.Flush(); err != nil {
		return err
	}
	// Until the next event: a model may think for minutes in silence.
	_ = e.rc.SetWriteDeadline(time.Now().Add(answerWindow))
	return nil
}
