package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire/gateway"
)

var wantVectors = [][]float32{
	{0.0023064255, -0.009327292, 0.015797347, -0.0077780345, -0.0046922187, 0.014903873, -0.009588571, 0.0061208745},
	{-0.012288481, 0.0034170125, 0.0098473, -0.021130314, 0.0051934062, 0.0013468372, -0.017560035, 0.008094451},
}

func TestEmbed(t *testing.T) {
	fake := newFake(t)
	for _, scenario := range []string{"embed_float", "embed_base64"} {
		for _, kind := range []string{"openai", "openai_compatible"} {
			p := newProvider(t, fake, func(c *Config) { c.Kind = kind })
			resp, err := p.Embed(context.Background(), &gateway.EmbedRequest{Model: scenario, Inputs: []string{"a", "b"}, Dimensions: 8})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(resp.Vectors, wantVectors) || resp.Usage.InputTokens != 9 || resp.Model != "text-embedding-3-small" {
				t.Fatalf("%s/%s: got %+v", scenario, kind, resp)
			}
			got := sentJSON(t, fake)
			wantFormat := map[string]any{"openai": "base64", "openai_compatible": nil}[kind]
			if got["encoding_format"] != wantFormat || got["dimensions"] != float64(8) || len(got) != 4-btoi(wantFormat == nil) {
				t.Fatalf("%s: sent %v", kind, got)
			}
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestEmbedMismatch(t *testing.T) {
	fake := newFake(t)
	// Three inputs, two vectors: the answer cannot be trusted.
	_, err := newProvider(t, fake).Embed(context.Background(), &gateway.EmbedRequest{Model: "embed_float", Inputs: []string{"a", "b", "c"}})
	if !errors.Is(err, gateway.ErrInvalidJSON) {
		t.Fatalf("got %v", err)
	}
	for _, data := range [][]wireEmbedding{
		{{Index: 0, Embedding: []float32{1}}, {Index: 0, Embedding: []float32{2}}},
		{{Index: 0, Embedding: []float32{1}}, {Index: 5, Embedding: []float32{2}}},
		{{Index: 0, Embedding: []float32{1}}, {Index: 1, Embedding: []float32{2, 3}}},
		{{Index: 0}, {Index: 1}},
	} {
		if _, ok := orderVectors(data, 2); ok {
			t.Errorf("accepted %+v", data)
		}
	}
}

func TestWireVector(t *testing.T) {
	for _, in := range []string{`"AAAA"`, `"AAA="`, `"!!!!"`, `{"a":1}`} {
		var v wireVector
		err := v.UnmarshalJSON([]byte(in))
		if in == `"AAAA"` {
			if err == nil {
				t.Errorf("%s: 3 bytes is not a float32 vector", in)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s accepted as %v", in, v)
		}
	}
}

func TestTranscribe(t *testing.T) {
	fake := newFake(t)
	p := newProvider(t, fake)
	audio := []byte("RIFF....WAVEfmt fake audio CANARY-AUDIO")
	temp := 0.0
	tests := []struct {
		scenario string
		segments bool
		sized    bool
	}{{"transcription", false, true}, {"transcription_verbose", true, false}}
	for _, tt := range tests {
		req := &gateway.TranscribeRequest{
			Model: tt.scenario, Audio: bytes.NewReader(audio), Size: -1, Filename: "My Secret Meeting.WAV",
			MediaType: "audio/wav", Language: "en", Prompt: "Ana, chapter", Temperature: &temp, Segments: tt.segments,
		}
		if tt.sized {
			req.Size = int64(len(audio))
		}
		tr, err := p.Transcribe(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		sent := fake.Last()
		form := parseForm(t, sent.Header.Get("Content-Type"), sent.Body)
		if string(form["file"]) != string(audio) || string(form["model"]) != tt.scenario || string(form["language"]) != "en" ||
			string(form["prompt"]) != "Ana, chapter" || string(form["temperature"]) != "0" {
			t.Fatalf("form %q", form)
		}
		if bytes.Contains(sent.Body, []byte("Secret Meeting")) || !bytes.Contains(sent.Body, []byte(`filename="audio.wav"`)) {
			t.Fatal("the client's file name was sent upstream")
		}
		if tt.segments {
			if string(form["response_format"]) != "verbose_json" || len(tr.Segments) != 2 || tr.Language != "english" ||
				tr.Duration != 4730*time.Millisecond || tr.Segments[1].Start != 1840*time.Millisecond || tr.Segments[1].Text != " Send the chapter draft to Ana on Friday." {
				t.Fatalf("verbose: %+v", tr)
			}
		} else if string(form["response_format"]) != "json" || tr.Text != "Remember to buy ink and send the chapter draft to Ana on Friday." || tr.Usage == nil || tr.Usage.InputTokens != 63 || tr.Usage.OutputTokens != 17 {
			t.Fatalf("json: %+v", tr)
		}
	}
	_, err := p.Transcribe(context.Background(), &gateway.TranscribeRequest{Model: "transcription", Audio: strings.NewReader("x"), Size: -1, Filename: "notes.txt"})
	if pe := providerError(t, err); pe.Class != gateway.ClassInvalidRequest {
		t.Fatalf("unknown format: %+v", pe)
	}
}

// parseForm reads a multipart body into name → value.
func parseForm(t *testing.T, contentType string, body []byte) map[string][]byte {
	t.Helper()
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	out := map[string][]byte{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[p.FormName()], _ = io.ReadAll(p)
	}
}

// TestTranscribeDurationUsage: whisper-1 bills by duration; its usage is
// read, so that such calls can be metered.
func TestTranscribeDurationUsage(t *testing.T) {
	fake := newFake(t)
	fake.Handle("whisper-1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"text":"Buy ink.","usage":{"type":"duration","seconds":9}}`)
	})
	tr, err := newProvider(t, fake).Transcribe(context.Background(), &gateway.TranscribeRequest{
		Model: "whisper-1", Audio: strings.NewReader("x"), Size: 1, Filename: "a.wav",
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr.UsageDuration != 9*time.Second || tr.Usage != nil || tr.Text != "Buy ink." {
		t.Fatalf("got %+v", tr)
	}
}

// TestDecodeTranscribeSkipsUnknownFields: a field the gateway does not
// read is skipped, however large, and its client-chosen name is never
// quoted back.
func TestDecodeTranscribeSkipsUnknownFields(t *testing.T) {
	name := "CANARY my secret note"
	r := multipartRequest(t, map[string]string{"model": "m", name: strings.Repeat("x", maxFormField+1)}, "a.wav", []byte("x"))
	req, _, err := DecodeTranscribeRequest(r, 0)
	if err != nil || req.Model != "m" {
		t.Fatalf("got %+v, %v", req, err)
	}
	r = multipartRequest(t, map[string]string{name: "x"}, "a.wav", []byte("x"))
	if _, _, err := DecodeTranscribeRequest(r, 0); err == nil || strings.Contains(err.Error(), "CANARY") {
		t.Fatalf("missing model: %v", err)
	}
}
