package finder

import (
	"bytes"
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
		if err := s.keep(ctx, ws, d.ID, string(d.Kind), resp.Vectors[i], hashes[i]); err != nil {
			return err
		}
	}
	return nil
}

// keep stores the vector of document id, embedded from the text of hash,
// if the document still has that text: the provider may have taken
// seconds, in which the document changed (its new text is queued) or went
// (its embedding must not come back). The cached index only takes the
// vector for a document it still holds.
func (s *Service) keep(ctx context.Context, ws, id, kind string, vec []float32, hash []byte) error {
	d, ok, err := s.current(ctx, ws, id)
	if err != nil || !ok {
		return err
	}
	if _, now := embedText(d); !bytes.Equal(now, hash) {
		return nil
	}
	e := &quire.Embedding{WorkspaceID: ws, DocID: id, Kind: kind, Model: s.cfg.EmbedModel, Vector: vec, TextHash: hash}
	if err := s.cfg.Embeddings.PutEmbedding(ctx, e); err != nil {
		return err
	}
	if _, ok, err := s.current(ctx, ws, id); err == nil && !ok { // deleted while it was stored
		return s.cfg.Embeddings.DeleteEmbedding(context.WithoutCancel(ctx), ws, id)
	}
	_ = s.cache.SetVector(ws, id, vec) // a wrong size is refused there
	return nil
}
