package quire

import (
	"context"
	"time"
)

// Embedding is the vector of a note's or an idea's text, for semantic
// search. The vector is content (it can be inverted to approximate the
// text), so it is encrypted at rest with TextHash, which tells whether the
// text changed since without revealing, even to someone who can compare
// rows, that two texts are equal. Model and dimensions are stored in clear.
type Embedding struct {
	WorkspaceID string
	DocID       string
	Kind        string // note or idea
	Model       string
	Vector      []float32
	TextHash    []byte // SHA-256 of the embedded text
	UpdatedAt   time.Time
}

// EmbeddingService stores embeddings, one per document. Every call names
// the workspace; another workspace's rows are never read or changed.
type EmbeddingService interface {
	// PutEmbedding stores e, replacing the document's previous one, and
	// sets UpdatedAt.
	PutEmbedding(ctx context.Context, e *Embedding) error
	// FindEmbeddings returns every embedding of a workspace.
	FindEmbeddings(ctx context.Context, workspaceID string) ([]*Embedding, error)
	// DeleteEmbedding removes a document's embedding; removing one that
	// does not exist is not an error.
	DeleteEmbedding(ctx context.Context, workspaceID, docID string) error
}
