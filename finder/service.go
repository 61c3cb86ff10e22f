package finder

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	"github.com/quirehq/quire/search"
)

// AI is what finder needs of the gateway: endpoint.Handler's in-process
// calls.
type AI interface {
	Embed(ctx context.Context, c *endpoint.Caller, req *gateway.EmbedRequest) (*gateway.EmbedResponse, error)
	Rerank(ctx context.Context, c *endpoint.Caller, req *gateway.RerankRequest) (*gateway.RerankResponse, error)
}

// Config wires a Service.
type Config struct {
	Notes   quire.NoteService
	Ideas   quire.IdeaService
	Folders quire.FolderService
	// Embeddings stores the documents' vectors; with EmbedModel and AI it
	// turns semantic and hybrid search on.
	Embeddings quire.EmbeddingService
	AI         AI
	// Caller returns who the gateway calls of a workspace act for: its
	// owner's account and the workspace's AI policy.
	Caller func(ctx context.Context, workspaceID string) (*endpoint.Caller, error)
	// EmbedModel embeds documents and queries; RerankModel reranks (else
	// the local reranker orders the top hits). Empty turns each off.
	EmbedModel, RerankModel string
	// Budget bounds the memory of the cached indexes (search.DefaultBudget
	// when 0).
	Budget int64
	Logger *slog.Logger
}

// Service searches workspaces.
type Service struct {
	cfg   Config
	log   *slog.Logger
	cache *search.Cache
	jobs  chan job
	stop  context.CancelFunc
	done  sync.WaitGroup
}

// New starts a Service; Close stops its background embedding.
func New(cfg Config) (*Service, error) {
	if cfg.Notes == nil || cfg.Ideas == nil || cfg.Folders == nil {
		return nil, errors.New("finder: Notes, Ideas and Folders are required")
	}
	if cfg.EmbedModel != "" && (cfg.AI == nil || cfg.Caller == nil || cfg.Embeddings == nil) {
		return nil, errors.New("finder: an embedding model needs AI, Caller and Embeddings")
	}
	if cfg.RerankModel != "" && (cfg.AI == nil || cfg.Caller == nil) {
		return nil, errors.New("finder: a rerank model needs AI and Caller")
	}
	s := &Service{cfg: cfg, log: cfg.Logger, jobs: make(chan job, queueSize)}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.cache = search.NewCache(s.load, cfg.Budget)
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	if s.semantic() {
		s.done.Add(1)
		go s.embedLoop(ctx)
	}
	return s, nil
}

// Close stops the background embedding and waits for it.
func (s *Service) Close() error {
	s.stop()
	s.done.Wait()
	return nil
}

// semantic reports whether semantic search is on.
func (s *Service) semantic() bool { return s.cfg.EmbedModel != "" }

// Semantic reports whether semantic and hybrid search are available.
func (s *Service) Semantic() bool { return s.semantic() }
