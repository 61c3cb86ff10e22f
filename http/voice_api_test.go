package http_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/sqlite"
	"github.com/quirehq/quire/voice"
)

// transcriber answers every recording with text, and keeps what it heard.
type transcriber struct {
	mu    sync.Mutex
	text  string
	heard [][]byte
}

func (tr *transcriber) Transcribe(_ context.Context, _ *endpoint.Caller, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	b, err := io.ReadAll(req.Audio)
	if err != nil {
		return nil, err
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.heard = append(tr.heard, b)
	return &gateway.Transcription{Text: tr.text}, nil
}

// wav is a short PCM WAV recording.
func wav() []byte {
	samples := make([]byte, 8000)
	var b bytes.Buffer
	b.WriteString("RIFF")
	_ = binary.Write(&b, binary.LittleEndian, uint32(36+len(samples)))
	b.WriteString("WAVEfmt ")
	_ = binary.Write(&b, binary.LittleEndian, []any{uint32(16), uint16(1), uint16(1), uint32(8000), uint32(16000), uint16(2), uint16(16)})
	b.WriteString("data")
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(samples)))
	b.Write(samples)
	return b.Bytes()
}

type voiceEnv struct {
	*wsAPI
	tr    *transcriber
	files *files.Service
}

func newVoiceAPI(t *testing.T) *voiceEnv {
	t.Helper()
	db, b, dir := authtest.SQLite(t)
	local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(dir, "blobs")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = local.Close() })
	store, _ := blob.New(b, local, blob.Options{})
	fs, err := files.New(files.Config{Blobs: store, Backend: local, Files: sqlite.NewFileService(db, b)})
	if err != nil {
		t.Fatal(err)
	}
	tr := &transcriber{text: "  Call the printer about the launch posters.  "}
	ideas := sqlite.NewIdeaService(db, b)
	vs, err := voice.New(voice.Config{Ideas: ideas, Files: fs, AI: tr, Model: "whisper",
		Caller: func(_ context.Context, user, ws string) (*endpoint.Caller, error) {
			return &endpoint.Caller{Account: user}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	authSvc, _ := authtest.OnStore(t, db, b, dir, authtest.Options{})
	e := &voiceEnv{wsAPI: &wsAPI{t: t, svc: authSvc, ws: sqlite.NewWorkspaceService(db, b)}, tr: tr, files: fs}
	e.srv = quirehttp.NewServer(quirehttp.Config{Auth: authSvc, AuthBurst: 1000, Workspaces: e.ws, Notes: sqlite.NewNoteService(db, b),
		Folders: sqlite.NewFolderService(db, b), Ideas: ideas, Files: fs, Voice: vs})
	return e
}

// postVoice sends a voice note form: the recording as audio, then fields.
func postVoice(u *wsUser, name string, audio []byte, fields ...string) apiResult {
	u.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if audio != nil {
		fw, _ := mw.CreateFormFile("audio", name)
		_, _ = fw.Write(audio)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	_ = mw.Close()
	return send(u.apiClient, http.MethodPost, "/api/v1/voice-notes", body.String(), map[string]string{"Content-Type": mw.FormDataContentType()})
}

func (e *voiceEnv) fileCount(u *wsUser) int {
	list := u.want(u.do(http.MethodGet, "/api/v1/files", nil), 200, "")
	return len(list.body["files"].([]any))
}

func TestVoiceNotes(t *testing.T) {
	e := newVoiceAPI(t)
	u := e.user("voice@example.com")
	audio := wav()
	r := u.want(postVoice(u, "memo.wav", audio), 201, "")
	idea := r.body["idea"].(map[string]any)
	if idea["text"] != "Call the printer about the launch posters." || r.body["file"] != nil || r.body["truncated"] != false {
		t.Fatalf("voice note answered %v", r.body)
	}
	if !bytes.Equal(e.tr.heard[0], audio) {
		t.Fatal("the transcriber did not hear the recording")
	}
	if got := u.want(u.do(http.MethodGet, "/api/v1/ideas/"+idea["ideaId"].(string), nil), 200, ""); got.body["text"] != idea["text"] {
		t.Fatalf("stored idea %v", got.body)
	}
	if n := e.fileCount(u); n != 0 {
		t.Fatalf("a recording not kept was stored: %d files", n)
	}

	kept := u.want(postVoice(u, "memo.wav", audio, "keep", "true", "language", "en"), 201, "")
	file := kept.body["file"].(map[string]any)
	if file["mediaType"] != "audio/wav" || !strings.HasPrefix(file["name"].(string), "Voice note ") || e.fileCount(u) != 1 {
		t.Fatalf("kept recording %v", kept.body)
	}
	req := httptest.NewRequest(http.MethodGet, "https://quire.test/api/v1/files/"+file["fileId"].(string)+"/content", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: quirehttp.SessionCookie, Value: u.cookie})
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	if rec.Code != 200 || !bytes.Equal(rec.Body.Bytes(), audio) {
		t.Fatalf("download of the kept recording: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestVoiceNotesRefusals(t *testing.T) {
	e := newVoiceAPI(t)
	u := e.user("refuse@example.com")
	audio := wav()
	other := e.user("other@example.com")
	folder := other.want(other.do(http.MethodPost, "/api/v1/folders", map[string]any{"name": "theirs"}), 201, "").body["folderId"].(string)
	for _, tt := range []struct {
		res    apiResult
		status int
		code   string
	}{
		{postVoice(u, "memo.png", []byte("\x89PNG\r\n\x1a\n0000000000000000")), 415, "unsupported_media_type"},
		{postVoice(u, "memo.txt", []byte("just text, no audio")), 415, "unsupported_media_type"},
		{postVoice(u, "memo.wav", nil, "keep", "true"), 400, "file_missing"},
		{postVoice(u, "memo.wav", audio, "keep", "maybe"), 400, "invalid_input"},
		{postVoice(u, "memo.wav", audio, "speaker", "me"), 400, "invalid_input"},
		{postVoice(u, "memo.wav", audio, "language", "english"), 400, "invalid_input"},
		{postVoice(u, "memo.wav", audio, "keep", "true", "keep", "false"), 400, "invalid_input"},
		{postVoice(u, "memo.wav", audio, "keep", "true", "folderId", folder), 422, "folder_not_found"},
		{send(u.apiClient, http.MethodPost, "/api/v1/voice-notes", `{"audio":"x"}`, nil), 400, "multipart_required"},
	} {
		if tt.res.status != tt.status || tt.res.code() != tt.code {
			t.Errorf("answered %d %q, want %d %q (%v)", tt.res.status, tt.res.code(), tt.status, tt.code, tt.res.body)
		}
	}
	e.tr.text = "   "
	u.want(postVoice(u, "memo.wav", audio, "keep", "true"), 422, "no_speech")
	if n := e.fileCount(u); n != 0 {
		t.Fatalf("refused voice notes left %d files", n)
	}
	if list := u.want(u.do(http.MethodGet, "/api/v1/ideas", nil), 200, ""); list.body["total"] != 0.0 {
		t.Fatalf("refused voice notes left ideas: %v", list.body)
	}
	if len(e.tr.heard) != 2 { // the folder and the silence reached the model; nothing else did
		t.Fatalf("the model heard %d recordings", len(e.tr.heard))
	}
}
