package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
)

// AddChatMessage implements quire.ChatService. The conversation's row is
// locked while the message takes the next place in it.
func (s *ChatService) AddChatMessage(ctx context.Context, m *quire.ChatMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	content, sources, err := s.sealMessage(ctx, m, id)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(m.WorkspaceID), func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM conversations WHERE id = $1 AND workspace_id = $2 FOR UPDATE",
			m.ConversationID, m.WorkspaceID).Scan(&one); err != nil {
			return err
		}
		var seq int
		if err := tx.QueryRow(ctx, "SELECT coalesce(max(seq), 0) FROM chat_messages WHERE conversation_id = $1",
			m.ConversationID).Scan(&seq); err != nil {
			return err
		}
		if seq >= quire.MaxChatMessages {
			return quire.Errorf(quire.ECONFLICT, "The conversation holds %d messages, the most it can; start a new one.", quire.MaxChatMessages)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO chat_messages (id, conversation_id, workspace_id, seq, role, content_enc,
			sources_enc, model, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, m.ConversationID,
			m.WorkspaceID, seq+1, m.Role, content, sources, m.Model, m.Status, t); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "UPDATE conversations SET updated_at = greatest(updated_at, $2) WHERE id = $1", m.ConversationID, t)
		return err
	})
	if notFound(err) {
		return errConversationNotFound
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
	created                 time.Time
}

// FindChatMessages implements quire.ChatService.
func (s *ChatService) FindChatMessages(ctx context.Context, workspaceID, conversationID string) ([]*quire.ChatMessage, error) {
	var raw []*messageRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, "SELECT 1 FROM conversations WHERE id = $1 AND workspace_id = $2",
			conversationID, workspaceID).Scan(&one); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id, role, model, status, content_enc, sources_enc, created_at FROM chat_messages
			WHERE conversation_id = $1 AND workspace_id = $2 ORDER BY seq`, conversationID, workspaceID)
		if err != nil {
			return err
		}
		raw, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*messageRow, error) {
			var r messageRow
			return &r, row.Scan(&r.id, &r.role, &r.model, &r.status, &r.content, &r.sources, &r.created)
		})
		return err
	})
	if notFound(err) {
		return nil, errConversationNotFound
	} else if err != nil {
		return nil, internal("find chat messages", err)
	}
	out := make([]*quire.ChatMessage, 0, len(raw))
	for _, r := range raw {
		m := &quire.ChatMessage{ID: r.id, ConversationID: conversationID, WorkspaceID: workspaceID, Role: r.role,
			Model: r.model, Status: r.status, CreatedAt: r.created}
		var err error
		if m.Content, err = s.open(ctx, workspaceID, "chat_messages", r.id, "content", r.content); err != nil {
			return nil, err
		}
		src, err := s.open(ctx, workspaceID, "chat_messages", r.id, "sources", r.sources)
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(src), &m.Sources); err != nil {
			return nil, internal("read chat message", errors.New("sources are not JSON"))
		}
		if m.Sources == nil {
			m.Sources = []quire.Source{}
		}
		out = append(out, m)
	}
	return out, nil
}
