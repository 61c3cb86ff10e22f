package anthropic

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// wireStop is the stop_reason for a canonical finish reason. An error has
// no Anthropic name and never reaches here: WriteMessage answers it with a
// 502, StreamEncoder with an error event.
func wireStop(f gateway.FinishReason) string {
	switch f {
	case gateway.FinishLength:
		return "max_tokens"
	case gateway.FinishToolCalls:
		return "tool_use"
	case gateway.FinishContentFilter:
		return "refusal"
	}
	return "end_turn"
}

// errFinishedWithError is the failure reported for an answer whose finish
// reason is gateway.FinishError.
var errFinishedWithError = gateway.NewError("", gateway.ClassServer, errors.New("the answer finished with an error"))

const idAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// newID returns prefix followed by n random characters, in the shape of
// Anthropic's IDs (msg_01…, toolu_01…).
func newID(prefix string, n int) string {
	var raw [32]byte
	_, _ = rand.Read(raw[:n])
	b := make([]byte, len(prefix), len(prefix)+n)
	copy(b, prefix)
	for _, c := range raw[:n] {
		b = append(b, idAlphabet[int(c)%len(idAlphabet)])
	}
	return string(b)
}

// messageID returns id when it is an Anthropic message ID, else a new
// one: clients may check the prefix.
func messageID(id string) string {
	if strings.HasPrefix(id, "msg_") && len(id) > 4 && gateway.SafeToken(id, 128) != "" {
		return id
	}
	return newID("msg_01", 22)
}

// toolUseID returns id when clients can send it back as a tool_use ID,
// else a new one.
func toolUseID(id string) string {
	if id != "" && toolID(id) == id {
		return id
	}
	return newID("toolu_01", 22)
}

// appendUsage appends a usage object: input_tokens without the cached
// tokens, which Anthropic counts apart (the canonical count includes
// them). Cache writes are not told apart by the canonical usage and are
// counted in input_tokens.
func appendUsage(b []byte, u *gateway.Usage) []byte {
	var in, read, out int
	if u != nil {
		read = max(u.CachedInputTokens, 0)
		in, out = max(u.InputTokens-read, 0), max(u.OutputTokens, 0)
	}
	b = strconv.AppendInt(append(b, `{"input_tokens":`...), int64(in), 10)
	b = append(b, `,"cache_creation_input_tokens":0,"cache_read_input_tokens":`...)
	b = strconv.AppendInt(b, int64(read), 10)
	b = strconv.AppendInt(append(b, `,"output_tokens":`...), int64(out), 10)
	return append(b, '}')
}

// appendInput appends a tool call's arguments as the input object of a
// tool_use block: compact JSON, or {} when the model wrote no object
// (Anthropic's input is always an object, and the SDKs empty a broken one
// alike).
func appendInput(b []byte, args string) []byte {
	raw := bytes.TrimSpace([]byte(args))
	if len(raw) == 0 || raw[0] != '{' || !json.Valid(raw) {
		return append(b, '{', '}')
	}
	var out bytes.Buffer
	if json.Compact(&out, raw) != nil {
		return append(b, '{', '}')
	}
	return append(b, out.Bytes()...)
}

// WriteMessage writes resp as a 200 Anthropic message: the text as one
// text block, then one tool_use block per tool call. model, when not
// empty, is the model named to the client (the one it asked for), else
// resp.Model. The ID is the upstream's when it is an Anthropic message ID,
// else a new one. Usage is written as zeros when the provider reported
// none: the field is required. An answer that finished with
// gateway.FinishError is not a success, whatever text it holds: it is
// answered 502 api_error, as a failed provider call would be, and nothing
// of it is sent.
func WriteMessage(w http.ResponseWriter, resp *gateway.ChatResponse, model string) error {
	if resp.FinishReason == gateway.FinishError {
		WriteAPIError(w, ErrorFromProvider(errFinishedWithError))
		return nil
	}
	b := append(make([]byte, 0, 512), `{"id":`...)
	b = appendString(b, messageID(resp.ID))
	b = append(b, `,"type":"message","role":"assistant","model":`...)
	b = appendString(b, or(model, resp.Model))
	b = append(b, `,"content":[`...)
	n := 0
	if t := resp.Message.Text(); t != "" {
		b = append(b, `{"type":"text","text":`...)
		b = append(appendString(b, t), '}')
		n++
	}
	for _, tc := range resp.Message.ToolCalls {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = appendString(append(b, `{"type":"tool_use","id":`...), toolUseID(tc.ID))
		b = appendString(append(b, `,"name":`...), tc.Name)
		b = append(appendInput(append(b, `,"input":`...), tc.Arguments), '}')
	}
	b = append(b, `],"stop_reason":`...)
	b = appendString(b, wireStop(resp.FinishReason))
	b = append(b, `,"stop_sequence":null,"usage":`...)
	b = append(appendUsage(b, resp.Usage), '}', '\n')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}
