package quire

import (
	"context"
	"time"
	"unicode/utf8"
)

// Limits on chats.
const (
	// MaxChatTitle is the longest conversation title, in bytes.
	MaxChatTitle = 200
	// MaxChatMessage is the longest message, in bytes.
	MaxChatMessage = 64 << 10
	// MaxChatAnswer is the longest answer kept, in bytes.
	MaxChatAnswer = 256 << 10
	// MaxChatMessages is how many messages one conversation may hold.
	MaxChatMessages = 2000
	// MaxChatModel is the longest model name.
	MaxChatModel = 128
)

// Chat message roles.
const (
	ChatUser      = "user"
	ChatAssistant = "assistant"
)

// Chat answer states: an answer is kept as far as it got.
const (
	ChatComplete  = "complete"
	ChatCancelled = "cancelled"
	ChatFailed    = "failed"
)

// Conversation is a chat with the AI in a workspace. Title is user
// content, encrypted at rest. Model is the model (or alias) the next
// answer uses; it names a configured model, not user text, and is stored
// in clear.
type Conversation struct {
	ID          string    `json:"conversationId"`
	WorkspaceID string    `json:"workspaceId"`
	Title       string    `json:"title"`
	Model       string    `json:"model"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Validate reports whether the conversation is acceptable to store.
func (c *Conversation) Validate() error {
	if c.WorkspaceID == "" {
		return Errorf(EINVALID, "Conversation workspace is required.")
	}
	if len(c.Title) > MaxChatTitle || !utf8.ValidString(c.Title) {
		return Errorf(EINVALID, "Conversation title must be valid text of at most %d bytes.", MaxChatTitle)
	}
	return ValidateModel(c.Model)
}

// ValidateModel accepts a model name as configured: 1 to MaxChatModel
// printable ASCII characters without spaces.
func ValidateModel(m string) error {
	if m == "" || len(m) > MaxChatModel {
		return Errorf(EINVALID, "Model must be 1 to %d characters.", MaxChatModel)
	}
	for i := 0; i < len(m); i++ {
		if m[i] <= ' ' || m[i] > '~' {
			return Errorf(EINVALID, "Model must be printable ASCII without spaces.")
		}
	}
	return nil
}

// Source is what an answer drew on: a note or idea of the workspace, or a
// web page a search-backed model cited.
type Source struct {
	Kind  string `json:"kind"` // note, idea or web
	ID    string `json:"id,omitempty"`
	Title string `json:"title,omitempty"`
	URL   string `json:"url,omitempty"`
}

// ChatMessage is one turn of a conversation. Content and Sources are user
// content, encrypted at rest; Role, Model and Status are not.
type ChatMessage struct {
	ID             string    `json:"messageId"`
	ConversationID string    `json:"conversationId"`
	WorkspaceID    string    `json:"-"`
	Role           string    `json:"role"`
	Content        string    `json:"content"`
	Model          string    `json:"model,omitempty"`
	Status         string    `json:"status"`
	Sources        []Source  `json:"sources"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Validate reports whether the message is acceptable to store.
func (m *ChatMessage) Validate() error {
	if m.WorkspaceID == "" || m.ConversationID == "" {
		return Errorf(EINVALID, "Message workspace and conversation are required.")
	}
	limit := MaxChatMessage
	switch m.Role {
	case ChatUser:
	case ChatAssistant:
		limit = MaxChatAnswer
		if err := ValidateModel(m.Model); err != nil {
			return err
		}
	default:
		return Errorf(EINVALID, "Message role must be user or assistant.")
	}
	if len(m.Content) > limit || !utf8.ValidString(m.Content) {
		return Errorf(EINVALID, "Message must be valid text of at most %d bytes.", limit)
	}
	switch m.Status {
	case ChatComplete, ChatCancelled, ChatFailed:
	default:
		return Errorf(EINVALID, "Message status must be complete, cancelled or failed.")
	}
	return nil
}

// ConversationUpdate holds the fields of a conversation that may change;
// nil means unchanged.
type ConversationUpdate struct {
	Title *string
	Model *string
}

// ChatService stores conversations and their messages. Every call names
// the workspace; a conversation of another workspace is ENOTFOUND.
type ChatService interface {
	// CreateConversation stores c, setting ID, CreatedAt and UpdatedAt.
	CreateConversation(ctx context.Context, c *Conversation) error
	FindConversation(ctx context.Context, workspaceID, id string) (*Conversation, error)
	// FindConversations lists a workspace's conversations, the most
	// recently updated first, and the total count before paging.
	FindConversations(ctx context.Context, workspaceID string, offset, limit int) ([]*Conversation, int, error)
	UpdateConversation(ctx context.Context, workspaceID, id string, upd ConversationUpdate) (*Conversation, error)
	// DeleteConversation deletes a conversation and its messages.
	DeleteConversation(ctx context.Context, workspaceID, id string) error
	// AddChatMessage appends m to its conversation, setting ID and
	// CreatedAt, and marks the conversation updated. A conversation
	// holding MaxChatMessages already refuses it (ECONFLICT).
	AddChatMessage(ctx context.Context, m *ChatMessage) error
	// FindChatMessages returns a conversation's messages, oldest first.
	FindChatMessages(ctx context.Context, workspaceID, conversationID string) ([]*ChatMessage, error)
}
