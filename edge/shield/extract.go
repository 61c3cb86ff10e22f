package shield

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
)

// maxJSONDepth bounds the nesting followed in a JSON body (Coraza's
// recommended SecRequestBodyJsonDepthLimit).
const maxJSONDepth = 1024

// jsonArgs extracts the scalar values of a JSON document, complete or cut
// short, named as Coraza's JSON body processor names them: "json.a.b" for
// {"a":{"b":…}}, "json.a.0" for the first element of an array under "a".
// It stops at the first syntax error (where a cut body ends), after
// maxArgs values, or below maxJSONDepth.
func jsonArgs(data []byte) []arg {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := jsonWalker{dec: dec, path: []string{"json"}}
	_ = w.value()
	return w.args
}

type jsonWalker struct {
	dec  *json.Decoder
	path []string
	args []arg
}

// value reads one JSON value under the current path.
func (w *jsonWalker) value() error {
	if len(w.args) >= maxArgs || len(w.path) > maxJSONDepth {
		return errStop
	}
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return w.object()
		}
		return w.array()
	case string:
		w.emit(t)
	case json.Number:
		w.emit(t.String())
	case bool:
		w.emit(strconv.FormatBool(t))
	case nil:
		w.emit("")
	}
	return nil
}

func (w *jsonWalker) emit(v string) {
	w.args = append(w.args, arg{key: strings.Join(w.path, "."), value: v})
}

func (w *jsonWalker) object() error {
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		w.path = append(w.path, key)
		err = w.value()
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // '}'
	return err
}

func (w *jsonWalker) array() error {
	for i := 0; w.dec.More(); i++ {
		w.path = append(w.path, strconv.Itoa(i))
		err := w.value()
		w.path = w.path[:len(w.path)-1]
		if err != nil {
			return err
		}
	}
	_, err := w.dec.Token() // ']'
	return err
}

// multipartArgs extracts the fields of a multipart/form-data body,
// complete or cut short: a field's value (as much of it as data holds), a
// file part's file name under the field's name. File contents are not
// inspected. malformed reports a whole body that does not parse to its
// closing boundary (Coraza's strict multipart check refuses those too).
func multipartArgs(data []byte, boundary string, whole bool) (args []arg, malformed bool) {
	if boundary == "" {
		return nil, whole
	}
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	for len(args) < maxArgs {
		p, err := mr.NextRawPart()
		if err != nil {
			return args, whole && err != io.EOF
		}
		_, disp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		name := disp["name"]
		if fn, ok := disp["filename"]; ok {
			// The name as sent (Part.FileName would strip "../").
			args = append(args, arg{key: name, value: fn})
			continue
		}
		// Bounded: the whole body is at most body_limit bytes.
		v, err := io.ReadAll(p)
		args = append(args, arg{key: name, value: string(v)})
		if err != nil {
			return args, whole
		}
	}
	return args, false
}
