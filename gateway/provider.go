package gateway

import "context"

// Provider is one configured AI provider account. What it can do is told by
// the capability interfaces it also implements (ChatProvider, Embedder,
// Transcriber, Reranker, ModelLister); a router asks with a type assertion.
// Implementations are safe for concurrent use.
type Provider interface {
	// Name is the configured label (unique among providers).
	Name() string
	// Kind is the wire format ("openai", "anthropic", …), as in
	// configuration.
	Kind() string
}

// ChatProvider answers chat completions.
type ChatProvider interface {
	Provider
	// Chat returns the whole answer.
	Chat(ctx context.Context, req *ChatRequest) (*ChatResponse, error)
	// ChatStream returns once the provider has accepted the request (its
	// response headers said success); errors after that come from
	// Stream.Next. Cancelling ctx aborts the upstream request.
	ChatStream(ctx context.Context, req *ChatRequest) (Stream, error)
}

// Embedder turns texts into vectors.
type Embedder interface {
	Provider
	Embed(ctx context.Context, req *EmbedRequest) (*EmbedResponse, error)
}

// Transcriber turns speech into text.
type Transcriber interface {
	Provider
	Transcribe(ctx context.Context, req *TranscribeRequest) (*Transcription, error)
}

// Reranker orders documents by relevance.
type Reranker interface {
	Provider
	Rerank(ctx context.Context, req *RerankRequest) (*RerankResponse, error)
}

// ModelLister lists the models the provider account can use.
type ModelLister interface {
	Provider
	Models(ctx context.Context) ([]Model, error)
}
