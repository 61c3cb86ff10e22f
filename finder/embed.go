package finder

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/search"
)

// Background embedding bounds: documents waiting, and per call.
const (
	queueSize  = 4096
	embedBatch = 32
	embedWait  = 2 * time.Minute
)

// job is a document to embed.
type job struct{ ws, id string }

// dropped counts documents not queued because the queue was full; they
// are queued again the next time their workspace's index is built.
var dropped atomic.Int64

// enqueue queues a document to embed, or drops it when the queue is full.
func (s *Service) enqueue(ws, id string) {
	if !s.semantic() {
		return
	}
	select {
	case s.jobs <- job{ws, id}:
	default:
		dropped.Add(1)
	}
}

// embedLoop embeds queued documents, a batch of one workspace at a time,
// until ctx ends.
func (s *Service) embedLoop(ctx context.Context) {
	defer s.done.Done()
	for {
		var first job
		select {
		case <-ctx.Done():
			return
		case first = <-s.jobs:
		}
		ids := s.batch(first)
		cctx, cancel := context.WithTimeout(ctx, embedWait)
		if err := s.embed(cctx, first.ws, ids); err != nil {
			s.log.WarnContext(ctx, "documents not embedded", "documents", len(ids), "code", quire.ErrorCode(err))
		}
		cancel()
	}
}

// batch takes first and the documents of its workspace queued after it,
// each once, up to embedBatch. A document of another workspace goes
// back in the queue.
func (s *Service) batch(first job) []string {
	ids, seen := []string{first.id}, map[string]bool{first.id: true}
	for len(ids) < embedBatch {
		select {
		case j := <-s.jobs:
			if j.ws != first.ws {
				s.enqueue(j.ws, j.id)
				return ids
			}
			if !seen[j.id] {
				ids, seen[j.id] = append(ids, j.id), true
			}
		default:
			return ids
		}
	}
	return ids
}

// current reads a document as it is now; ok is false if it is gone.
func (s *Service) current(ctx context.Context, ws, id string) (search.Doc, bool, error) {
	n, err := s.cfg.Notes.FindNoteByID(ctx, ws, id)
	if err == nil {
		return noteDoc(n), true, nil
	} else if quire.ErrorCode(err) != quire.ENOTFOUND {
		return search.Doc{}, false, err
	}
	i, err := s.cfg.Ideas.FindIdeaByID(ctx, ws, id)
	if err == nil {
		return ideaDoc(i), true, nil
	} else if quire.ErrorCode(err) != quire.ENOTFOUND {
		return search.Doc{}, false, err
	}
	return search.Doc{}, false, nil
}

// embed embeds the current text of documents ids of ws, stores the
// vectors and puts them in the cached index.
func (s *Service) embed(ctx context.Context, ws string, ids []string) error {
	var docs []search.Doc
	var texts []string
	var hashes [][]byte
	for _, id := range ids {
		d, ok, err := s.current(ctx, ws, id)
		if err != nil {
			return err
		} else if !ok {
			continue
		}
		text, hash := embedText(d)
		docs, texts, hashes = append(docs, d), append(texts, text), append(hashes, hash)
	}
	if len(docs) == 0 {
		return nil
	}
	caller, err := s.cfg.Caller(ctx, ws)
	if err != nil {
		return err
	}
	resp, err := s.cfg.AI.Embed(ctx, caller, &gateway.EmbedRequest{Model: s.cfg.EmbedModel, Inputs: texts})
	if err != nil {
		return err
	}
	if len(resp.Vectors) != len(docs) {
		return quire.Errorf(quire.EUNAVAILABLE, "The embedding model returned %d vectors for %d texts.", len(resp.Vectors), len(docs))
	}
	for i, d := range docs {
		e := &quire.Embedding{WorkspaceID: ws, DocID: d.ID, Kind: string(d.Kind), Model: s.cfg.EmbedModel,
			Vector: resp.Vectors[i], TextHash: hashes[i]}
		if err := s.cfg.Embeddings.PutEmbedding(ctx, e); err != nil {
			return err
		}
		d.Vector = resp.Vectors[i]
		_ = s.cache.Upsert(ws, d) // a loaded index only; a wrong size is refused there
	}
	return nil
}
