// Package voice turns recordings into ideas: the audio is transcribed
// through the AI gateway and the text becomes an idea for the user to
// review. The audio is kept, encrypted like every file, only when the
// user asks for it; otherwise it lives in memory for the length of the
// request and goes nowhere but to the transcription provider.
package voice

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/files"
	"github.com/quirehq/quire/gateway"
	"github.com/quirehq/quire/gateway/endpoint"
)

// AI is the gateway's transcription call.
type AI interface {
	Transcribe(ctx context.Context, c *endpoint.Caller, req *gateway.TranscribeRequest) (*gateway.Transcription, error)
}

// Config wires a Service.
type Config struct {
	Ideas quire.IdeaService
	// Files keeps the recordings users choose to keep; nil refuses keep.
	Files  *files.Service
	AI     AI
	Caller func(ctx context.Context, userID, workspaceID string) (*endpoint.Caller, error)
	// Model transcribes (a Whisper-style model).
	Model string
	// Now is the clock, for the kept recording's name (default time.Now).
	Now func() time.Time
}

// Service makes ideas of recordings.
type Service struct{ cfg Config }

// New returns a Service of cfg.
func New(cfg Config) (*Service, error) {
	if cfg.Ideas == nil || cfg.AI == nil || cfg.Caller == nil || cfg.Model == "" {
		return nil, errors.New("voice: Ideas, AI, Caller and Model are required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{cfg: cfg}, nil
}

// Recording is one voice note as uploaded.
type Recording struct {
	Audio    []byte
	Filename string
	// Keep stores the audio as a file; FolderID files the idea; Language
	// is an ISO 639-1 hint.
	Keep     bool
	FolderID string
	Language string
}

// Result is the idea a recording became, and the kept audio file.
type Result struct {
	Idea      *quire.Idea
	File      *quire.File
	Truncated bool
}

// Transcribe makes an idea of rec in workspace ws for user: the
// transcript, in the folder asked for, and the audio as a file when rec
// asks to keep it. It does it all or leaves nothing: a failed step undoes
// the ones before.
func (s *Service) Transcribe(ctx context.Context, user, ws string, rec Recording) (*Result, error) {
	kind, err := blob.Sniff(rec.Audio[:min(len(rec.Audio), blob.SniffLen)], rec.Filename)
	if err != nil {
		return nil, quire.WrapError(quire.EUNSUPPORTEDMEDIATYPE, quire.ErrorMessage(err), err)
	}
	if !strings.HasPrefix(kind, "audio/") {
		return nil, quire.Errorf(quire.EUNSUPPORTEDMEDIATYPE, "A voice note must be an audio recording.")
	}
	if rec.Keep && s.cfg.Files == nil {
		return nil, quire.Errorf(quire.EINVALID, "Keeping recordings is not available on this server.")
	}
	caller, err := s.cfg.Caller(ctx, user, ws)
	if err != nil {
		return nil, err
	}
	t, err := s.cfg.AI.Transcribe(ctx, caller, &gateway.TranscribeRequest{Model: s.cfg.Model, Audio: bytes.NewReader(rec.Audio),
		Size: int64(len(rec.Audio)), Filename: rec.Filename, MediaType: kind, Language: rec.Language})
	if err != nil {
		return nil, quire.WrapError(quire.EUNAVAILABLE, "The transcription model did not answer.", err)
	}
	text, truncated := ideaText(t.Text)
	if text == "" {
		return nil, quire.Errorf(ENOSPEECH, "No speech was recognised in the recording.")
	}
	res := &Result{Truncated: truncated}
	if rec.Keep {
		name := "Voice note " + s.cfg.Now().UTC().Format("2006-01-02 15.04") + extension(rec.Filename)
		if res.File, err = s.cfg.Files.Upload(ctx, ws, "", name, bytes.NewReader(rec.Audio)); err != nil {
			return nil, err
		}
	}
	res.Idea = &quire.Idea{WorkspaceID: ws, Text: text, FolderID: rec.FolderID}
	if err := s.cfg.Ideas.CreateIdea(ctx, res.Idea); err != nil {
		if res.File != nil {
			_ = s.cfg.Files.Delete(context.WithoutCancel(ctx), ws, res.File.ID)
		}
		return nil, err
	}
	return res, nil
}

// ENOSPEECH is a recording in which the model heard no words.
const ENOSPEECH = "no_speech"

// ideaText trims a transcript to what an idea holds, and reports whether
// it was cut.
func ideaText(s string) (string, bool) {
	s = strings.TrimSpace(strings.ToValidUTF8(s, ""))
	if utf8.RuneCountInString(s) <= quire.MaxIdeaText {
		return s, false
	}
	runes := []rune(s)[:quire.MaxIdeaText]
	return string(runes), true
}

// extension returns name's extension if it is a plain one, for the kept
// file's name.
func extension(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 || len(name)-i > 6 {
		return ""
	}
	ext := strings.ToLower(name[i:])
	for _, r := range ext[1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return ext
}
