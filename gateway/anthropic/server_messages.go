package anthropic

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/quirehq/quire/gateway"
)

// checkMessages converts the turns. A user turn becomes a user message
// for its text and images and one RoleTool message per tool_result, in
// order; an assistant turn becomes one assistant message with its text and
// tool calls. Thinking blocks (replayed from earlier turns) are dropped:
// the gateway does not ask for thinking. Turns left with no content are
// dropped.
func (in *messagesIn) checkMessages(req *gateway.ChatRequest) error {
	switch {
	case in.messages == nil:
		return missing("messages")
	case len(in.messages) == 0:
		return invalid("messages", "at least one message is required.")
	}
	for i := range in.messages {
		m := &in.messages[i]
		p := "messages." + strconv.Itoa(i)
		switch {
		case m.Role == "":
			return missing(p + ".role")
		case m.Role != "user" && m.Role != "assistant":
			return invalid(p+".role", "expected user or assistant.")
		case m.Content.badType:
			return invalid(p+".content", "expected a string or an array of content blocks.")
		case !m.Content.present:
			return missing(p + ".content")
		}
		var err error
		if m.Role == "user" {
			req.Messages, err = userMessages(p+".content", &m.Content, req.Messages)
		} else {
			req.Messages, err = assistantMessage(p+".content", &m.Content, req.Messages)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// userMessages appends the messages of a user turn to out.
func userMessages(p string, c *inContent, out []gateway.Message) ([]gateway.Message, error) {
	if c.text != nil {
		if *c.text != "" {
			out = append(out, gateway.TextMessage(gateway.RoleUser, *c.text))
		}
		return out, nil
	}
	var parts []gateway.Part
	flush := func() {
		if len(parts) > 0 {
			out = append(out, gateway.Message{Role: gateway.RoleUser, Parts: parts})
			parts = nil
		}
	}
	for i := range c.list {
		b := &c.list[i]
		bp := p + "." + strconv.Itoa(i)
		switch b.Type {
		case "text", "image":
			part, ok, err := partOf(bp, b.Type, b.Text, b.Source)
			if err != nil {
				return nil, err
			}
			if ok {
				parts = append(parts, part)
			}
		case "tool_result":
			msg, err := toolResult(bp, b)
			if err != nil {
				return nil, err
			}
			flush()
			out = append(out, msg)
		case "":
			return nil, missing(bp + ".type")
		case "tool_use", "thinking", "redacted_thinking":
			return nil, invalid(bp+".type", "only assistant messages may hold this block type.")
		default:
			return nil, invalid(bp+".type", "this content block type is not supported.")
		}
	}
	flush()
	return out, nil
}

// toolResult converts a tool_result block. Its is_error flag has no
// canonical field and is dropped: the result's text says what failed.
func toolResult(p string, b *inBlock) (gateway.Message, error) {
	msg := gateway.Message{Role: gateway.RoleTool}
	switch {
	case b.ToolUseID == nil:
		return msg, missing(p + ".tool_use_id")
	case *b.ToolUseID == "" || len(*b.ToolUseID) > maxIDLen || !printable(*b.ToolUseID):
		return msg, invalid(p+".tool_use_id", "expected a tool use ID.")
	case b.Content.badType:
		return msg, invalid(p+".content", "expected a string or an array of content blocks.")
	}
	msg.ToolCallID = *b.ToolUseID
	if b.Content.text != nil {
		if *b.Content.text != "" {
			msg.Parts = []gateway.Part{{Type: gateway.PartText, Text: *b.Content.text}}
		}
		return msg, nil
	}
	for i := range b.Content.list {
		rb := &b.Content.list[i]
		bp := p + ".content." + strconv.Itoa(i)
		switch rb.Type {
		case "text", "image":
			part, ok, err := partOf(bp, rb.Type, rb.Text, rb.Source)
			if err != nil {
				return msg, err
			}
			if ok {
				msg.Parts = append(msg.Parts, part)
			}
		case "":
			return msg, missing(bp + ".type")
		default:
			return msg, invalid(bp+".type", "tool results may hold only text and images.")
		}
	}
	return msg, nil
}

// assistantMessage appends the message of an assistant turn to out.
func assistantMessage(p string, c *inContent, out []gateway.Message) ([]gateway.Message, error) {
	msg := gateway.Message{Role: gateway.RoleAssistant}
	if c.text != nil {
		if *c.text != "" {
			msg.Parts = []gateway.Part{{Type: gateway.PartText, Text: *c.text}}
		}
	}
	for i := range c.list {
		b := &c.list[i]
		bp := p + "." + strconv.Itoa(i)
		switch b.Type {
		case "text":
			part, ok, err := partOf(bp, b.Type, b.Text, nil)
			if err != nil {
				return nil, err
			}
			if ok {
				msg.Parts = append(msg.Parts, part)
			}
		case "tool_use":
			tc, err := toolUse(bp, b)
			if err != nil {
				return nil, err
			}
			msg.ToolCalls = append(msg.ToolCalls, tc)
		case "thinking", "redacted_thinking":
		case "":
			return nil, missing(bp + ".type")
		case "image", "tool_result":
			return nil, invalid(bp+".type", "only user messages may hold this block type.")
		default:
			return nil, invalid(bp+".type", "this content block type is not supported.")
		}
	}
	if len(msg.Parts) == 0 && len(msg.ToolCalls) == 0 {
		return out, nil
	}
	return append(out, msg), nil
}

// toolUse converts a tool_use block; its input, an object, becomes the
// call's arguments as compact JSON.
func toolUse(p string, b *inBlock) (gateway.ToolCall, error) {
	switch {
	case b.ID == nil:
		return gateway.ToolCall{}, missing(p + ".id")
	case *b.ID == "" || len(*b.ID) > maxIDLen || !printable(*b.ID):
		return gateway.ToolCall{}, invalid(p+".id", "expected a tool use ID.")
	case b.Name == nil:
		return gateway.ToolCall{}, missing(p + ".name")
	case !validName(*b.Name):
		return gateway.ToolCall{}, invalid(p+".name", "expected 1 to 64 letters, digits, '_' or '-'.")
	case isNull(b.Input):
		return gateway.ToolCall{}, missing(p + ".input")
	case !isObject(b.Input):
		return gateway.ToolCall{}, invalid(p+".input", "expected an object.")
	case depth(b.Input) > maxInputDepth:
		return gateway.ToolCall{}, invalid(p+".input", "the input is nested too deeply.")
	}
	var args bytes.Buffer
	if err := json.Compact(&args, b.Input); err != nil {
		return gateway.ToolCall{}, invalid(p+".input", "expected an object.")
	}
	return gateway.ToolCall{ID: *b.ID, Name: *b.Name, Arguments: args.String()}, nil
}

// partOf converts a text or image block; ok is false for empty text,
// which carries nothing (and which the API refuses).
func partOf(p, typ string, text *string, src *inSource) (gateway.Part, bool, error) {
	if typ == "text" {
		switch {
		case text == nil:
			return gateway.Part{}, false, missing(p + ".text")
		case *text == "":
			return gateway.Part{}, false, nil
		}
		return gateway.Part{Type: gateway.PartText, Text: *text}, true, nil
	}
	if src == nil {
		return gateway.Part{}, false, missing(p + ".source")
	}
	im, err := imageOf(p+".source", src)
	return gateway.Part{Type: gateway.PartImage, Image: im}, err == nil, err
}

// imageTypes are the image media types Anthropic accepts inline.
var imageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// imageOf accepts base64 data of a known image type, or an https URL.
func imageOf(p string, src *inSource) (gateway.Image, error) {
	switch src.Type {
	case "base64":
		mt := strings.ToLower(src.MediaType)
		switch {
		case !imageTypes[mt]:
			return gateway.Image{}, invalid(p+".media_type", "expected image/png, image/jpeg, image/gif or image/webp.")
		case src.Data == nil:
			return gateway.Image{}, missing(p + ".data")
		case !validBase64(*src.Data):
			return gateway.Image{}, invalid(p+".data", "expected standard base64.")
		}
		return gateway.Image{Data: *src.Data, MediaType: mt}, nil
	case "url":
		switch {
		case src.URL == nil:
			return gateway.Image{}, missing(p + ".url")
		case !strings.HasPrefix(strings.ToLower(*src.URL), "https://") || len(*src.URL) > 8192 || !printable(*src.URL) || strings.ContainsAny(*src.URL, " \\"):
			return gateway.Image{}, invalid(p+".url", "expected an https URL.")
		}
		return gateway.Image{URL: *src.URL}, nil
	case "":
		return gateway.Image{}, missing(p + ".type")
	}
	return gateway.Image{}, invalid(p+".type", "only base64 and url image sources are supported.")
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
