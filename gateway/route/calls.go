package route

import (
	"context"
	"errors"
	"io"

	"github.com/quirehq/quire/gateway"
)

// errNilRequest is a programming error of the caller.
var errNilRequest = errors.New("route: nil request")

// nilResponse is the error for a provider that returned neither an
// answer nor an error; another provider may do better.
func nilResponse(t *target) error {
	return gateway.NewError(t.e.name, gateway.ClassBadResponse, ErrNilResponse)
}

// call runs x, a call answered by one value: ask makes an attempt on t,
// sending the request under t's model, and meter records a non-nil
// answer's usage on its Attempt. A provider's nil answer without an error
// fails the attempt (nilResponse). call returns the answer that succeeded.
func call[Resp any](x *exec, ask func(context.Context, *target) (*Resp, error), meter func(*Attempt, *Resp)) (*Resp, error) {
	var resp *Resp
	x.fn = func(ctx context.Context, t *target, a *Attempt) error {
		out, err := ask(ctx, t)
		if err != nil {
			return err
		}
		if out == nil {
			return nilResponse(t)
		}
		resp = out
		meter(a, out)
		return nil
	}
	if err := x.run(); err != nil {
		return nil, err
	}
	return resp, nil
}

// newExec prepares a call of op for model under p.
func (r *Router) newExec(ctx context.Context, model string, op Op, obsOp string, p Policy) (*exec, error) {
	rt, err := r.lookup(model, op, p)
	if err != nil {
		return nil, err
	}
	return &exec{r: r, ctx: ctx, rt: rt, op: op, obsOp: obsOp, p: p}, nil
}

// Chat answers req with the first target that succeeds: req.Model is
// resolved to targets, each asked for its own model (on a copy of req)
// after the data policy p filtered them; retryable failures are retried
// and then fall back to the next target. The error is a *Error when no
// target may or can serve the model, and otherwise a
// *gateway.ProviderError: the last provider's failure, or the router's
// own (ErrOverloaded, ErrCircuitOpen, both retryable 503s).
func (r *Router) Chat(ctx context.Context, req *gateway.ChatRequest, p Policy) (*gateway.ChatResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	x, err := r.newExec(ctx, req.Model, OpChat, string(OpChat), p)
	if err != nil {
		return nil, err
	}
	return call(x, func(ctx context.Context, t *target) (*gateway.ChatResponse, error) {
		rq := *req
		rq.Model = t.model
		return t.e.chat.Chat(ctx, &rq)
	}, func(a *Attempt, out *gateway.ChatResponse) { a.Usage = out.Usage })
}

// ChatStream is Chat, streamed. It opens a target's stream and waits for
// its first event (bounded by the target's Timeout) before it returns: a
// failure until then falls back as Chat does; after it, the stream is
// returned, replaying that event, and its errors go to the consumer, who
// may already have sent text on. The stream holds the provider's
// concurrency slot until it ends, so it must be closed.
func (r *Router) ChatStream(ctx context.Context, req *gateway.ChatRequest, p Policy) (gateway.Stream, error) {
	if req == nil {
		return nil, errNilRequest
	}
	x, err := r.newExec(ctx, req.Model, OpChat, opChatStream, p)
	if err != nil {
		return nil, err
	}
	x.stream = true
	x.fn = func(ctx context.Context, t *target, a *Attempt) error {
		rq := *req
		rq.Model = t.model
		s, err := t.e.chat.ChatStream(ctx, &rq)
		if err != nil {
			return err
		}
		if s == nil {
			return nilResponse(t)
		}
		ev, err := s.Next()
		if err != nil {
			s.Close()
			if err == io.EOF {
				return gateway.NewError(t.e.name, gateway.ClassBadResponse, gateway.ErrStreamTruncated)
			}
			return err
		}
		a.FirstEvent = r.now().Sub(a.Start)
		x.st, x.first = s, ev
		return nil
	}
	if err := x.run(); err != nil {
		return nil, err
	}
	return x.out, nil
}

// Embed is Chat for embeddings.
func (r *Router) Embed(ctx context.Context, req *gateway.EmbedRequest, p Policy) (*gateway.EmbedResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	x, err := r.newExec(ctx, req.Model, OpEmbed, string(OpEmbed), p)
	if err != nil {
		return nil, err
	}
	return call(x, func(ctx context.Context, t *target) (*gateway.EmbedResponse, error) {
		rq := *req
		rq.Model = t.model
		return t.e.embed.Embed(ctx, &rq)
	}, func(a *Attempt, out *gateway.EmbedResponse) { a.Usage = &out.Usage })
}

// Rerank is Chat for reranking.
func (r *Router) Rerank(ctx context.Context, req *gateway.RerankRequest, p Policy) (*gateway.RerankResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	x, err := r.newExec(ctx, req.Model, OpRerank, string(OpRerank), p)
	if err != nil {
		return nil, err
	}
	return call(x, func(ctx context.Context, t *target) (*gateway.RerankResponse, error) {
		rq := *req
		rq.Model = t.model
		return t.e.rerank.Rerank(ctx, &rq)
	}, func(a *Attempt, out *gateway.RerankResponse) { a.Usage = &out.Usage })
}

// Transcribe is Chat for transcriptions, with one limit: the audio is
// read by each attempt, so retries and fallback happen only when
// req.Audio is an io.Seeker, rewound to where it stood before each
// attempt. Other audio gets a single attempt, on the first target that
// is neither saturated nor paused by its breaker.
func (r *Router) Transcribe(ctx context.Context, req *gateway.TranscribeRequest, p Policy) (*gateway.Transcription, error) {
	if req == nil {
		return nil, errNilRequest
	}
	x, err := r.newExec(ctx, req.Model, OpTranscribe, string(OpTranscribe), p)
	if err != nil {
		return nil, err
	}
	x.once = true
	if sk, ok := req.Audio.(io.Seeker); ok {
		if pos, err := sk.Seek(0, io.SeekCurrent); err == nil {
			x.once = false
			x.rewind = func() error {
				_, err := sk.Seek(pos, io.SeekStart)
				return err
			}
		}
	}
	return call(x, func(ctx context.Context, t *target) (*gateway.Transcription, error) {
		rq := *req
		rq.Model = t.model
		return t.e.transcribe.Transcribe(ctx, &rq)
	}, func(a *Attempt, out *gateway.Transcription) { a.Usage, a.UsageDuration = out.Usage, out.UsageDuration })
}
