package openai

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// audioExts are the file extensions OpenAI recognises; the upload is
// named "audio.<ext>", so the client's file name never leaves.
var audioExts = map[string]bool{
	"flac": true, "m4a": true, "mp3": true, "mp4": true, "mpeg": true,
	"mpga": true, "oga": true, "ogg": true, "wav": true, "webm": true,
}

// mediaExts names the extension for a media type when the file name has
// none.
var mediaExts = map[string]string{
	"audio/flac": "flac", "audio/x-flac": "flac", "audio/mp4": "m4a", "audio/x-m4a": "m4a",
	"audio/mpeg": "mp3", "audio/mp3": "mp3", "video/mp4": "mp4", "audio/ogg": "ogg",
	"audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/webm": "webm", "video/webm": "webm",
}

var errAudioFormat = errors.New("audio format not recognised (flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm)")

// audioExt picks the extension for an upload.
func audioExt(filename, mediaType string) (string, bool) {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(filename), "."))
	if audioExts[ext] {
		return ext, true
	}
	ext, ok := mediaExts[strings.ToLower(mediaType)]
	return ext, ok
}

// Transcribe uploads audio (streamed, not buffered) and returns its text.
// A variant without transcription refuses before any request
// (Variant.Unsupported).
// It asks for verbose_json when req.Segments is set, else json.
func (p *Provider) Transcribe(ctx context.Context, req *gateway.TranscribeRequest) (*gateway.Transcription, error) {
	if err := p.refuse(OpTranscribe); err != nil {
		return nil, err
	}
	ext, ok := audioExt(req.Filename, req.MediaType)
	if !ok {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, errAudioFormat)
	}
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	head, tail, ctype, err := multipartFrame(req, ext)
	if err != nil {
		return nil, gateway.NewError(p.name, gateway.ClassInvalidRequest, err)
	}
	size := int64(-1)
	if req.Size >= 0 {
		size = int64(len(head)+len(tail)) + req.Size
	}
	// The audio is streamed from the client's reader, so the body cannot
	// be replayed: no GetBody.
	body := io.NopCloser(io.MultiReader(bytes.NewReader(head), req.Audio, bytes.NewReader(tail)))
	resp, err := p.send(ctx, outRequest{
		method: http.MethodPost, target: p.endpoint(pathTranscribe, req.Model), body: body,
		size: size, contentType: ctype, accept: "application/json",
	})
	if err != nil {
		return nil, err
	}
	var w wireTranscription
	if err := p.readJSON(ctx, resp, &w); err != nil {
		return nil, err
	}
	if w.Error != nil {
		return nil, p.streamError(w.Error)
	}
	return w.canonical(), nil
}

// multipartFrame returns the bytes before the audio (the fields and the
// file part's header) and after it (the closing boundary), and the
// Content-Type of the whole.
func multipartFrame(req *gateway.TranscribeRequest, ext string) (head, tail []byte, ctype string, err error) {
	var sw switchWriter
	var hb, tb bytes.Buffer
	sw.w = &hb
	mw := multipart.NewWriter(&sw)
	format := "json"
	if req.Segments {
		format = "verbose_json"
	}
	fields := [][2]string{{"model", req.Model}, {"response_format", format}, {"language", req.Language}, {"prompt", req.Prompt}}
	if req.Temperature != nil {
		fields = append(fields, [2]string{"temperature", strconv.FormatFloat(*req.Temperature, 'f', -1, 64)})
	}
	for _, f := range fields {
		if f[1] != "" {
			if err := mw.WriteField(f[0], f[1]); err != nil {
				return nil, nil, "", err
			}
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="audio.`+ext+`"`)
	h.Set("Content-Type", "application/octet-stream")
	if _, err := mw.CreatePart(h); err != nil {
		return nil, nil, "", err
	}
	sw.w = &tb
	if err := mw.Close(); err != nil {
		return nil, nil, "", err
	}
	return hb.Bytes(), tb.Bytes(), mw.FormDataContentType(), nil
}

// switchWriter lets the multipart writer's output be split in two.
type switchWriter struct{ w io.Writer }

func (s *switchWriter) Write(p []byte) (int, error) { return s.w.Write(p) }

func (w *wireTranscription) canonical() *gateway.Transcription {
	t := &gateway.Transcription{Text: w.Text, Language: w.Language, Duration: seconds(w.Duration)}
	for _, s := range w.Segments {
		t.Segments = append(t.Segments, gateway.Segment{ID: s.ID, Start: seconds(s.Start), End: seconds(s.End), Text: s.Text})
	}
	if w.Usage != nil {
		switch w.Usage.Type {
		case "tokens":
			t.Usage = &gateway.Usage{InputTokens: w.Usage.InputTokens, OutputTokens: w.Usage.OutputTokens}
		case "duration":
			t.UsageDuration = seconds(w.Usage.Seconds)
		}
	}
	return t
}

// seconds converts a JSON number of seconds, clamping nonsense to 0.
func seconds(f float64) time.Duration {
	if math.IsNaN(f) || f <= 0 || f > 1e6 {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}
