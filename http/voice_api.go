package http

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/voice"
)

// maxVoiceBytes caps a recording: what the gateway accepts for
// transcription.
const maxVoiceBytes = 25 << 20

// registerVoice registers POST /api/v1/voice-notes.
func (s *Server) registerVoice() {
	if s.cfg.Workspaces == nil || s.cfg.Voice == nil {
		return
	}
	h := &voiceAPI{s: s, svc: s.cfg.Voice}
	s.Mount("POST /api/v1/voice-notes", BodyLimit(maxVoiceBytes+64<<10, s.handlerFunc(h.create)))
}

type voiceAPI struct {
	s   *Server
	svc *voice.Service
}

// create answers POST /api/v1/voice-notes: a multipart/form-data body
// with the recording in a part named "audio" and optional fields keep
// (true|false, default false), folderId and language (ISO 639-1) → 201
// {"idea", "file"?, "truncated"}. The transcript becomes an idea; the
// audio is stored only with keep=true.
func (h *voiceAPI) create(w http.ResponseWriter, r *http.Request) error {
	a, err := requireActor(r)
	if err != nil {
		return err
	}
	ws, err := h.s.ownWorkspace(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	if err := checkQuery(r); err != nil {
		return err
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return quire.Errorf(EMULTIPARTREQUIRED, "Request body must be multipart/form-data with a boundary.")
	}
	_ = http.NewResponseController(w).SetReadDeadline(transferDeadline(maxVoiceBytes))
	rec, err := readRecording(multipart.NewReader(r.Body, params["boundary"]))
	if err != nil {
		return err
	}
	res, err := h.svc.Transcribe(r.Context(), a.UserID, ws, *rec)
	if err != nil {
		return err
	}
	out := map[string]any{"idea": ideaBody(res.Idea), "truncated": res.Truncated}
	if res.File != nil {
		out["file"] = fileBody(res.File)
	}
	w.Header().Set("Location", "/api/v1/ideas/"+res.Idea.ID)
	return JSON(w, http.StatusCreated, out)
}

// readRecording reads a voice note form into memory (the recording is at
// most maxVoiceBytes).
func readRecording(mr *multipart.Reader) (*voice.Recording, error) {
	rec := &voice.Recording{}
	seen := map[string]bool{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, uploadFormError(err)
		}
		name := p.FormName()
		if seen[name] {
			return nil, quire.Errorf(quire.EINVALID, "The form gives a field more than once.")
		}
		seen[name] = true
		err = readVoicePart(p, name, rec)
		_ = p.Close()
		if err != nil {
			return nil, err
		}
	}
	if !seen["audio"] {
		return nil, quire.Errorf(EFILEMISSING, "The form has no recording: send it in a part named \"audio\" with a file name.")
	}
	return rec, nil
}

// readVoicePart reads one part of the form into rec.
func readVoicePart(p *multipart.Part, name string, rec *voice.Recording) error {
	if name == "audio" {
		if p.FileName() == "" {
			return quire.Errorf(EFILEMISSING, "The recording part needs a file name.")
		}
		b, err := io.ReadAll(io.LimitReader(p, maxVoiceBytes+1))
		if err != nil {
			return uploadFormError(err)
		}
		if len(b) > maxVoiceBytes {
			return quire.Errorf(quire.ETOOLARGE, "A recording may be at most %d MiB.", maxVoiceBytes>>20)
		}
		rec.Audio, rec.Filename = b, p.FileName()
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(p, 65))
	if err != nil {
		return uploadFormError(err)
	}
	v := strings.TrimSpace(string(b))
	switch name {
	case "keep":
		if v != "true" && v != "false" {
			return quire.Errorf(quire.EINVALID, "Field \"keep\" must be true or false.")
		}
		rec.Keep = v == "true"
	case "folderId":
		if !quire.ValidID(v) {
			return quire.Errorf(quire.EINVALID, "Field \"folderId\" is not a valid identifier.")
		}
		rec.FolderID = v
	case "language":
		if len(v) != 2 || strings.Trim(v, "abcdefghijklmnopqrstuvwxyz") != "" {
			return quire.Errorf(quire.EINVALID, "Field \"language\" must be a two-letter ISO 639-1 code, such as en.")
		}
		rec.Language = v
	default:
		return quire.Errorf(quire.EINVALID, "The form has a field that is not known: only audio, keep, folderId and language.")
	}
	return nil
}
