package openai

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"

	"github.com/quirehq/quire/gateway"
)

// maxEmbedInputs is OpenAI's own limit of inputs per request.
const maxEmbedInputs = 2048

// EmbedExtras carries what the client asked about the answer's shape.
type EmbedExtras struct {
	// Base64 is encoding_format "base64": vectors as base64 float32.
	Base64 bool
	// Dropped names dropped fields, as in ChatExtras.
	Dropped ChatExtras
}

type embedIn struct {
	seen       map[string]bool
	model      *string
	input      inputList
	dimensions *int64
	format     *string
}

// inputList is "input": a string, or an array of at most maxEmbedInputs
// strings, bounded while it is decoded.
type inputList struct {
	set  bool
	list []string
}

// UnmarshalJSON implements json.Unmarshaler; its errors are *APIError,
// which encoding/json passes through.
func (l *inputList) UnmarshalJSON(b []byte) error {
	unsupported := invalid("unsupported_value", "input", "Input must be a string or an array of strings; token arrays are not supported.")
	switch b[0] {
	case 'n':
		return nil
	case '"':
		var one string
		if json.Unmarshal(b, &one) != nil {
			return unsupported
		}
		l.list = []string{one}
	case '[':
		err := unmarshalArray(b, "input", maxEmbedInputs, "", &l.list)
		var ne *nestedError
		if errors.As(err, &ne) && ne.code == "invalid_value" {
			return badValue("input", "expected 1 to 2048 inputs.")
		}
		if err != nil {
			return unsupported
		}
	default:
		return unsupported
	}
	l.set = true
	return nil
}

// DecodeEmbedRequest reads an embeddings request of at most limit bytes
// (DefaultRequestLimit if 0). Input is a string or an array of strings;
// token arrays are refused. Errors are *APIError.
func DecodeEmbedRequest(r io.Reader, limit int64) (*gateway.EmbedRequest, *EmbedExtras, error) {
	if limit <= 0 {
		limit = DefaultRequestLimit
	}
	lr := &limitReader{r: r, n: limit}
	var (
		in embedIn
		x  EmbedExtras
	)
	err := eachField(json.NewDecoder(lr), func(dec *json.Decoder, key string) error {
		var target any
		switch key {
		case "model":
			target = &in.model
		case "input":
			target = &in.input
		case "dimensions":
			target = &in.dimensions
		case "encoding_format":
			target = &in.format
		default:
			x.Dropped.drop(key)
			return skipValue(dec)
		}
		if in.seen == nil {
			in.seen = map[string]bool{}
		}
		if in.seen[key] {
			return invalid("duplicate_parameter", key, "The parameter '"+key+"' appears more than once.")
		}
		in.seen[key] = true
		return decodeField(dec, key, target)
	})
	if lr.over || isMaxBytes(err) {
		return nil, nil, tooLarge()
	}
	if err != nil {
		return nil, nil, err
	}
	req, err := in.canonical(&x)
	if err != nil {
		return nil, nil, err
	}
	return req, &x, nil
}

func (in *embedIn) canonical(x *EmbedExtras) (*gateway.EmbedRequest, error) {
	req := &gateway.EmbedRequest{}
	switch {
	case in.model == nil:
		return nil, missing("model")
	case *in.model == "" || len(*in.model) > maxModelLen || !printable(*in.model):
		return nil, badValue("model", "expected a model ID.")
	case !in.input.set:
		return nil, missing("input")
	}
	req.Model = *in.model
	req.Inputs = in.input.list
	if len(req.Inputs) == 0 {
		return nil, badValue("input", "expected 1 to 2048 inputs.")
	}
	for i, s := range req.Inputs {
		if s == "" {
			return nil, badValue("input["+strconv.Itoa(i)+"]", "inputs must not be empty.")
		}
	}
	if in.dimensions != nil {
		if *in.dimensions < 1 || *in.dimensions > 1<<16 {
			return nil, badValue("dimensions", "expected a positive number.")
		}
		req.Dimensions = int(*in.dimensions)
	}
	if in.format != nil {
		switch *in.format {
		case "float":
		case "base64":
			x.Base64 = true
		default:
			return nil, badValue("encoding_format", "expected float or base64.")
		}
	}
	return req, nil
}

// WriteEmbedResponse writes an embeddings answer, vectors as JSON numbers
// or, with base64, as base64 float32 (what the SDKs decode).
func WriteEmbedResponse(w http.ResponseWriter, resp *gateway.EmbedResponse, base64 bool) error {
	b := append(make([]byte, 0, 64+len(resp.Vectors)*64), `{"object":"list","data":[`...)
	for i, v := range resp.Vectors {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(append(b, `{"object":"embedding","index":`...), int64(i), 10)
		b = append(b, `,"embedding":`...)
		if base64 {
			b = appendBase64Vector(b, v)
		} else {
			b = appendFloats(b, v)
		}
		b = append(b, '}')
	}
	b = appendString(append(b, `],"model":`...), resp.Model)
	b = strconv.AppendInt(append(b, `,"usage":{"prompt_tokens":`...), int64(resp.Usage.InputTokens), 10)
	b = strconv.AppendInt(append(b, `,"total_tokens":`...), int64(resp.Usage.InputTokens), 10)
	b = append(b, "}}\n"...)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(b)
	return err
}

// appendFloats appends v as a JSON array; values JSON cannot hold (NaN,
// infinities) become 0.
func appendFloats(b []byte, v []float32) []byte {
	b = append(b, '[')
	for i, f := range v {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			f = 0
		}
		b = strconv.AppendFloat(b, float64(f), 'g', -1, 32)
	}
	return append(b, ']')
}
