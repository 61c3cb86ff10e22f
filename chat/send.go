package chat

import (
	"context"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
)

// Ask is one question and what its answer may draw on.
type Ask struct {
	Text string
	// Model, if set, switches the conversation to this model from now on.
	Model string
	// Notes and Ideas search the workspace's notes and ideas; NoteID adds
	// the note being edited; Web answers through the web search model.
	Notes, Ideas bool
	NoteID       string
	Web          bool
}

// validate reports what is wrong with a, against s's configuration.
func (s *Service) validate(a Ask) error {
	if a.Text == "" || len(a.Text) > quire.MaxChatMessage || !utf8.ValidString(a.Text) {
		return quire.Errorf(quire.EINVALID, "The message must be 1 to %d bytes of text.", quire.MaxChatMessage)
	}
	if a.Model != "" {
		if err := quire.ValidateModel(a.Model); err != nil {
			return err
		}
	}
	if a.NoteID != "" && !quire.ValidID(a.NoteID) {
		return quire.Errorf(quire.EINVALID, "The current note is not a valid note ID.")
	}
	if a.Web && s.cfg.WebModel == "" {
		return quire.Errorf(quire.EINVALID, "Web search is not configured on this server.")
	}
	if (a.Notes || a.Ideas) && s.cfg.Retriever == nil {
		return quire.Errorf(quire.EUNAVAILABLE, "Search is not available.")
	}
	return nil
}

// Event is one step of an answer as the client sees it.
type Event struct {
	// Type is "question" (the stored question, in Message), "sources"
	// (what the answer draws on), "delta" (a fragment of the answer, in
	// Text) or "done" (the stored answer, in Message).
	Type    string
	Message *quire.ChatMessage
	Sources []quire.Source
	Text    string
}

// Send asks a question in a conversation of workspace ws for user and
// streams the answer to emit. An error before the first event leaves
// the conversation unchanged; once events flow, Send stores what it got
// and returns nil, the "done" event saying how the answer ended. When
// emit fails (the client went away) the answer is cancelled.
func (s *Service) Send(ctx context.Context, user, ws, conversationID string, a Ask, emit func(Event) error) error {
	if err := s.validate(a); err != nil {
		return err
	}
	conv, err := s.cfg.Chats.FindConversation(ctx, ws, conversationID)
	if err != nil {
		return err
	}
	past, err := s.cfg.Chats.FindChatMessages(ctx, ws, conversationID)
	if err != nil {
		return err
	}
	if len(past)+2 > quire.MaxChatMessages {
		return quire.Errorf(quire.ECONFLICT, "The conversation holds %d messages, the most it can; start a new one.", quire.MaxChatMessages)
	}
	passages, err := s.passages(ctx, ws, a)
	if err != nil {
		return err
	}
	model := conv.Model
	if a.Model != "" {
		model = a.Model
	}
	answerModel := model
	if a.Web {
		answerModel = s.cfg.WebModel
	}
	req := &gateway.ChatRequest{Model: answerModel, System: systemPrompt(passages), Stream: true, IncludeUsage: true,
		Messages:  append(history(past, s.cfg.HistoryTokens), gateway.TextMessage(gateway.RoleUser, a.Text)),
		MaxTokens: s.cfg.AnswerTokens}
	caller, err := s.cfg.Caller(ctx, user, ws)
	if err != nil {
		return err
	}
	st, err := s.cfg.AI.ChatStream(ctx, caller, req)
	if err != nil {
		return aiError(err)
	}
	defer st.Close()
	return s.relay(ctx, conv, model, answerModel, a.Text, passages, st, emit)
}

// relay stores the question, streams the answer to emit and stores it.
func (s *Service) relay(ctx context.Context, conv *quire.Conversation, model, answerModel, text string,
	passages []Passage, st gateway.Stream, emit func(Event) error) error {
	store := context.WithoutCancel(ctx)
	if model != conv.Model {
		if _, err := s.cfg.Chats.UpdateConversation(store, conv.WorkspaceID, conv.ID, quire.ConversationUpdate{Model: &model}); err != nil {
			return err
		}
	}
	q := &quire.ChatMessage{WorkspaceID: conv.WorkspaceID, ConversationID: conv.ID, Role: quire.ChatUser, Content: text,
		Status: quire.ChatComplete, Sources: []quire.Source{}}
	if err := s.cfg.Chats.AddChatMessage(store, q); err != nil {
		return err
	}
	sources := sourcesOf(passages)
	ans := &quire.ChatMessage{WorkspaceID: conv.WorkspaceID, ConversationID: conv.ID, Role: quire.ChatAssistant,
		Model: answerModel, Status: quire.ChatComplete}
	alive := emit(Event{Type: "question", Message: q}) == nil && emit(Event{Type: "sources", Sources: sources}) == nil
	if !alive {
		ans.Status = quire.ChatCancelled
	}
	var b []byte
	for alive {
		ev, err := st.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			ans.Status = quire.ChatFailed
			if ctx.Err() != nil {
				ans.Status = quire.ChatCancelled
			}
			s.log.WarnContext(ctx, "chat answer ended early", "status", ans.Status, "error", aiError(err))
			break
		}
		switch {
		case ev.Type == gateway.EventText && ev.Index == 0:
			if len(b)+len(ev.Text) > quire.MaxChatAnswer {
				alive = false // the longest answer kept: stop here
				break
			}
			b = append(b, ev.Text...)
			alive = emit(Event{Type: "delta", Text: ev.Text}) == nil
			if !alive {
				ans.Status = quire.ChatCancelled
			}
		case ev.Type == gateway.EventCitations:
			sources = append(sources, webSources(ev.Citations)...)
		}
	}
	ans.Content, ans.Sources = validText(b), sources
	if err := s.cfg.Chats.AddChatMessage(store, ans); err != nil {
		return err
	}
	_ = emit(Event{Type: "done", Message: ans})
	return nil
}

// validText returns b as text, any invalid byte replaced.
func validText(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }
