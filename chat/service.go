package chat

import (
	"context"
	"errors"
	"log/slog"
	"slices"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
)

// AI is the gateway as chat uses it: endpoint.Handler's in-process calls.
type AI interface {
	ChatStream(ctx context.Context, c *endpoint.Caller, req *gateway.ChatRequest) (gateway.Stream, error)
}

// Passage is a piece of the workspace that retrieval found relevant.
type Passage struct {
	Source quire.Source
	Text   string
}

// Retriever finds the passages of a workspace most relevant to a query,
// best first.
type Retriever interface {
	Retrieve(ctx context.Context, workspaceID, query string, notes, ideas bool, limit int) ([]Passage, error)
}

// Config wires a Service.
type Config struct {
	Chats quire.ChatService
	Notes quire.NoteService
	AI    AI
	// Caller returns who a call acts for: the user's account and the
	// workspace's AI policy.
	Caller func(ctx context.Context, userID, workspaceID string) (*endpoint.Caller, error)
	// Retriever searches the workspace; nil turns the notes and ideas
	// toggles into errors.
	Retriever Retriever
	// Model answers new conversations; WebModel answers with the web on
	// (empty: the web toggle is refused).
	Model, WebModel string
	// Models lists the chat models the user may pick in workspace ws
	// under its AI policy; nil offers the default model only.
	Models func(ctx context.Context, userID, workspaceID string) ([]string, error)
	// ContextTokens bounds the passages and the current note given to the
	// model (default 3000); HistoryTokens bounds the earlier turns
	// (default 4000); AnswerTokens caps the answer (default 2048).
	ContextTokens, HistoryTokens, AnswerTokens int
	Logger                                     *slog.Logger
}

// Defaults.
const (
	DefaultContextTokens = 3000
	DefaultHistoryTokens = 4000
	DefaultAnswerTokens  = 2048
	maxPassages          = 24
)

// Service runs conversations.
type Service struct {
	cfg Config
	log *slog.Logger
}

// New returns a Service of cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Chats == nil || cfg.Notes == nil || cfg.AI == nil || cfg.Caller == nil || cfg.Model == "" {
		return nil, errors.New("chat: Chats, Notes, AI, Caller and Model are required")
	}
	if cfg.ContextTokens <= 0 {
		cfg.ContextTokens = DefaultContextTokens
	}
	if cfg.HistoryTokens <= 0 {
		cfg.HistoryTokens = DefaultHistoryTokens
	}
	if cfg.AnswerTokens <= 0 {
		cfg.AnswerTokens = DefaultAnswerTokens
	}
	lg := cfg.Logger
	if lg == nil {
		lg = slog.New(slog.DiscardHandler)
	}
	return &Service{cfg: cfg, log: lg}, nil
}

// DefaultModel is the model new conversations use.
func (s *Service) DefaultModel() string { return s.cfg.Model }

// Models lists the chat models userID may pick in workspace ws, the
// default first; without a Models function, the default alone.
func (s *Service) Models(ctx context.Context, userID, ws string) ([]string, error) {
	out := []string{s.cfg.Model}
	if s.cfg.Models == nil {
		return out, nil
	}
	more, err := s.cfg.Models(ctx, userID, ws)
	if err != nil {
		return nil, err
	}
	for _, m := range more {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return out, nil
}

// WebEnabled reports whether the web toggle is available.
func (s *Service) WebEnabled() bool { return s.cfg.WebModel != "" }
