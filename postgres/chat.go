package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// ChatService stores conversations and messages, sealed under their
// workspace's scope, each transaction bound to that workspace.
type ChatService struct {
	db *DB
	b  *barrier.Barrier
}

// NewChatService returns a chat service over db that encrypts with b.
func NewChatService(db *DB, b *barrier.Barrier) *ChatService { return &ChatService{db: db, b: b} }

var _ quire.ChatService = (*ChatService)(nil)

var errConversationNotFound = quire.Errorf(quire.ENOTFOUND, "Conversation not found.")

func (s *ChatService) seal(ctx context.Context, ws, table, id, field, v string) ([]byte, error) {
	ct, err := s.b.Encrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(table, id, field), []byte(v))
	return ct, internal("encrypt chat", err)
}

func (s *ChatService) open(ctx context.Context, ws, table, id, field string, ct []byte) (string, error) {
	pt, err := s.b.Decrypt(ctx, barrier.WorkspaceScope(ws), barrier.AD(table, id, field), ct)
	return string(pt), internal("decrypt chat", err)
}

const conversationColumns = "id, workspace_id, title_enc, model, created_at, updated_at"

// conversationRow is a conversations row as stored.
type conversationRow struct {
	id, workspace, model string
	title                []byte
	created, updated     time.Time
}

func scanConversation(row pgx.Row) (*conversationRow, error) {
	var r conversationRow
	return &r, row.Scan(&r.id, &r.workspace, &r.title, &r.model, &r.created, &r.updated)
}

func (s *ChatService) decryptConversation(ctx context.Context, r *conversationRow) (*quire.Conversation, error) {
	title, err := s.open(ctx, r.workspace, "conversations", r.id, "title", r.title)
	if err != nil {
		return nil, err
	}
	return &quire.Conversation{ID: r.id, WorkspaceID: r.workspace, Title: title, Model: r.model,
		CreatedAt: r.created, UpdatedAt: r.updated}, nil
}

// CreateConversation implements quire.ChatService.
func (s *ChatService) CreateConversation(ctx context.Context, c *quire.Conversation) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	title, err := s.seal(ctx, c.WorkspaceID, "conversations", id, "title", c.Title)
	if err != nil {
		return err
	}
	err = s.db.inTx(ctx, tenant(c.WorkspaceID), func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO conversations ("+conversationColumns+") VALUES ($1, $2, $3, $4, $5, $5)",
			id, c.WorkspaceID, title, c.Model, t)
		return err
	})
	if pgCode(err) == codeForeignKeyViolation {
		return quire.Errorf(quire.ENOTFOUND, "Workspace not found.")
	} else if err != nil {
		return internal("insert conversation", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, t, t
	return nil
}

// FindConversation implements quire.ChatService.
func (s *ChatService) FindConversation(ctx context.Context, workspaceID, id string) (*quire.Conversation, error) {
	var r *conversationRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		var err error
		r, err = scanConversation(tx.QueryRow(ctx, "SELECT "+conversationColumns+
			" FROM conversations WHERE id = $1 AND workspace_id = $2", id, workspaceID))
		return err
	})
	if notFound(err) {
		return nil, errConversationNotFound
	} else if err != nil {
		return nil, internal("find conversation", err)
	}
	return s.decryptConversation(ctx, r)
}

// FindConversations implements quire.ChatService.
func (s *ChatService) FindConversations(ctx context.Context, workspaceID string, offset, limit int) ([]*quire.Conversation, int, error) {
	if offset < 0 || limit < 0 {
		return nil, 0, quire.Errorf(quire.EINVALID, "Offset and limit must not be negative.")
	}
	var lim any
	if limit > 0 {
		lim = limit
	}
	var total int
	var raw []*conversationRow
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM conversations WHERE workspace_id = $1", workspaceID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+conversationColumns+" FROM conversations WHERE workspace_id = $1"+
			" ORDER BY updated_at DESC, id LIMIT $2 OFFSET $3", workspaceID, lim, offset)
		if err != nil {
			return err
		}
		raw, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (*conversationRow, error) { return scanConversation(row) })
		return err
	})
	if err != nil {
		return nil, 0, internal("find conversations", err)
	}
	out := make([]*quire.Conversation, 0, len(raw))
	for _, r := range raw {
		c, err := s.decryptConversation(ctx, r)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, nil
}

// UpdateConversation implements quire.ChatService.
func (s *ChatService) UpdateConversation(ctx context.Context, workspaceID, id string, upd quire.ConversationUpdate) (*quire.Conversation, error) {
	c, err := s.FindConversation(ctx, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if upd.Title != nil {
		c.Title = *upd.Title
	}
	if upd.Model != nil {
		c.Model = *upd.Model
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	title, err := s.seal(ctx, workspaceID, "conversations", id, "title", c.Title)
	if err != nil {
		return nil, err
	}
	c.UpdatedAt = later(c.UpdatedAt)
	var n int64
	err = s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE conversations SET title_enc = $3, model = $4, updated_at = $5 WHERE id = $1 AND workspace_id = $2",
			id, workspaceID, title, c.Model, c.UpdatedAt)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return nil, internal("update conversation", err)
	} else if n == 0 {
		return nil, errConversationNotFound
	}
	return c, nil
}

// DeleteConversation implements quire.ChatService.
func (s *ChatService) DeleteConversation(ctx context.Context, workspaceID, id string) error {
	var n int64
	err := s.db.inTx(ctx, tenant(workspaceID), func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "DELETE FROM chat_messages WHERE conversation_id = $1 AND workspace_id = $2", id, workspaceID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, "DELETE FROM conversations WHERE id = $1 AND workspace_id = $2", id, workspaceID)
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return internal("delete conversation", err)
	} else if n == 0 {
		return errConversationNotFound
	}
	return nil
}

// sealMessage encrypts m's content and sources for row id.
func (s *ChatService) sealMessage(ctx context.Context, m *quire.ChatMessage, id string) (content, sources []byte, err error) {
	if content, err = s.seal(ctx, m.WorkspaceID, "chat_messages", id, "content", m.Content); err != nil {
		return nil, nil, err
	}
	src, err := json.Marshal(m.Sources)
	if err != nil {
		return nil, nil, internal("encode sources", err)
	}
	sources, err = s.seal(ctx, m.WorkspaceID, "chat_messages", id, "sources", string(src))
	return content, sources, err
}
