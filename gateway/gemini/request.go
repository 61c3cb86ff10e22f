package gemini

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"path"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// Request translation errors. Their text quotes nothing from the request.
var (
	errImageURL     = errors.New("image URLs must be https:// or gs:// (other images must be sent inline)")
	errToolArgs     = errors.New("an assistant tool call's arguments are not a JSON object")
	errToolResult   = errors.New("a tool result answers no tool call of an earlier assistant message")
	errToolPart     = errors.New("a tool result may hold only text")
	errSeed         = errors.New("seed must fit in 32 bits")
	errNoContents   = errors.New("the request has no user or model content")
	errUnknownRole  = errors.New("unknown message role")
	errToolChoice   = errors.New("tool_choice names no tool")
	errUnknownParts = errors.New("unknown content part type")
)

// dummySignature is the value Google documents for a function call part
// whose thought signature is unknown (history from another model, or from
// a client that cannot keep it): Gemini 3 refuses a function call turn
// without a signature, and accepts this one.
const dummySignature = "skip_thought_signature_validator"

// encodeChat encodes req as a GenerateContentRequest, in a pooled buffer
// the caller owns. Only the fields of outRequest are sent: no safety
// settings (the defaults apply), no labels, no cached content.
func encodeChat(req *gateway.ChatRequest, model string) (*bytes.Buffer, error) {
	w, err := translate(req, model)
	if err != nil {
		return nil, err
	}
	return encodeJSON(w)
}

// translate translates req; model is the checked model ID, which
// decides how ReasoningEffort is expressed.
func translate(req *gateway.ChatRequest, model string) (*outRequest, error) {
	w := &outRequest{}
	var system []outPart
	if req.System != "" {
		system = append(system, outPart{Text: req.System})
	}
	calls := map[string]string{} // tool call ID → function name, from earlier turns
	for i := range req.Messages {
		m := &req.Messages[i]
		switch m.Role {
		case gateway.RoleSystem:
			if t := m.Text(); t != "" {
				system = append(system, outPart{Text: t})
			}
		case gateway.RoleUser:
			parts, err := userParts(m.Parts)
			if err != nil {
				return nil, err
			}
			w.Contents = appendTurn(w.Contents, "user", parts)
		case gateway.RoleAssistant:
			parts, err := modelParts(m, calls)
			if err != nil {
				return nil, err
			}
			w.Contents = appendTurn(w.Contents, "model", parts)
		case gateway.RoleTool:
			part, err := toolResult(m, calls)
			if err != nil {
				return nil, err
			}
			w.Contents = appendTurn(w.Contents, "user", []outPart{part})
		default:
			return nil, errUnknownRole
		}
	}
	if len(w.Contents) == 0 {
		return nil, errNoContents
	}
	if len(system) > 0 {
		w.SystemInstruction = &outContent{Parts: system}
	}
	if len(req.Tools) > 0 {
		decls := make([]outFunctionDecl, len(req.Tools))
		for i, t := range req.Tools {
			decls[i] = outFunctionDecl{Name: t.Name, Description: t.Description, ParametersJSONSchema: t.Parameters}
		}
		w.Tools = []outTool{{FunctionDeclarations: decls}}
	}
	tc, err := toolConfig(req.ToolChoice)
	if err != nil {
		return nil, err
	}
	w.ToolConfig = tc
	gc, err := generationConfig(req, model)
	if err != nil {
		return nil, err
	}
	w.GenerationConfig = gc
	return w, nil
}

// appendTurn adds parts as a turn of role, joined to the previous turn
// when it has the same role: the function responses of one model turn
// must arrive together, in one turn.
func appendTurn(turns []outContent, role string, parts []outPart) []outContent {
	if len(parts) == 0 {
		return turns // Gemini refuses a turn without parts
	}
	if n := len(turns); n > 0 && turns[n-1].Role == role {
		turns[n-1].Parts = append(turns[n-1].Parts, parts...)
		return turns
	}
	return append(turns, outContent{Role: role, Parts: parts})
}

// userParts translates text and image parts. Empty text parts are left
// out: Gemini refuses a part with no data.
func userParts(in []gateway.Part) ([]outPart, error) {
	out := make([]outPart, 0, len(in))
	for i := range in {
		p := &in[i]
		switch p.Type {
		case gateway.PartText:
			if p.Text != "" {
				out = append(out, outPart{Text: p.Text})
			}
		case gateway.PartImage:
			part, err := imagePart(&p.Image)
			if err != nil {
				return nil, err
			}
			out = append(out, part)
		default:
			return nil, errUnknownParts
		}
	}
	return out, nil
}

// imagePart sends inline data as inlineData, and a URL as fileData: gs://
// objects (Vertex AI) and https URLs, which Google fetches. Anything else
// (http, data: URLs) is refused.
func imagePart(im *gateway.Image) (outPart, error) {
	if im.Data != "" {
		return outPart{InlineData: &outBlob{MimeType: im.MediaType, Data: im.Data}}, nil
	}
	lower := strings.ToLower(im.URL)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "gs://") {
		return outPart{}, errImageURL
	}
	mt := im.MediaType
	if mt == "" {
		mt = imageType(im.URL)
	}
	return outPart{FileData: &outFileData{MimeType: mt, FileURI: im.URL}}, nil
}

// imageType guesses an image's media type from its URL's extension, or
// returns "" to let Google work it out.
func imageType(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	switch strings.ToLower(path.Ext(u)) {
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".webp":
		return "image/webp"
	case ".gif":
		return "image/gif"
	case ".heic":
		return "image/heic"
	case ".heif":
		return "image/heif"
	}
	return ""
}

// modelParts translates an assistant message: its text, then its tool
// calls as functionCall parts, the first of which carries the dummy
// thought signature (see dummySignature). It records each call's name
// under its ID, for the tool results that follow.
func modelParts(m *gateway.Message, calls map[string]string) ([]outPart, error) {
	var out []outPart
	if t := m.Text(); t != "" {
		out = append(out, outPart{Text: t})
	}
	for i, tc := range m.ToolCalls {
		args, err := objectArgs(tc.Arguments)
		if err != nil {
			return nil, err
		}
		part := outPart{FunctionCall: &outFunctionCall{Name: tc.Name, Args: args}}
		if i == 0 {
			part.ThoughtSignature = dummySignature
		}
		out = append(out, part)
		if tc.ID != "" {
			calls[tc.ID] = tc.Name
		}
	}
	return out, nil
}

// objectArgs returns a call's arguments as a JSON object: empty means
// {}, anything but an object is refused.
func objectArgs(s string) (json.RawMessage, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return json.RawMessage("{}"), nil
	}
	if s[0] != '{' || !json.Valid([]byte(s)) {
		return nil, errToolArgs
	}
	return json.RawMessage(s), nil
}

// toolResult translates a tool message into a functionResponse part,
// named after the call it answers: Gemini matches responses to calls by
// name (and order), not by ID. The text is sent as {"result": value} when
// it is JSON, {"result": "text"} otherwise.
func toolResult(m *gateway.Message, calls map[string]string) (outPart, error) {
	name, ok := calls[m.ToolCallID]
	if !ok {
		return outPart{}, errToolResult
	}
	for _, p := range m.Parts {
		if p.Type != gateway.PartText {
			return outPart{}, errToolPart
		}
	}
	text := m.Text()
	var result json.RawMessage
	if t := strings.TrimSpace(text); t != "" && json.Valid([]byte(t)) {
		result = json.RawMessage(t)
	} else {
		result, _ = json.Marshal(text) // a string always marshals
	}
	return outPart{FunctionResponse: &outFunctionResponse{Name: name, Response: functionResult{Result: result}}}, nil
}

// toolConfig maps the tool choice: required is ANY, a named tool is ANY
// restricted to that name.
func toolConfig(tc gateway.ToolChoice) (*outToolConfig, error) {
	var fc outFunctionCalling
	switch tc.Mode {
	case "":
		return nil, nil
	case gateway.ToolChoiceAuto:
		fc.Mode = "AUTO"
	case gateway.ToolChoiceNone:
		fc.Mode = "NONE"
	case gateway.ToolChoiceRequired:
		fc.Mode = "ANY"
	case gateway.ToolChoiceTool:
		if tc.Name == "" {
			return nil, errToolChoice
		}
		fc.Mode, fc.AllowedFunctionNames = "ANY", []string{tc.Name}
	default:
		return nil, errToolChoice
	}
	return &outToolConfig{FunctionCallingConfig: fc}, nil
}

// generationConfig gathers the sampling and output settings; nil when
// none is set.
func generationConfig(req *gateway.ChatRequest, model string) (*outGenConfig, error) {
	g := outGenConfig{
		Temperature: req.Temperature, TopP: req.TopP,
		PresencePenalty: req.PresencePenalty, FrequencyPenalty: req.FrequencyPenalty,
		MaxOutputTokens: max(req.MaxTokens, 0), StopSequences: req.Stop,
		ThinkingConfig: thinking(req.ReasoningEffort, model),
	}
	if req.Seed != nil {
		if *req.Seed < math.MinInt32 || *req.Seed > math.MaxInt32 {
			return nil, errSeed
		}
		s := int32(*req.Seed)
		g.Seed = &s
	}
	switch req.ResponseFormat.Type {
	case gateway.FormatJSONObject:
		g.ResponseMimeType = "application/json"
	case gateway.FormatJSONSchema:
		g.ResponseMimeType = "application/json"
		g.ResponseJSONSchema = req.ResponseFormat.Schema
	}
	if g.isZero() {
		return nil, nil
	}
	return &g, nil
}

func (g *outGenConfig) isZero() bool {
	return g.Temperature == nil && g.TopP == nil && g.PresencePenalty == nil && g.FrequencyPenalty == nil &&
		g.MaxOutputTokens == 0 && len(g.StopSequences) == 0 && g.Seed == nil && g.ResponseMimeType == "" &&
		g.ThinkingConfig == nil
}

// Thinking budgets for Gemini 2.5, per reasoning effort: Google's own
// OpenAI-compatible endpoint uses 1K, 8K and 24K for low, medium and high.
var thinkingBudgets = map[string]int{"none": 0, "minimal": 512, "low": 1024, "medium": 8192, "high": 24576}

// Thinking levels for Gemini 3 and later.
var thinkingLevels = map[string]string{"none": "MINIMAL", "minimal": "MINIMAL", "low": "LOW", "medium": "MEDIUM", "high": "HIGH", "xhigh": "HIGH"}

// thinking maps a reasoning effort to the model family's setting: a
// token budget for Gemini 2.5, a level for Gemini 3 and later, nothing
// for models that do not think (earlier Gemini, Gemma, embeddings) or an
// effort with no equivalent.
func thinking(effort, model string) *outThinking {
	if effort == "" {
		return nil
	}
	major, ok := geminiMajor(model)
	switch {
	case !ok:
		return nil
	case strings.HasPrefix(model, "gemini-2.5"):
		if b, ok := thinkingBudgets[effort]; ok {
			return &outThinking{ThinkingBudget: &b}
		}
	case major >= 3:
		if l, ok := thinkingLevels[effort]; ok {
			return &outThinking{ThinkingLevel: l}
		}
	}
	return nil
}

// geminiMajor returns N for a model named "gemini-N…".
func geminiMajor(model string) (int, bool) {
	rest, ok := strings.CutPrefix(model, "gemini-")
	if !ok {
		return 0, false
	}
	n, digits := 0, 0
	for digits < len(rest) && digits < 4 && rest[digits] >= '0' && rest[digits] <= '9' {
		n = n*10 + int(rest[digits]-'0')
		digits++
	}
	return n, digits > 0
}
