package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// Tables and fields of the chat store, bound into its ciphertexts.
const (
	tableConversations = "conversations"
	tableChatMessages  = "chat_messages"
	fieldSources       = "sources"
)

// ChatService stores conversations and messages, sealed under their
// workspace's scope. Every query is bound to the workspace named.
type ChatService struct {
	db *DB
	b  *barrier.Barrier
}

// NewChatService returns a ChatService on db that encrypts through b.
func NewChatService(db *DB, b *barrier.Barrier) *ChatService { return &ChatService{db: db, b: b} }

var _ quire.ChatService = (*ChatService)(nil)

func errConversationNotFound() error { return quire.Errorf(quire.ENOTFOUND, "Conversation not found.") }

const conversationColumns = "id, workspace_id, title_enc, model, created_at, updated_at"

// conversationRow is a conversations row as stored.
type conversationRow struct {
	id, workspaceID, model string
	title                  []byte
	created, updated       string
}

func scanConversation(row interface{ Scan(...any) error }) (*conversationRow, error) {
	var r conversationRow
	return &r, row.Scan(&r.id, &r.workspaceID, &r.title, &r.model, &r.created, &r.updated)
}

func (s *ChatService) decodeConversation(ctx context.Context, r *conversationRow) (*quire.Conversation, error) {
	c := &quire.Conversation{ID: r.id, WorkspaceID: r.workspaceID, Model: r.model}
	var err error
	if c.Title, err = unseal(ctx, s.b, barrier.WorkspaceScope(r.workspaceID), tableConversations, r.id, fieldTitle, r.title); err != nil {
		return nil, err
	}
	if c.CreatedAt, err = parseTime(r.created); err != nil {
		return nil, internal("read conversation", err)
	}
	if c.UpdatedAt, err = parseTime(r.updated); err != nil {
		return nil, internal("read conversation", err)
	}
	return c, nil
}

// CreateConversation implements quire.ChatService.
func (s *ChatService) CreateConversation(ctx context.Context, c *quire.Conversation) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, t := quire.NewID(), now()
	title, err := seal(ctx, s.b, barrier.WorkspaceScope(c.WorkspaceID), tableConversations, id, fieldTitle, c.Title)
	if err != nil {
		return err
	}
	_, err = s.db.writer.ExecContext(ctx, "INSERT INTO conversations ("+conversationColumns+") VALUES (?, ?, ?, ?, ?, ?)",
		id, c.WorkspaceID, title, c.Model, formatTime(t), formatTime(t))
	if isForeignKeyViolation(err) {
		return errWorkspaceNotFound()
	} else if err != nil {
		return internal("insert conversation", err)
	}
	c.ID, c.CreatedAt, c.UpdatedAt = id, t, t
	return nil
}

// FindConversation implements quire.ChatService.
func (s *ChatService) FindConversation(ctx context.Context, workspaceID, id string) (*quire.Conversation, error) {
	r, err := scanConversation(s.db.reader.QueryRowContext(ctx,
		"SELECT "+conversationColumns+" FROM conversations WHERE id = ? AND workspace_id = ?", id, workspaceID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errConversationNotFound()
	} else if err != nil {
		return nil, internal("find conversation", err)
	}
	return s.decodeConversation(ctx, r)
}

// FindConversations implements quire.ChatService.
func (s *ChatService) FindConversations(ctx context.Context, workspaceID string, offset, limit int) ([]*quire.Conversation, int, error) {
	if offset < 0 || limit < 0 {
		return nil, 0, quire.Errorf(quire.EINVALID, "Offset and limit must not be negative.")
	}
	if limit == 0 {
		limit = -1
	}
	var total int
	var raw []*conversationRow
	err := s.db.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM conversations WHERE workspace_id = ?", workspaceID).Scan(&total); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "SELECT "+conversationColumns+" FROM conversations WHERE workspace_id = ?"+
			" ORDER BY updated_at DESC, id LIMIT ? OFFSET ?", workspaceID, limit, offset)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanConversation(rows)
			if err != nil {
				return err
			}
			raw = append(raw, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, internal("find conversations", err)
	}
	out := make([]*quire.Conversation, 0, len(raw))
	for _, r := range raw {
		c, err := s.decodeConversation(ctx, r)
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
	title, err := seal(ctx, s.b, barrier.WorkspaceScope(workspaceID), tableConversations, id, fieldTitle, c.Title)
	if err != nil {
		return nil, err
	}
	c.UpdatedAt = after(c.UpdatedAt)
	res, err := s.db.writer.ExecContext(ctx, "UPDATE conversations SET title_enc = ?, model = ?, updated_at = ? WHERE id = ? AND workspace_id = ?",
		title, c.Model, formatTime(c.UpdatedAt), id, workspaceID)
	if err != nil {
		return nil, internal("update conversation", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return nil, errConversationNotFound()
	}
	return c, nil
}

// DeleteConversation implements quire.ChatService.
func (s *ChatService) DeleteConversation(ctx context.Context, workspaceID, id string) error {
	var n int64
	err := s.db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM chat_messages WHERE conversation_id = ? AND workspace_id = ?", id, workspaceID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM conversations WHERE id = ? AND workspace_id = ?", id, workspaceID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return internal("delete conversation", err)
	}
	if n == 0 {
		return errConversationNotFound()
	}
	return nil
}

// sealMessage encrypts m's content and sources for row id.
func sealMessage(ctx context.Context, b *barrier.Barrier, m *quire.ChatMessage, id string) (content, sources []byte, err error) {
	scope := barrier.WorkspaceScope(m.WorkspaceID)
	if content, err = seal(ctx, b, scope, tableChatMessages, id, fieldContent, m.Content); err != nil {
		return nil, nil, err
	}
	src, err := json.Marshal(m.Sources)
	if err != nil {
		return nil, nil, internal("encode sources", err)
	}
	sources, err = seal(ctx, b, scope, tableChatMessages, id, fieldSources, string(src))
	return content, sources, err
}
