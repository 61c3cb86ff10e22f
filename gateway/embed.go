package gateway

import (
	"io"
	"time"
)

// EmbedRequest asks for one vector per input text.
type EmbedRequest struct {
	Model  string
	Inputs []string
	// Dimensions truncates the vectors where the model supports it; 0 is
	// the model's default.
	Dimensions int
	// Purpose says what the vectors are for, for vendors that embed a
	// search query differently from the documents it searches (Cohere's
	// input_type, Gemini's taskType); vendors without the notion ignore it.
	Purpose EmbedPurpose
}

// EmbedPurpose is the intended use of embeddings.
type EmbedPurpose uint8

// Embedding purposes. The zero value is a document to be searched.
const (
	PurposeDocument EmbedPurpose = iota
	PurposeQuery
)

// EmbedResponse holds one vector per input, in input order.
type EmbedResponse struct {
	Model   string
	Vectors [][]float32
	Usage   Usage
}

// TranscribeRequest asks for the text of an audio file.
type TranscribeRequest struct {
	Model string
	// Audio is read once, to the end, by the provider.
	Audio io.Reader
	// Size is the length of Audio in bytes, or -1 if unknown (the upload
	// is then chunked).
	Size int64
	// Filename matters to vendors only for its extension, which names the
	// format; providers send a neutral name with that extension.
	Filename  string
	MediaType string
	// Language is an ISO-639-1 hint ("en"); empty lets the model detect it.
	Language string
	// Prompt is text that guides style or vocabulary.
	Prompt      string
	Temperature *float64
	// Segments asks for timed segments, where the model can give them.
	Segments bool
}

// Transcription is the text of an audio file.
type Transcription struct {
	Text     string
	Language string
	// Duration is the length of the audio, when the provider said.
	Duration time.Duration
	Segments []Segment
	// Usage counts tokens, for models billed by token; nil when the
	// provider reported no token usage.
	Usage *Usage
	// UsageDuration is the audio the provider bills, for models billed by
	// duration (OpenAI's whisper-1 reports usage of type "duration" in
	// seconds); 0 when it reported none.
	UsageDuration time.Duration
}

// Segment is a timed part of a transcription.
type Segment struct {
	ID    int
	Start time.Duration
	End   time.Duration
	Text  string
}

// RerankRequest asks to order documents by relevance to a query.
type RerankRequest struct {
	Model     string
	Query     string
	Documents []string
	// TopN limits the results; 0 returns them all.
	TopN int
}

// RerankResponse lists documents by decreasing relevance.
type RerankResponse struct {
	Model   string
	Results []RerankResult
	Usage   Usage
}

// RerankResult scores one document, named by its index in the request.
type RerankResult struct {
	Index int
	Score float64
}

// Model describes a model a provider serves.
type Model struct {
	ID      string
	OwnedBy string
	Created time.Time
}
