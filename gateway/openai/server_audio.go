package openai

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/quirehq/quire/gateway"
)

// Transcription response formats.
const (
	FormatJSON        = "json"
	FormatText        = "text"
	FormatVerboseJSON = "verbose_json"
	FormatSRT         = "srt"
	FormatVTT         = "vtt"
)

// DefaultAudioLimit is OpenAI's upload limit for audio.
const DefaultAudioLimit = 25 << 20

const (
	maxFormField  = 64 << 10
	maxFormFields = 32
)

// TranscribeExtras carries what the client asked about the answer's shape.
type TranscribeExtras struct {
	// ResponseFormat is json, text, verbose_json, srt or vtt.
	ResponseFormat string
}

// DecodeTranscribeRequest reads a multipart transcription request whose
// body is at most limit bytes (DefaultAudioLimit if 0). The audio is held
// in memory, never on disk: it is content (claim AI-2). The file name is
// kept only for its extension. Errors are *APIError.
func DecodeTranscribeRequest(r *http.Request, limit int64) (*gateway.TranscribeRequest, *TranscribeExtras, error) {
	if limit <= 0 {
		limit = DefaultAudioLimit
	}
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return nil, nil, invalid("invalid_content_type", "", "The request must be multipart/form-data.")
	}
	lr := &limitReader{r: r.Body, n: limit}
	req, x, err := readTranscribeForm(multipart.NewReader(lr, params["boundary"]))
	if lr.over || isMaxBytes(err) {
		return nil, nil, tooLarge()
	}
	return req, x, err
}

func readTranscribeForm(mr *multipart.Reader) (*gateway.TranscribeRequest, *TranscribeExtras, error) {
	req := &gateway.TranscribeRequest{Size: -1}
	x := &TranscribeExtras{ResponseFormat: FormatJSON}
	var audio *bytes.Buffer
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil || n > maxFormFields {
			return nil, nil, formError(err)
		}
		if part.FormName() == "file" {
			if audio != nil {
				return nil, nil, invalid("duplicate_parameter", "file", "Only one file may be sent.")
			}
			audio = new(bytes.Buffer)
			if _, err := audio.ReadFrom(part); err != nil {
				return nil, nil, formError(err)
			}
			req.Filename, req.MediaType = part.FileName(), part.Header.Get("Content-Type")
			continue
		}
		if err := formField(part, req, x); err != nil {
			return nil, nil, err
		}
	}
	return finishTranscribe(req, x, audio)
}

func formError(err error) error {
	if errors.Is(err, errOverLimit) || isMaxBytes(err) {
		return err
	}
	return invalid("invalid_multipart", "", "The multipart body is malformed.")
}

// knownFormFields are the fields read; any other is skipped unread (the
// multipart reader discards it) and never named in an error, since its
// name is the client's.
var knownFormFields = map[string]bool{"model": true, "language": true, "prompt": true, "response_format": true, "temperature": true, "stream": true}

// formField reads one small form field.
func formField(part *multipart.Part, req *gateway.TranscribeRequest, x *TranscribeExtras) error {
	name := part.FormName()
	if !knownFormFields[name] {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
	if err != nil {
		return formError(err)
	}
	if len(b) > maxFormField {
		return badValue(name, "too long.")
	}
	v := string(b)
	switch name {
	case "model":
		req.Model = v
	case "language":
		req.Language = v
	case "prompt":
		req.Prompt = v
	case "response_format":
		x.ResponseFormat = v
	case "temperature":
		t, err := strconv.ParseFloat(v, 64)
		if err != nil || t < 0 || t > 1 {
			return badValue("temperature", "expected a number from 0 to 1.")
		}
		req.Temperature = &t
	case "stream":
		if v == "true" {
			return invalid("unsupported_value", "stream", "Streamed transcription is not supported.")
		}
	}
	return nil
}

func finishTranscribe(req *gateway.TranscribeRequest, x *TranscribeExtras, audio *bytes.Buffer) (*gateway.TranscribeRequest, *TranscribeExtras, error) {
	switch {
	case audio == nil:
		return nil, nil, missing("file")
	case audio.Len() == 0:
		return nil, nil, badValue("file", "the file is empty.")
	case req.Model == "":
		return nil, nil, missing("model")
	case len(req.Model) > maxModelLen || !printable(req.Model):
		return nil, nil, badValue("model", "expected a model ID.")
	case req.Language != "" && gateway.SafeToken(req.Language, 16) == "":
		return nil, nil, badValue("language", "expected an ISO-639-1 code.")
	}
	if _, ok := audioExt(req.Filename, req.MediaType); !ok {
		return nil, nil, badValue("file", "unsupported audio format (flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav, webm).")
	}
	switch x.ResponseFormat {
	case FormatJSON, FormatText:
	case FormatVerboseJSON, FormatSRT, FormatVTT:
		req.Segments = true
	default:
		return nil, nil, badValue("response_format", "expected json, text, verbose_json, srt or vtt.")
	}
	req.Size = int64(audio.Len())
	req.Audio = audio
	return req, x, nil
}

// WriteTranscription writes t in the response format the client asked for.
func WriteTranscription(w http.ResponseWriter, t *gateway.Transcription, format string) error {
	switch format {
	case FormatText, FormatSRT, FormatVTT:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, err := io.WriteString(w, textTranscript(t, format))
		return err
	case FormatVerboseJSON:
		return writeJSON(w, http.StatusOK, verboseOf(t))
	}
	out := struct {
		Text  string          `json:"text"`
		Usage *wireAudioUsage `json:"usage,omitempty"`
	}{Text: t.Text}
	switch {
	case t.Usage != nil:
		out.Usage = &wireAudioUsage{Type: "tokens", InputTokens: t.Usage.InputTokens, OutputTokens: t.Usage.OutputTokens, TotalTokens: t.Usage.Total()}
	case t.UsageDuration > 0:
		out.Usage = &wireAudioUsage{Type: "duration", Seconds: secs(t.UsageDuration)}
	}
	return writeJSON(w, http.StatusOK, &out)
}

type verboseSegment struct {
	ID    int     `json:"id"`
	Seek  int     `json:"seek"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Text  string  `json:"text"`
}

type verboseTranscript struct {
	Task     string           `json:"task"`
	Language string           `json:"language"`
	Duration float64          `json:"duration"`
	Text     string           `json:"text"`
	Segments []verboseSegment `json:"segments"`
}

func verboseOf(t *gateway.Transcription) *verboseTranscript {
	v := &verboseTranscript{Task: "transcribe", Language: t.Language, Duration: secs(t.Duration), Text: t.Text, Segments: []verboseSegment{}}
	for _, s := range t.Segments {
		v.Segments = append(v.Segments, verboseSegment{ID: s.ID, Start: secs(s.Start), End: secs(s.End), Text: s.Text})
	}
	return v
}

// secs is d in seconds, to the millisecond (no 1.8399999999999999).
func secs(d time.Duration) float64 { return float64(d.Milliseconds()) / 1000 }

// textTranscript renders text, SRT or WebVTT. Without segments, subtitles
// get one cue spanning the whole audio.
func textTranscript(t *gateway.Transcription, format string) string {
	if format == FormatText {
		return t.Text + "\n"
	}
	segs := t.Segments
	if len(segs) == 0 {
		segs = []gateway.Segment{{End: t.Duration, Text: t.Text}}
	}
	var b strings.Builder
	if format == FormatVTT {
		b.WriteString("WEBVTT\n\n")
	}
	for i, s := range segs {
		if format == FormatSRT {
			fmt.Fprintf(&b, "%d\n", i+1)
		}
		fmt.Fprintf(&b, "%s --> %s\n%s\n\n", cueTime(s.Start, format), cueTime(s.End, format), strings.TrimSpace(s.Text))
	}
	return b.String()
}

// cueTime formats HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT).
func cueTime(d time.Duration, format string) string {
	sep := "."
	if format == FormatSRT {
		sep = ","
	}
	ms := d.Milliseconds()
	return fmt.Sprintf("%02d:%02d:%02d%s%03d", ms/3600000, ms/60000%60, ms/1000%60, sep, ms%1000)
}
