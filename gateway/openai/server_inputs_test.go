package openai

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeEmbedRequest(t *testing.T) {
	req, x, err := DecodeEmbedRequest(strings.NewReader(`{"model":"m","input":"one","encoding_format":"base64","dimensions":256,"user":"u"}`), 0)
	if err != nil {
		t.Fatal(err)
	}
	if req.Model != "m" || len(req.Inputs) != 1 || req.Inputs[0] != "one" || req.Dimensions != 256 || !x.Base64 || x.Dropped.Dropped[0] != "user" {
		t.Fatalf("got %+v %+v", req, x)
	}
	tests := []struct{ body, code, param string }{
		{`{"input":"x"}`, "missing_required_parameter", "model"},
		{`{"model":"m"}`, "missing_required_parameter", "input"},
		{`{"model":"m","input":[1,2,3]}`, "unsupported_value", "input"},
		{`{"model":"m","input":[]}`, "invalid_value", "input"},
		{`{"model":"m","input":["a",""]}`, "invalid_value", "input[1]"},
		{`{"model":"m","input":"a","encoding_format":"int8"}`, "invalid_value", "encoding_format"},
		{`{"model":"m","input":"a","dimensions":0}`, "invalid_value", "dimensions"},
		{`{"model":"m","input":"a","model":"n"}`, "duplicate_parameter", "model"},
		{`{"model":"m","input":"a"`, "invalid_json", ""},
	}
	for _, tt := range tests {
		_, _, err := DecodeEmbedRequest(strings.NewReader(tt.body), 0)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != tt.code || ae.Param != tt.param || ae.Status != 400 {
			t.Errorf("%s: got %v", tt.body, err)
		}
	}
	many := `{"model":"m","input":[` + strings.TrimSuffix(strings.Repeat(`"a",`, maxEmbedInputs+1), ",") + `]}`
	if _, _, err := DecodeEmbedRequest(strings.NewReader(many), 0); err == nil {
		t.Error("2049 inputs accepted")
	}
	if _, _, err := DecodeEmbedRequest(strings.NewReader(many), 100); err == nil || err.(*APIError).Status != 413 {
		t.Errorf("over the limit: %v", err)
	}
}

// multipartRequest builds a transcription request.
func multipartRequest(t *testing.T, fields map[string]string, filename string, audio []byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if audio != nil {
		w, _ := mw.CreateFormFile("file", filename)
		w.Write(audio)
	}
	mw.Close()
	r := httptest.NewRequest(http.MethodPost, "/v1/audio/transcriptions", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestDecodeTranscribeRequest(t *testing.T) {
	audio := []byte("fake audio")
	r := multipartRequest(t, map[string]string{"model": "whisper-1", "language": "en", "prompt": "Ana", "temperature": "0.2", "response_format": "srt", "timestamp_granularities[]": "word"}, "m.mp3", audio)
	req, x, err := DecodeTranscribeRequest(r, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(req.Audio)
	if string(got) != "fake audio" || req.Size != int64(len(audio)) || req.Model != "whisper-1" || req.Language != "en" || req.Prompt != "Ana" ||
		*req.Temperature != 0.2 || !req.Segments || x.ResponseFormat != FormatSRT || req.Filename != "m.mp3" {
		t.Fatalf("got %+v %+v", req, x)
	}
	tests := []struct {
		name   string
		r      *http.Request
		status int
		param  string
	}{
		{"no file", multipartRequest(t, map[string]string{"model": "m"}, "", nil), 400, "file"},
		{"empty file", multipartRequest(t, map[string]string{"model": "m"}, "a.wav", []byte{}), 400, "file"},
		{"no model", multipartRequest(t, nil, "a.wav", audio), 400, "model"},
		{"bad extension", multipartRequest(t, map[string]string{"model": "m"}, "a.exe", audio), 400, "file"},
		{"bad format", multipartRequest(t, map[string]string{"model": "m", "response_format": "xml"}, "a.wav", audio), 400, "response_format"},
		{"bad temperature", multipartRequest(t, map[string]string{"model": "m", "temperature": "hot"}, "a.wav", audio), 400, "temperature"},
		{"stream", multipartRequest(t, map[string]string{"model": "m", "stream": "true"}, "a.wav", audio), 400, "stream"},
		{"huge prompt", multipartRequest(t, map[string]string{"model": "m", "prompt": strings.Repeat("x", maxFormField+1)}, "a.wav", audio), 400, "prompt"},
		{"not multipart", httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}")), 400, ""},
	}
	for _, tt := range tests {
		_, _, err := DecodeTranscribeRequest(tt.r, 0)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Status != tt.status || ae.Param != tt.param {
			t.Errorf("%s: got %v", tt.name, err)
		}
	}
	big := multipartRequest(t, map[string]string{"model": "m"}, "a.wav", bytes.Repeat([]byte("x"), 5000))
	if _, _, err := DecodeTranscribeRequest(big, 4000); err == nil || err.(*APIError).Status != 413 {
		t.Errorf("over the limit: %v", err)
	}
}
