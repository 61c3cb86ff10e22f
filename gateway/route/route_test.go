package route

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

func TestNewValidation(t *testing.T) {
	a, b := chatFake{newFake("a")}, chatFake{newFake("b")}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"nil provider", Config{Providers: []Entry{{Models: []string{"m"}}}}, "provider 1 has no implementation"},
		{"bad name", Config{Providers: []Entry{zdr(chatFake{newFake("a b")}, "m")}}, `name "a b" must be`},
		{"duplicate name", Config{Providers: []Entry{zdr(a, "m"), zdr(chatFake{newFake("a")}, "n")}}, `two providers are named "a"`},
		{"no models", Config{Providers: []Entry{{Provider: a, ZDR: true}}}, "provider a lists no models"},
		{"empty model", Config{Providers: []Entry{zdr(a, "")}}, "model 1 name must be 1 to 256 bytes"},
		{"control char", Config{Providers: []Entry{zdr(a, "m\n")}}, "control character"},
		{"duplicate model", Config{Providers: []Entry{zdr(a, "m", "m")}}, `lists model "m" twice`},
		{"negative timeout", Config{Providers: []Entry{{Provider: a, ZDR: true, Models: []string{"m"}, Timeout: -1}}}, "timeout must not be negative"},
		{"negative limit", Config{Providers: []Entry{{Provider: a, ZDR: true, Models: []string{"m"}, MaxConcurrent: -1}}}, "max_concurrent must not be negative"},
		{"alias unknown provider", Config{Providers: []Entry{zdr(a, "m")}, Aliases: map[string][]Target{"x": {{"zz", "m"}}}}, `alias "x" names provider "zz", which is not configured`},
		{"alias model not listed", Config{Providers: []Entry{zdr(a, "m")}, Aliases: map[string][]Target{"x": {{"a", "other"}}}}, `alias "x": provider a does not list model "other"`},
		{"alias no targets", Config{Providers: []Entry{zdr(a, "m")}, Aliases: map[string][]Target{"x": nil}}, `alias "x" has no targets`},
		{"alias duplicate target", Config{Providers: []Entry{zdr(a, "m")}, Aliases: map[string][]Target{"x": {{"a", "m"}, {"a", "m"}}}}, "twice"},
		{"alias shadows model", Config{Providers: []Entry{zdr(a, "gpt-4o", "gpt-4o-mini"), zdr(b, "gpt-4o")}, Aliases: map[string][]Target{"gpt-4o": {{"a", "gpt-4o-mini"}}}},
			`alias "gpt-4o" has the name of a model served by a and b`},
		{"negative retry", Config{Retry: RetryPolicy{Attempts: -1}}, "retry attempts"},
		{"base over max", Config{Retry: RetryPolicy{Base: 2 * time.Second, Max: time.Second}}, "must not exceed retry max"},
		{"negative breaker", Config{Breaker: BreakerPolicy{Cooldown: -time.Second}}, "breaker"},
		{"negative queue", Config{QueueTimeout: -time.Second}, "queue_timeout"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want an error containing %q", err, c.want)
			}
		})
	}

	// An alias with a model's name may reorder that model's providers.
	r, err := New(Config{
		Providers: []Entry{zdr(a, "gpt-4o"), zdr(b, "gpt-4o")},
		Aliases:   map[string][]Target{"gpt-4o": {{"b", "gpt-4o"}, {"a", "gpt-4o"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := r.Resolve("gpt-4o", OpChat, Policy{})
	if err != nil || !slices.Equal(ts, []Target{{"b", "gpt-4o"}, {"a", "gpt-4o"}}) {
		t.Fatalf("Resolve = %v, %v", ts, err)
	}
	// No providers at all is a router that knows no model.
	r, err = New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Chat(context.Background(), chatReq("m"), Policy{}); !errors.Is(err, ErrUnknownModel) {
		t.Fatalf("empty router: %v", err)
	}
}

func TestResolveOrderAndCapability(t *testing.T) {
	a, b, c := chatFake{newFake("a")}, fullFake{chatFake{newFake("b")}}, embedFake{newFake("c")}
	r, _ := newRouter(t, Config{
		Providers: []Entry{zdr(a, "shared", "a-big"), zdr(b, "shared", "b-small", "emb"), zdr(c, "emb")},
		Aliases: map[string][]Target{
			"writer": {{"b", "b-small"}, {"a", "a-big"}, {"b", "shared"}},
			"vec":    {{"c", "emb"}, {"b", "emb"}},
		},
	})
	cases := []struct {
		model string
		op    Op
		want  []Target
		err   error
	}{
		{"writer", OpChat, []Target{{"b", "b-small"}, {"a", "a-big"}, {"b", "shared"}}, nil},
		{"shared", OpChat, []Target{{"a", "shared"}, {"b", "shared"}}, nil}, // configuration order
		{"shared", OpEmbed, []Target{{"b", "shared"}}, nil},                 // a cannot embed
		{"vec", OpEmbed, []Target{{"c", "emb"}, {"b", "emb"}}, nil},
		{"vec", OpChat, []Target{{"b", "emb"}}, nil},
		{"emb", OpRerank, []Target{{"b", "emb"}}, nil},
		{"a-big", OpEmbed, nil, ErrUnsupportedOperation},
		{"nope", OpChat, nil, ErrUnknownModel},
	}
	for _, c := range cases {
		got, err := r.Resolve(c.model, c.op, Policy{})
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("Resolve(%s, %s) = %v, %v; want %v, %v", c.model, c.op, got, err, c.want, c.err)
		}
	}
	if _, err := r.Resolve("writer", "fly", Policy{}); err == nil {
		t.Error("Resolve accepted an unknown op")
	}
	var re *Error
	_, err := r.Resolve("a-big", OpEmbed, Policy{})
	if !errors.As(err, &re) || re.Model != "a-big" || re.Op != OpEmbed ||
		re.Error() != `route: model "a-big" cannot be used for embed: none of its providers (a) supports that operation` {
		t.Errorf("unsupported: %#v", err)
	}
	_, err = r.Resolve(strings.Repeat("x", 5000), OpChat, Policy{})
	if !errors.As(err, &re) || len(re.Error()) > 300 {
		t.Errorf("a long unknown model name is not truncated: %d bytes", len(err.Error()))
	}
}

// TestAliasCallOrder checks that calls follow the alias order and that
// each target is asked for its own model.
func TestAliasCallOrder(t *testing.T) {
	a := failN(newFake("a"), 100, statusErr("a", 503, 0))
	b := failN(newFake("b"), 100, statusErr("b", 500, 0))
	c := newFake("c")
	r, _ := newRouter(t, Config{
		Providers: []Entry{zdr(chatFake{a}, "a-1"), zdr(chatFake{b}, "b-1"), zdr(chatFake{c}, "c-1")},
		Aliases:   map[string][]Target{"writer": {{"b", "b-1"}, {"c", "c-1"}, {"a", "a-1"}}},
	})
	req := chatReq("writer")
	resp, err := r.Chat(context.Background(), req, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if resp.ID != "chatcmpl-c" || resp.Model != "c-1" {
		t.Fatalf("answered by %s/%s", resp.ID, resp.Model)
	}
	if a.calls() != 0 || b.calls() != 2 || c.calls() != 1 {
		t.Fatalf("calls a=%d b=%d c=%d, want 0, 2 (one retry), 1", a.calls(), b.calls(), c.calls())
	}
	if req.Model != "writer" {
		t.Fatalf("the caller's request was changed: model %q", req.Model)
	}
	if got := b.seenModels(); !slices.Equal(got, []string{"b-1", "b-1"}) {
		t.Fatalf("b was asked for %v", got)
	}
}

func TestPolicy(t *testing.T) {
	zdrP, open, trainer := chatFake{newFake("zdr")}, chatFake{newFake("open")}, chatFake{newFake("trainer")}
	entries := []Entry{
		zdr(zdrP, "safe", "mixed"),
		{Provider: open, Models: []string{"mixed", "open-only", "both-bad"}},
		{Provider: trainer, ZDR: true, TrainsOnData: true, Models: []string{"mixed", "trains-only", "both-bad"}},
	}
	aliases := map[string][]Target{"smart": {{"open", "open-only"}, {"zdr", "safe"}}}
	lax, _ := newRouter(t, Config{Providers: entries, Aliases: aliases})
	strict, _ := newRouter(t, Config{Providers: entries, Aliases: aliases, Strict: true})
	optOut := Policy{AllowNonZDR: true}

	cases := []struct {
		r     *Router
		p     Policy
		model string
		want  []Target
		err   error
		msg   []string
	}{
		{lax, Policy{}, "mixed", []Target{{"zdr", "mixed"}}, nil, nil},
		{lax, optOut, "mixed", []Target{{"zdr", "mixed"}, {"open", "mixed"}}, nil, nil},
		{strict, optOut, "mixed", []Target{{"zdr", "mixed"}}, nil, nil},
		{lax, Policy{}, "smart", []Target{{"zdr", "safe"}}, nil, nil},
		{lax, optOut, "smart", []Target{{"open", "open-only"}, {"zdr", "safe"}}, nil, nil},
		{lax, Policy{}, "open-only", nil, ErrNoCompliantProvider, []string{
			`no provider with a zero-data-retention agreement serves model "open-only" for chat`,
			"open is not marked zdr", "this workspace has not opted out"}},
		{strict, optOut, "open-only", nil, ErrNoCompliantProvider, []string{
			`model "open-only"`, "strict mode does not let workspaces opt out"}},
		{lax, optOut, "open-only", []Target{{"open", "open-only"}}, nil, nil},
		// Trains on data: never, whatever the policy.
		{lax, optOut, "trains-only", nil, ErrNoCompliantProvider, []string{
			`every provider that serves model "trains-only" for chat is marked trains_on_data (trainer)`}},
		{strict, Policy{}, "trains-only", nil, ErrNoCompliantProvider, nil},
		{lax, Policy{}, "both-bad", nil, ErrNoCompliantProvider, []string{
			"open is not marked zdr", "trainer is marked trains_on_data and never used"}},
	}
	for _, c := range cases {
		got, err := c.r.Resolve(c.model, OpChat, c.p)
		if !errors.Is(err, c.err) || !slices.Equal(got, c.want) {
			t.Errorf("Resolve(%s, strict=%v, %+v) = %v, %v; want %v, %v", c.model, c.r.strict, c.p, got, err, c.want, c.err)
			continue
		}
		for _, m := range c.msg {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("Resolve(%s): %q lacks %q", c.model, err, m)
			}
		}
		if c.err != nil && errors.Is(err, ErrUnknownModel) {
			t.Errorf("%s: a policy refusal must not look like an unknown model", c.model)
		}
	}

	// The calls themselves fail closed: no provider is contacted.
	ctx := context.Background()
	if _, err := strict.Chat(ctx, chatReq("open-only"), optOut); !errors.Is(err, ErrNoCompliantProvider) {
		t.Fatalf("strict Chat: %v", err)
	}
	if _, err := lax.Chat(ctx, chatReq("trains-only"), optOut); !errors.Is(err, ErrNoCompliantProvider) {
		t.Fatalf("Chat to a trainer: %v", err)
	}
	if _, err := lax.ChatStream(ctx, chatReq("open-only"), Policy{}); !errors.Is(err, ErrNoCompliantProvider) {
		t.Fatalf("ChatStream: %v", err)
	}
	if open.calls() != 0 || trainer.calls() != 0 {
		t.Fatalf("non-compliant providers were called: open %d, trainer %d", open.calls(), trainer.calls())
	}
	// With the opt-out, mixed falls back to the non-ZDR provider but never
	// to the trainer.
	failN(zdrP.fake, 100, statusErr("zdr", 500, 0))
	if _, err := lax.Chat(ctx, chatReq("mixed"), optOut); err != nil {
		t.Fatal(err)
	}
	if open.calls() != 1 || trainer.calls() != 0 {
		t.Fatalf("fallback: open %d, trainer %d calls", open.calls(), trainer.calls())
	}
}

func TestModelsAndProviders(t *testing.T) {
	z, o, tr := fullFake{chatFake{newFake("z")}}, chatFake{newFake("o")}, chatFake{newFake("t")}
	r, _ := newRouter(t, Config{
		Providers: []Entry{
			{Provider: z, ZDR: true, Models: []string{"m1", "emb"}, MaxConcurrent: 3},
			{Provider: o, Models: []string{"m1", "m2"}},
			{Provider: tr, ZDR: true, TrainsOnData: true, Models: []string{"m3"}},
		},
		Aliases: map[string][]Target{"best": {{"o", "m2"}, {"z", "m1"}}},
	})
	ids := func(ms []ModelInfo) []string {
		var s []string
		for _, m := range ms {
			s = append(s, m.ID)
		}
		return s
	}
	got := r.Models(Policy{})
	if !slices.Equal(ids(got), []string{"best", "emb", "m1"}) {
		t.Fatalf("Models(zdr only) = %v", ids(got))
	}
	if !got[0].Alias || !slices.Equal(got[0].Providers, []string{"z"}) || !slices.Equal(got[0].Ops, []Op{OpChat, OpEmbed, OpTranscribe, OpRerank}) {
		t.Fatalf("best = %+v", got[0])
	}
	got = r.Models(Policy{AllowNonZDR: true})
	if !slices.Equal(ids(got), []string{"best", "emb", "m1", "m2"}) {
		t.Fatalf("Models(opt-out) = %v", ids(got))
	}
	if m := got[2]; m.Alias || !slices.Equal(m.Providers, []string{"z", "o"}) {
		t.Fatalf("m1 = %+v", m)
	}
	if m := got[3]; !slices.Equal(m.Ops, []Op{OpChat}) {
		t.Fatalf("m2 ops = %v", m.Ops)
	}

	ps := r.Providers()
	if len(ps) != 3 {
		t.Fatalf("Providers = %+v", ps)
	}
	want := ProviderInfo{Name: "z", Kind: "fakekind", ZDR: true, Models: []string{"m1", "emb"},
		Ops: []Op{OpChat, OpEmbed, OpTranscribe, OpRerank}, Breaker: BreakerClosed, MaxConcurrent: 3}
	if p := ps[0]; p.Name != want.Name || p.Kind != want.Kind || !p.ZDR || p.TrainsOnData || !slices.Equal(p.Models, want.Models) ||
		!slices.Equal(p.Ops, want.Ops) || p.Breaker != want.Breaker || p.MaxConcurrent != 3 || p.InFlight != 0 {
		t.Fatalf("Providers[0] = %+v", p)
	}
	if p := ps[2]; !p.TrainsOnData || p.MaxConcurrent != DefaultMaxConcurrent || !slices.Equal(p.Ops, []Op{OpChat}) {
		t.Fatalf("Providers[2] = %+v", p)
	}
	ps[0].Models[0] = "changed"
	if r.Providers()[0].Models[0] != "m1" {
		t.Fatal("Providers shares its model slice")
	}
}

// TestOtherOperations routes Embed, Rerank and Transcribe with fallback
// and the target's model.
func TestOtherOperations(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.onEmbed = func(context.Context, int, *gateway.EmbedRequest) (*gateway.EmbedResponse, error) {
		return nil, statusErr("a", 500, 0)
	}
	a.onRerank = func(context.Context, int, *gateway.RerankRequest) (*gateway.RerankResponse, error) {
		return nil, statusErr("a", 401, 0)
	}
	r, env := newRouter(t, Config{
		Providers: []Entry{zdr(fullFake{chatFake{a}}, "a-m"), zdr(fullFake{chatFake{b}}, "b-m")},
		Aliases:   map[string][]Target{"x": {{"a", "a-m"}, {"b", "b-m"}}},
	})
	ctx := context.Background()
	er, err := r.Embed(ctx, &gateway.EmbedRequest{Model: "x", Inputs: []string{"hi"}}, Policy{})
	if err != nil || er.Model != "b-m" {
		t.Fatalf("Embed = %+v, %v", er, err)
	}
	rr, err := r.Rerank(ctx, &gateway.RerankRequest{Model: "x", Query: "q", Documents: []string{"d"}}, Policy{})
	if err != nil || rr.Model != "b-m" {
		t.Fatalf("Rerank = %+v, %v", rr, err)
	}
	tr, err := r.Transcribe(ctx, &gateway.TranscribeRequest{Model: "x", Audio: strings.NewReader("RIFF")}, Policy{})
	if err != nil || tr.Text != "hello" {
		t.Fatalf("Transcribe = %+v, %v", tr, err)
	}
	got := env.obs.attempts()
	var summary []string
	for _, a := range got {
		s := a.Op + ":" + a.Provider + ":" + a.Model
		if a.Err != nil {
			s += ":" + a.Class.String()
		}
		if a.Usage != nil {
			s += ":" + string(rune('0'+a.Usage.InputTokens))
		}
		summary = append(summary, s)
	}
	want := []string{
		"embed:a:a-m:server", "embed:a:a-m:server", "embed:b:b-m:3",
		"rerank:a:a-m:auth", "rerank:b:b-m:7",
		"transcribe:a:a-m",
	}
	if !slices.Equal(summary, want) {
		t.Fatalf("attempts:\n%v\nwant\n%v", summary, want)
	}
	if got[len(got)-1].UsageDuration != 3*time.Second {
		t.Fatalf("transcription UsageDuration = %v", got[len(got)-1].UsageDuration)
	}
	for _, fn := range []func() error{
		func() error { _, err := r.Chat(ctx, nil, Policy{}); return err },
		func() error { _, err := r.ChatStream(ctx, nil, Policy{}); return err },
		func() error { _, err := r.Embed(ctx, nil, Policy{}); return err },
		func() error { _, err := r.Rerank(ctx, nil, Policy{}); return err },
		func() error { _, err := r.Transcribe(ctx, nil, Policy{}); return err },
	} {
		if fn() == nil {
			t.Fatal("a nil request was accepted")
		}
	}
}

// TestOtherOperationsNilAnswer: a provider that answers an embedding,
// rerank or transcription with neither a result nor an error fails the
// attempt as a bad response, and the call falls back to the next target;
// the caller's request keeps its model.
func TestOtherOperationsNilAnswer(t *testing.T) {
	a, b := newFake("a"), newFake("b")
	a.onEmbed = func(context.Context, int, *gateway.EmbedRequest) (*gateway.EmbedResponse, error) { return nil, nil }
	a.onRerank = func(context.Context, int, *gateway.RerankRequest) (*gateway.RerankResponse, error) { return nil, nil }
	a.onTranscribe = func(context.Context, int, *gateway.TranscribeRequest) (*gateway.Transcription, error) {
		return nil, nil
	}
	r, env := newRouter(t, Config{
		Providers: []Entry{zdr(fullFake{chatFake{a}}, "a-m"), zdr(fullFake{chatFake{b}}, "b-m")},
		Aliases:   map[string][]Target{"x": {{"a", "a-m"}, {"b", "b-m"}}},
	})
	ctx := context.Background()
	for _, tt := range []struct {
		op   string
		call func() (model string, ok bool, err error)
	}{
		{"embed", func() (string, bool, error) {
			req := &gateway.EmbedRequest{Model: "x", Inputs: []string{"hi"}}
			out, err := r.Embed(ctx, req, Policy{})
			return req.Model, out != nil && out.Model == "b-m", err
		}},
		{"rerank", func() (string, bool, error) {
			req := &gateway.RerankRequest{Model: "x", Query: "q", Documents: []string{"d"}}
			out, err := r.Rerank(ctx, req, Policy{})
			return req.Model, out != nil && out.Model == "b-m", err
		}},
		{"transcribe", func() (string, bool, error) {
			req := &gateway.TranscribeRequest{Model: "x", Audio: strings.NewReader("RIFF")}
			out, err := r.Transcribe(ctx, req, Policy{})
			return req.Model, out != nil && out.Text == "hello", err
		}},
	} {
		before := len(env.obs.attempts())
		model, ok, err := tt.call()
		if err != nil || !ok || model != "x" {
			t.Fatalf("%s: ok %v, err %v, request model %q", tt.op, ok, err, model)
		}
		at := env.obs.attempts()[before:]
		if len(at) != 2 || at[0].Op != tt.op || at[0].Provider != "a" || !errors.Is(at[0].Err, ErrNilResponse) ||
			at[0].Class != gateway.ClassBadResponse || at[0].Usage != nil ||
			at[1].Provider != "b" || at[1].Err != nil || !at[1].Final {
			t.Fatalf("%s: attempts %+v", tt.op, at)
		}
	}
}
