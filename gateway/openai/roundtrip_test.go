package openai

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

// TestRoundTrip runs the official SDK against the server codec, backed by
// this package's Provider talking to the fake upstream: both directions of
// the wire format meet in one request.
func TestRoundTrip(t *testing.T) {
	fake := newFake(t)
	client := sdkClient(codecServer(t, newProvider(t, fake)))
	ctx := context.Background()

	t.Run("chat", func(t *testing.T) {
		resp, err := client.Chat.Completions.New(ctx, sdkParams("chat_text"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Choices[0].Message.Content != "Hello! How can I help you with your writing today?" || resp.Usage.TotalTokens != 31 ||
			resp.ID != "chatcmpl-CQb3Fz5p2Qm1XwVvX8d3kT9aLr0Ya" || resp.Created != 1760433164 {
			t.Fatalf("got %+v", resp)
		}
		assertUpstreamMinimal(t, fake.Last().Body)
	})
	t.Run("tools", func(t *testing.T) {
		resp, err := client.Chat.Completions.New(ctx, sdkParams("chat_tools"))
		if err != nil {
			t.Fatal(err)
		}
		tc := resp.Choices[0].Message.ToolCalls
		if len(tc) != 2 || tc[1].Function.Arguments != `{"folder_id":"f_42"}` || resp.Choices[0].FinishReason != "tool_calls" {
			t.Fatalf("got %+v", resp.Choices[0])
		}
	})
	for _, scenario := range []string{"chat_stream", "chat_tools_stream"} {
		t.Run(scenario, func(t *testing.T) {
			params := sdkParams(scenario)
			params.StreamOptions.IncludeUsage = openai.Bool(true)
			stream := client.Chat.Completions.NewStreaming(ctx, params)
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				t.Fatal(err)
			}
			c := acc.Choices[0]
			switch scenario {
			case "chat_stream":
				if c.Message.Content != "Hello! How can I help with \"your\" writing\ntoday? \u00e9\u2028" || c.FinishReason != "stop" || acc.Usage.TotalTokens != 31 {
					t.Fatalf("got %+v", acc.ChatCompletion)
				}
			default:
				if len(c.Message.ToolCalls) != 2 || c.Message.ToolCalls[0].Function.Arguments != `{"query": "autumn", "limit": 5}` ||
					acc.Usage.PromptTokensDetails.CachedTokens != 128 || c.FinishReason != "tool_calls" {
					t.Fatalf("got %+v", acc.ChatCompletion)
				}
			}
			assertUpstreamMinimal(t, fake.Last().Body)
		})
	}
	t.Run("embeddings", func(t *testing.T) {
		resp, err := client.Embeddings.New(ctx, openai.EmbeddingNewParams{
			Model: "embed_base64", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"a", "b"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if float32(resp.Data[1].Embedding[0]) != wantVectors[1][0] || resp.Usage.TotalTokens != 9 {
			t.Fatalf("got %+v", resp)
		}
	})
	t.Run("rate limit", func(t *testing.T) {
		_, err := client.Chat.Completions.New(ctx, sdkParams("error_429"))
		var ae *openai.Error
		if !errors.As(err, &ae) || ae.StatusCode != 429 || ae.Response.Header.Get("Retry-After") != "2" {
			t.Fatalf("got %v", err)
		}
		if strings.Contains(ae.RawJSON(), "organization") {
			t.Fatalf("the upstream's message reached the client: %s", ae.RawJSON())
		}
	})
	t.Run("mid-stream error", func(t *testing.T) {
		stream := client.Chat.Completions.NewStreaming(ctx, sdkParams("stream_error"))
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if stream.Err() == nil || acc.Choices[0].Message.Content != "Once upon" {
			t.Fatalf("err %v, content %q", stream.Err(), acc.Choices[0].Message.Content)
		}
	})
}

// assertUpstreamMinimal checks that what the SDK sent beyond the
// allowlist (user, metadata, store: true) never reached the upstream.
func assertUpstreamMinimal(t *testing.T, body []byte) {
	t.Helper()
	var top map[string]any
	if err := json.Unmarshal(body, &top); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"user", "metadata"} {
		if _, ok := top[bad]; ok {
			t.Fatalf("upstream received %q: %s", bad, body)
		}
	}
	if top["store"] != false || strings.Contains(string(body), "CANARY") {
		t.Fatalf("upstream body: %s", body)
	}
}
