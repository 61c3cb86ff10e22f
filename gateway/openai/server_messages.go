package openai

import (
	"strconv"
	"strings"

	"github.com/quirehq/quire/gateway"
)

func (in *chatIn) checkMessages(req *gateway.ChatRequest) error {
	switch {
	case in.messages == nil:
		return missing("messages")
	case len(in.messages) == 0:
		return badValue("messages", "expected at least one message.")
	}
	req.Messages = make([]gateway.Message, len(in.messages))
	for i := range in.messages {
		p := "messages[" + strconv.Itoa(i) + "]"
		if err := in.messages[i].canonical(p, &req.Messages[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *inMessage) canonical(p string, out *gateway.Message) error {
	var err error
	switch m.Role {
	case "system", "developer":
		out.Role = gateway.RoleSystem
		out.Parts, err = m.Content.parts(p+".content", true, false)
	case "user":
		out.Role = gateway.RoleUser
		out.Parts, err = m.Content.parts(p+".content", true, true)
	case "assistant":
		out.Role = gateway.RoleAssistant
		if out.Parts, err = m.Content.parts(p+".content", false, false); err == nil {
			out.ToolCalls, err = toolCalls(p+".tool_calls", m.ToolCalls.list)
		}
		if err == nil && len(out.Parts) == 0 && len(out.ToolCalls) == 0 {
			err = missing(p + ".content")
		}
	case "tool":
		out.Role = gateway.RoleTool
		switch {
		case m.ToolCallID == nil:
			return missing(p + ".tool_call_id")
		case *m.ToolCallID == "" || len(*m.ToolCallID) > maxIDLen:
			return badValue(p+".tool_call_id", "expected a tool call ID.")
		}
		out.ToolCallID = *m.ToolCallID
		out.Parts, err = m.Content.parts(p+".content", true, false)
	case "":
		return missing(p + ".role")
	default:
		return badValue(p+".role", "supported roles are system, developer, user, assistant and tool.")
	}
	if err == nil && m.Role != "assistant" && len(m.ToolCalls.list) > 0 {
		err = invalid("unsupported_parameter", p+".tool_calls", "Only assistant messages may have tool calls.")
	}
	return err
}

// parts converts content. required: content must be present; images:
// image parts are allowed (user messages only).
func (c *inContent) parts(p string, required, images bool) ([]gateway.Part, error) {
	switch {
	case c.badType:
		return nil, invalid("invalid_type", p, "Invalid type for '"+p+"': expected a string or an array of content parts of the right shape.")
	case !c.present && required:
		return nil, missing(p)
	case c.text != nil:
		if *c.text == "" {
			return nil, nil
		}
		return []gateway.Part{{Type: gateway.PartText, Text: *c.text}}, nil
	}
	var out []gateway.Part
	for i := range c.list {
		pp := p + "[" + strconv.Itoa(i) + "]"
		part, err := c.list[i].canonical(pp, images)
		if err != nil {
			return nil, err
		}
		out = append(out, part)
	}
	return out, nil
}

func (ip *inPart) canonical(p string, images bool) (gateway.Part, error) {
	switch {
	case ip.Type == "text" && ip.Text != nil:
		return gateway.Part{Type: gateway.PartText, Text: *ip.Text}, nil
	case ip.Type == "text":
		return gateway.Part{}, missing(p + ".text")
	case ip.Type == "refusal" && ip.Refusal != nil && !images:
		return gateway.Part{Type: gateway.PartText, Text: *ip.Refusal}, nil
	case ip.Type == "image_url" && images:
		if ip.ImageURL == nil {
			return gateway.Part{}, missing(p + ".image_url")
		}
		im, err := parseImage(p+".image_url", ip.ImageURL.URL, ip.ImageURL.Detail)
		return gateway.Part{Type: gateway.PartImage, Image: im}, err
	case ip.Type == "":
		return gateway.Part{}, missing(p + ".type")
	}
	return gateway.Part{}, invalid("unsupported_content_type", p+".type", "This content part type is not supported here.")
}

// imageTypes are the image media types vendors accept inline.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// parseImage accepts an https URL or a base64 data URL of a known image
// type, and a known detail level.
func parseImage(p, u, detail string) (gateway.Image, error) {
	switch detail {
	case "", "auto", "low", "high":
	default:
		return gateway.Image{}, badValue(p+".detail", "expected auto, low or high.")
	}
	if rest, ok := strings.CutPrefix(u, "data:"); ok {
		meta, data, ok := strings.Cut(rest, ",")
		mt, isB64 := strings.CutSuffix(meta, ";base64")
		mt = strings.ToLower(mt)
		if !ok || !isB64 || !imageTypes[mt] || !validBase64(data) {
			return gateway.Image{}, badValue(p+".url", "expected a base64 data URL of a PNG, JPEG, GIF or WebP image.")
		}
		return gateway.Image{Data: data, MediaType: mt, Detail: detail}, nil
	}
	if !strings.HasPrefix(strings.ToLower(u), "https://") || len(u) > 8192 || !printable(u) || strings.ContainsAny(u, " \\") {
		return gateway.Image{}, badValue(p+".url", "expected an https URL or a base64 data URL.")
	}
	return gateway.Image{URL: u, Detail: detail}, nil
}

// validBase64 checks standard base64 without decoding (and so without
// allocating): alphabet, padding only at the end, length a multiple of 4.
func validBase64(s string) bool {
	if len(s) == 0 || len(s)%4 != 0 {
		return false
	}
	pad := len(s) - len(strings.TrimRight(s, "="))
	if pad > 2 {
		return false
	}
	for i := 0; i < len(s)-pad; i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

func toolCalls(p string, in []inToolCall) ([]gateway.ToolCall, error) {
	var out []gateway.ToolCall
	for i, tc := range in {
		pp := p + "[" + strconv.Itoa(i) + "]"
		switch {
		case tc.Type != "function":
			return nil, invalid("unsupported_tool_type", pp+".type", "Only function tool calls are supported.")
		case tc.ID == "" || len(tc.ID) > maxIDLen:
			return nil, badValue(pp+".id", "expected a tool call ID.")
		case tc.Function == nil:
			return nil, missing(pp + ".function")
		case !validName(tc.Function.Name):
			return nil, badValue(pp+".function.name", "expected 1 to 64 letters, digits, '_' or '-'.")
		}
		out = append(out, gateway.ToolCall{ID: tc.ID, Name: tc.Function.Name, Arguments: tc.Function.Arguments})
	}
	return out, nil
}

// validName reports whether s is a valid function or schema name.
func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
