package openai

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"unicode/utf8"

	"github.com/quirehq/quire/gateway"
)

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. It escapes what JSON requires,
// plus U+2028 and U+2029 (line breaks to JavaScript), and replaces invalid
// UTF-8 with U+FFFD, as encoding/json does, so its output always parses.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case utf8.RuneError:
				b = append(b, `\ufffd`...)
			default:
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(append(b, s[start:]...), '"')
}

// wireContent is message content: null (no parts), a string (one text
// part), or an array of text and image_url parts.
type wireContent []gateway.Part

// MarshalJSON implements json.Marshaler.
func (c wireContent) MarshalJSON() ([]byte, error) {
	if len(c) == 0 {
		return []byte("null"), nil
	}
	if len(c) == 1 && c[0].Type == gateway.PartText {
		return appendString(nil, c[0].Text), nil
	}
	b := []byte{'['}
	for i, p := range c {
		if i > 0 {
			b = append(b, ',')
		}
		switch p.Type {
		case gateway.PartText:
			b = append(b, `{"type":"text","text":`...)
			b = append(appendString(b, p.Text), '}')
		case gateway.PartImage:
			b = append(b, `{"type":"image_url","image_url":{"url":`...)
			b = appendImageURL(b, &p.Image)
			if p.Image.Detail != "" {
				b = appendString(append(b, `,"detail":`...), p.Image.Detail)
			}
			b = append(b, '}', '}')
		default:
			return nil, gateway.ErrUnsupported
		}
	}
	return append(b, ']'), nil
}

// appendImageURL appends the image's URL, or a data: URL of its bytes.
func appendImageURL(b []byte, im *gateway.Image) []byte {
	if im.Data == "" {
		return appendString(b, im.URL)
	}
	return appendString(b, "data:"+im.MediaType+";base64,"+im.Data)
}

// wireVector is an embedding, read from either encoding: a JSON array of
// numbers or a base64 string of little-endian float32 values.
type wireVector []float32

var errVector = errors.New("embedding is neither a number array nor base64 float32")

// UnmarshalJSON implements json.Unmarshaler.
func (v *wireVector) UnmarshalJSON(b []byte) error {
	if len(b) == 0 || b[0] != '"' {
		return json.Unmarshal(b, (*[]float32)(v))
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(raw)%4 != 0 {
		return errVector
	}
	out := make([]float32, len(raw)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	*v = out
	return nil
}

// appendBase64Vector appends v as a JSON string of base64 little-endian
// float32 values.
func appendBase64Vector(b []byte, v []float32) []byte {
	raw := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(f))
	}
	b = append(b, '"')
	b = base64.StdEncoding.AppendEncode(b, raw)
	return append(b, '"')
}
