package route_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/route"
)

// echo is a stand-in for a vendor provider (gateway/openai, …).
type echo struct{ name string }

func (e echo) Name() string { return e.name }
func (e echo) Kind() string { return "openai" }
func (e echo) Chat(_ context.Context, req *gateway.ChatRequest) (*gateway.ChatResponse, error) {
	return &gateway.ChatResponse{Model: req.Model, Message: gateway.TextMessage(gateway.RoleAssistant, "hi"), FinishReason: gateway.FinishStop}, nil
}
func (e echo) ChatStream(ctx context.Context, req *gateway.ChatRequest) (gateway.Stream, error) {
	resp, _ := e.Chat(ctx, req)
	return gateway.StreamOf(resp), nil
}

func Example() {
	r, err := route.New(route.Config{
		Providers: []route.Entry{
			{Provider: echo{"openai"}, ZDR: true, Models: []string{"gpt-4o-mini"}, Timeout: 30 * time.Second},
			{Provider: echo{"azure"}, ZDR: true, Models: []string{"gpt-4o-mini"}, MaxConcurrent: 16},
			{Provider: echo{"cheap"}, Models: []string{"llama-3.1-8b"}}, // no ZDR agreement
		},
		Aliases: map[string][]route.Target{
			"writer": {{Provider: "azure", Model: "gpt-4o-mini"}, {Provider: "openai", Model: "gpt-4o-mini"}},
		},
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	resp, err := r.Chat(ctx, &gateway.ChatRequest{Model: "writer"}, route.Policy{})
	fmt.Println(resp.Model, err)

	_, err = r.Chat(ctx, &gateway.ChatRequest{Model: "llama-3.1-8b"}, route.Policy{})
	fmt.Println(errors.Is(err, route.ErrNoCompliantProvider))
	fmt.Println(err)
	// Output:
	// gpt-4o-mini <nil>
	// true
	// route: no provider with a zero-data-retention agreement serves model "llama-3.1-8b" for chat: cheap is not marked zdr in configuration, and this workspace has not opted out of zero data retention
}
