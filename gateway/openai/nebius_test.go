package openai

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/quirehq/quire/gateway"
)

// TestNebiusChat pins what Nebius gets: store false (in its schema),
// max_tokens, and usage asked for on streams.
func TestNebiusChat(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "nebius")
	resp, err := p.Chat(context.Background(), chatRequest("nebius_chat"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.Message.Text() != "Hello! What are you working on today?" || resp.Model != "meta-llama/Llama-3.3-70B-Instruct" ||
		resp.Usage == nil || *resp.Usage != (gateway.Usage{InputTokens: 47, OutputTokens: 11}) || len(resp.Message.ToolCalls) != 0 {
		t.Fatalf("got %+v", resp)
	}
	want := map[string]any{"model": "nebius_chat", "messages": baseMessages, "temperature": 0.2, "max_tokens": float64(100), "store": false}
	checkVendorRequest(t, fake, "/v1/chat/completions", want)

	s, err := p.ChatStream(context.Background(), chatRequest("nebius_stream"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := gateway.Collect(s, 1<<16)
	if err != nil {
		t.Fatal(err)
	}
	if got.Message.Text() != "Hello! What are you working on today?" || got.FinishReason != gateway.FinishStop ||
		got.Usage == nil || *got.Usage != (gateway.Usage{InputTokens: 47, OutputTokens: 11}) || got.ID != "chatcmpl-9d8c7b6a5f4e4d3c2b1a0f9e8d7c6b5a" {
		t.Fatalf("stream: %+v", got)
	}
	want["model"], want["stream"], want["stream_options"] = "nebius_stream", true, map[string]any{"include_usage": true}
	checkVendorRequest(t, fake, "/v1/chat/completions", want)
}

func TestNebiusEmbed(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "nebius")
	resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: "nebius_embed", Inputs: []string{"a", "b"}, Dimensions: 8, Purpose: gateway.PurposeQuery})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(resp.Vectors, wantVectors) || resp.Usage != (gateway.Usage{InputTokens: 9}) || resp.Model != "BAAI/bge-en-icl" {
		t.Fatalf("got %+v", resp)
	}
	checkVendorRequest(t, fake, "/v1/embeddings", map[string]any{
		"model": "nebius_embed", "input": []any{"a", "b"}, "dimensions": float64(8), "encoding_format": "base64",
	})
}

// TestNebiusErrors: FastAPI's {"detail": …} bodies; a validation error's
// type and location are kept, never its message or its echo of the input.
func TestNebiusErrors(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "nebius")
	_, err := p.Chat(context.Background(), chatRequest("nebius_error_404"))
	if pe := providerError(t, err); pe.Status != 404 || pe.Class != gateway.ClassNotFound || pe.Type != "" || pe.Param != "" {
		t.Fatalf("404: %+v", pe)
	}
	_, err = p.Chat(context.Background(), chatRequest("nebius_error_422"))
	pe := providerError(t, err)
	if pe.Status != 422 || pe.Class != gateway.ClassInvalidRequest || pe.Type != "greater_than_equal" || pe.Param != "messages.1.content" || pe.Retryable() {
		t.Fatalf("422: %+v", pe)
	}
	for _, s := range []string{"Say hello", "Input should", "chapter draft", "Llama-9"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error quotes the body: %v", err)
		}
	}
}

func TestValidationDetail(t *testing.T) {
	for body, want := range map[string][2]string{
		`{"detail":[{"type":"missing","loc":["body","messages"],"msg":"Field required","input":{"model":"m"}}]}`: {"missing", "messages"},
		`{"detail":[{"type":"int_parsing","loc":["query","ai_project_id"]}]}`:                                    {"int_parsing", "query.ai_project_id"},
		`{"detail":[{"type":"x","loc":["body",0,"messages",2.5]}]}`:                                              {"x", "0.messages.2.5"},
		`{"detail":"Not authenticated"}`:                                                                         {"", ""},
		`{"detail":[]}`:                                                                                          {"", ""},
		`{"detail":[{"loc":{"a":1}}]}`:                                                                           {"", ""},
		`{"detail":null}`:                                                                                        {"", ""},
	} {
		var b wireErrorBody
		if err := unmarshal([]byte(body), &b); err != nil {
			t.Fatal(err)
		}
		if typ, param := b.validation(); typ != want[0] || param != want[1] {
			t.Errorf("%s: got %q %q", body, typ, param)
		}
	}
}

// TestNebiusRefusesTranscribe: Nebius has no transcription endpoint.
func TestNebiusRefusesTranscribe(t *testing.T) {
	fake := newFake(t)
	p := vendorProvider(t, fake, "nebius")
	_, err := p.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "transcription", Audio: bytes.NewReader([]byte("x")), Size: 1, Filename: "a.wav"})
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest || !errors.Is(err, gateway.ErrUnsupported) {
		t.Fatalf("got %+v", pe)
	}
	if n := len(fake.Requests()); n != 0 || p.Supports(OpTranscribe) || !p.Supports(OpEmbed) {
		t.Fatalf("%d requests sent", n)
	}
}
