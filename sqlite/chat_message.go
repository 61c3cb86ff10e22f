package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// errChatFull refuses a message to a conversation that holds the most.
func errChatFull() error {
	return quire.Errorf(quire.ECONFLICT, "The conversation holds %d messages, the most it can; start a new one.", quire.MaxChatMessages)
}

// AddChatMessage implements quire.ChatService. The message takes the next
// place in its conversation, in the transaction that marks the
// conversation updated.
func (s *ChatService) AddChatMessage(ctx context.Context, m *quire.ChatMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	content, sources, err := sealMessage(ctx, s.b, m, id)
	if err != nil {
		return err
	}
	err = s.db.write(ctx, func(tx *sql.Tx) error {
		var exists, seq int
		err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM conversations WHERE id = ? AND workspace_id = ?),
			(SELECT coalesce(max(seq), 0) FROM chat_messages WHERE conversation_id = ? AND workspace_id = ?)`,
			m.ConversationID, m.WorkspaceID, m.ConversationID, m.WorkspaceID).Scan(&exists, &seq)
		if err != nil {
			return err
		}
		if exists == 0 {
			return errConversationNotFound()
		}
		if seq >= quire.MaxChatMessages {
			return errChatFull()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO chat_messages (id, conversation_id, workspace_id, seq, role, content_enc,
			sources_enc, model, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, m.ConversationID, m.WorkspaceID,
			seq+1, m.Role, content, sources, m.Model, m.Status, formatTime(t)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE conversations SET updated_at = max(updated_at, ?) WHERE id = ?", formatTime(t), m.ConversationID)
		return err
	})
	var qe *quire.Error
	if errors.As(err, &qe) {
		return qe // not found, or full
	} else if err != nil {
		return internal("add chat message", err)
	}
	m.ID, m.CreatedAt = id, t
	return nil
}

// messageRow is a chat_messages row as stored.
type messageRow struct {
	id, role, model, status string
	content, sources        []byte
	created                 string
}

// FindChatMessages implements quire.ChatService.
func (s *ChatService) FindChatMessages(ctx context.Context, workspaceID, conversationID string) ([]*quire.ChatMessage, error) {
	if _, err := s.FindConversation(ctx, workspaceID, conversationID); err != nil {
		return nil, err
	}
	var raw []*messageRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, role, model, status, content_enc, sources_enc, created_at FROM chat_messages
			WHERE conversation_id = ? AND workspace_id = ? ORDER BY seq`, conversationID, workspaceID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r messageRow
			if err := rows.Scan(&r.id, &r.role, &r.model, &r.status, &r.content, &r.sources, &r.created); err != nil {
				return err
			}
			raw = append(raw, &r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, internal("find chat messages", err)
	}
	out := make([]*quire.ChatMessage, 0, len(raw))
	for _, r := range raw {
		m, err := s.decodeMessage(ctx, workspaceID, conversationID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func (s *ChatService) decodeMessage(ctx context.Context, ws, conv string, r *messageRow) (*quire.ChatMessage, error) {
	scope := barrier.WorkspaceScope(ws)
	m := &quire.ChatMessage{ID: r.id, ConversationID: conv, WorkspaceID: ws, Role: r.role, Model: r.model, Status: r.status}
	var err error
	if m.Content, err = unseal(ctx, s.b, scope, tableChatMessages, r.id, fieldContent, r.content); err != nil {
		return nil, err
	}
	src, err := unseal(ctx, s.b, scope, tableChatMessages, r.id, fieldSources, r.sources)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(src), &m.Sources); err != nil {
		return nil, internal("read chat message", errors.New("sources are not JSON"))
	}
	if m.Sources == nil {
		m.Sources = []quire.Source{}
	}
	if m.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read chat message", err)
	}
	return m, nil
}
