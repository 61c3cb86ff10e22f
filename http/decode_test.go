package http_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	quirehttp "github.com/quirehq/quire/http"
)

type noteInput struct {
	Title    string `json:"title"`
	IsPinned bool   `json:"isPinned"`
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		limit    int64
		wantCode string
		wantMsg  string
		want     noteInput
	}{
		{"valid", `{"title":"hi","isPinned":true}`, 0, "", "", noteInput{"hi", true}},
		{"unknown fields ignored", `{"title":"hi","extra":1}`, 0, "", "", noteInput{Title: "hi"}},
		{"trailing whitespace", "{\"title\":\"hi\"}\n\t ", 0, "", "", noteInput{Title: "hi"}},
		{"empty", ``, 0, quire.EINVALID, "Request body is empty.", noteInput{}},
		{"malformed", `{"title":`, 0, quire.EINVALID, "Request body is not valid JSON.", noteInput{}},
		{"not an object", `"secret-text"`, 0, quire.EINVALID, "Request body is not valid JSON.", noteInput{}},
		{"two values", `{} {}`, 0, quire.EINVALID, "Request body holds more than one JSON value.", noteInput{}},
		{"trailing garbage", `{}garbage`, 0, quire.EINVALID, "Request body holds more than one JSON value.", noteInput{}},
		{"wrong type", `{"isPinned":"yes"}`, 0, quire.EINVALID, `Field "isPinned" has the wrong type.`, noteInput{}},
		{"too large", `{"title":"` + strings.Repeat("a", 100) + `"}`, 50, quire.ETOOLARGE, "Request body exceeds 50 bytes.", noteInput{}},
		{"too large after the value", `{}` + strings.Repeat(" ", 100), 50, quire.ETOOLARGE, "Request body exceeds 50 bytes.", noteInput{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/", strings.NewReader(tt.body))
			if tt.limit > 0 {
				req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, tt.limit)
			}
			var got noteInput
			err := quirehttp.DecodeJSON(req, &got)
			if code := quire.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("code %q, want %q (%v)", code, tt.wantCode, err)
			}
			if msg := quire.ErrorMessage(err); msg != tt.wantMsg {
				t.Errorf("message %q, want %q", msg, tt.wantMsg)
			}
			if err == nil && got != tt.want {
				t.Errorf("decoded %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeJSONNilBody(t *testing.T) {
	req := httptest.NewRequest("POST", "/", nil)
	req.Body = nil
	if code := quire.ErrorCode(quirehttp.DecodeJSON(req, &noteInput{})); code != quire.EINVALID {
		t.Errorf("code %q", code)
	}
}

// FuzzDecodeJSON checks that any body decodes or fails with a client code,
// never panics, and that the message never echoes the body.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"title":"x"}`, `{"isPinned":"x"}`, `[]`, `{`, `{}{}`, `nul`, "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/", io.NopCloser(strings.NewReader(body)))
		req.Body = http.MaxBytesReader(httptest.NewRecorder(), req.Body, 256)
		var v noteInput
		err := quirehttp.DecodeJSON(req, &v)
		if err == nil {
			return
		}
		if code := quire.ErrorCode(err); code != quire.EINVALID && code != quire.ETOOLARGE {
			t.Fatalf("code %q for %q", code, body)
		}
		if msg := quire.ErrorMessage(err); len(body) > 8 && strings.Contains(msg, body) {
			t.Fatalf("message %q echoes the body", msg)
		}
	})
}
