package jsonarray

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// seeds are arrays that exercise Each's scanner: strings holding
// delimiters and escapes, nesting, whitespace, and values that are not
// arrays.
var seeds = []string{
	`[]`, `[ ]`, `[1]`, `[1,2,3]`, ` [ 1 , "a" ] `, "[\n\t1\r\n]",
	`["a,b",{"x":[1,2]},[]]`, `["\"],[", "\\", "\\\""]`, `[[[]],[{}],{"a":{"b":[]}}]`,
	`["\u005d","é"]`, `[null,true,false,-0.5e+10]`, `{"a":[1]}`, `"[1]"`, `null`, `[1,`, `[1]x`,
}

// FuzzEach checks Each, and Unmarshal over it, against encoding/json: for
// every valid JSON array they see the same elements, with the same bytes
// (Each keeps the whitespace after an element, which encoding/json
// drops), and Unmarshal is refused at exactly its cap. On other input
// they must not panic.
func FuzzEach(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var got [][]byte
		each := Each(b, func(elem []byte) error {
			got = append(got, elem)
			return nil
		})
		var list []json.RawMessage
		_ = Unmarshal(b, 4, &list)
		var want []json.RawMessage
		if json.Unmarshal(b, &want) != nil || want == nil {
			return // not an array: Each's contract does not hold
		}
		if each != nil {
			t.Fatalf("Each: %v", each)
		}
		if len(got) != len(want) {
			t.Fatalf("Each saw %d elements, encoding/json %d", len(got), len(want))
		}
		for i := range got {
			if e := bytes.TrimRight(got[i], " \t\r\n"); !bytes.Equal(e, want[i]) {
				t.Fatalf("element %d: Each %q, encoding/json %q", i, got[i], want[i])
			}
		}
		if b[0] != '[' {
			return // Unmarshal takes the bytes encoding/json gives an UnmarshalJSON method, which start with the value
		}
		list = nil
		if err := Unmarshal(b, len(want), &list); err != nil || len(list) != len(want) {
			t.Fatalf("Unmarshal at the cap: %d elements, %v", len(list), err)
		}
		for i := range list {
			if !bytes.Equal(list[i], want[i]) {
				t.Fatalf("Unmarshal element %d: %q, encoding/json %q", i, list[i], want[i])
			}
		}
		if len(want) > 0 {
			list = nil
			if err := Unmarshal(b, len(want)-1, &list); err != ErrTooMany || list != nil {
				t.Fatalf("Unmarshal past the cap: %v", err)
			}
		}
	})
}

// FuzzDecode checks Decode against encoding/json: a body that
// encoding/json decodes as an array is decoded to the same elements, and
// refused one past its cap; no body makes it panic.
func FuzzDecode(f *testing.F) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var list []json.RawMessage
		err := Decode(json.NewDecoder(bytes.NewReader(b)), 4, &list, nil)
		var want []json.RawMessage
		if json.Unmarshal(b, &want) != nil || want == nil {
			return
		}
		switch {
		case len(want) <= 4 && err != nil:
			t.Fatalf("Decode: %v", err)
		case len(want) > 4 && !errors.Is(err, ErrTooMany):
			t.Fatalf("Decode of %d elements: %v", len(want), err)
		}
		list = nil
		if err := Decode(json.NewDecoder(bytes.NewReader(b)), len(want), &list, nil); err != nil || len(list) != len(want) {
			t.Fatalf("Decode at the cap: %d elements, %v", len(list), err)
		}
		for i := range list {
			if !bytes.Equal(list[i], want[i]) {
				t.Fatalf("element %d: Decode %q, encoding/json %q", i, list[i], want[i])
			}
		}
	})
}
