package jsonarray

import (
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

var errCheck = errors.New("refused by check")

func TestDecode(t *testing.T) {
	sentinel := []int{-1}
	tests := []struct {
		name  string
		in    string
		max   int
		check func(*int) error
		want  []int // the decoded list, when err is nil
		err   error // a sentinel, or nil
		index int   // for an *ElemError: the element's index (err is nil)
		elem  bool
	}{
		{name: "array", in: `[1,2,3]`, max: 3, want: []int{1, 2, 3}},
		{name: "whitespace", in: " [ 1 ,\n2\t,\r3 ] ", max: 3, want: []int{1, 2, 3}},
		{name: "empty", in: `[]`, max: 3, want: []int{}},
		{name: "null leaves out", in: `null`, max: 3, want: sentinel},
		{name: "one past the cap", in: `[1,2,3,4]`, max: 3, err: ErrTooMany},
		{name: "past the cap before decoding", in: `[1,2,3,"not an int"]`, max: 3, err: ErrTooMany},
		{name: "zero cap", in: `[1]`, max: 0, err: ErrTooMany},
		{name: "zero cap empty", in: `[]`, max: 0, want: []int{}},
		{name: "object", in: `{"a":1}`, max: 3, err: ErrNotArray},
		{name: "string", in: `"[1]"`, max: 3, err: ErrNotArray},
		{name: "number", in: `12`, max: 3, err: ErrNotArray},
		{name: "number out of range", in: `1e400`, max: 3, err: ErrNotArray},
		{name: "bad element", in: `[1,"x",3]`, max: 3, elem: true, index: 1},
		{name: "check refuses", in: `[1,2,3]`, max: 3, check: func(v *int) error {
			if *v == 3 {
				return errCheck
			}
			return nil
		}, elem: true, index: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := sentinel
			err := Decode(json.NewDecoder(strings.NewReader(tt.in)), tt.max, &out, tt.check)
			var ee *ElemError
			switch {
			case tt.elem:
				if !errors.As(err, &ee) || ee.Index != tt.index {
					t.Fatalf("got %v, want an *ElemError at %d", err, tt.index)
				}
				if tt.check != nil && !errors.Is(err, errCheck) {
					t.Fatalf("got %v, want the check's error", err)
				}
			case tt.err != nil:
				if err != tt.err {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(out, tt.want) || (out == nil) != (tt.want == nil) {
					t.Fatalf("got %v, want %v", out, tt.want)
				}
				return
			}
			if !slices.Equal(out, sentinel) {
				t.Fatalf("*out was set to %v on an error", out)
			}
		})
	}
}

// TestDecodeSyntax: a body that is not JSON is the decoder's error, not a
// sentinel; a read error is passed through.
func TestDecodeSyntax(t *testing.T) {
	for _, in := range []string{`[1,`, `[1 2]`, `[1,]`, `[`, `]`} {
		var out []int
		err := Decode(json.NewDecoder(strings.NewReader(in)), 8, &out, nil)
		if err == nil || errors.Is(err, ErrNotArray) || errors.Is(err, ErrTooMany) || out != nil {
			t.Errorf("%s: got %v, %v", in, out, err)
		}
	}
	var out []int
	r := io.MultiReader(strings.NewReader(`[1,`), errReader{io.ErrClosedPipe})
	if err := Decode(json.NewDecoder(r), 8, &out, nil); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("read error: got %v", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestDecodeLeavesTheRest: Decode reads exactly one array, so that the
// caller's decoder goes on with what follows it.
func TestDecodeLeavesTheRest(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(`[1,2] [3] "end"`))
	var a, b []int
	if err := Decode(dec, 2, &a, nil); err != nil {
		t.Fatal(err)
	}
	if err := Decode(dec, 2, &b, nil); err != nil {
		t.Fatal(err)
	}
	var end string
	if err := dec.Decode(&end); err != nil || end != "end" || !slices.Equal(a, []int{1, 2}) || !slices.Equal(b, []int{3}) {
		t.Fatalf("got %v %v %q, %v", a, b, end, err)
	}
}

// TestCapsBeforeDecoding: at element max+1 neither Decode nor Unmarshal
// has decoded, or checked, more than max elements, however long the
// array.
func TestCapsBeforeDecoding(t *testing.T) {
	const max = 5
	in := "[" + strings.Repeat("{},", 10_000) + "{}]"
	unmarshaled = 0
	checked := 0
	var out []tally
	err := Decode(json.NewDecoder(strings.NewReader(in)), max, &out, func(*tally) error {
		checked++
		return nil
	})
	if err != ErrTooMany || unmarshaled != max || checked != max || out != nil {
		t.Fatalf("Decode: %v after %d elements, %d checks", err, unmarshaled, checked)
	}
	unmarshaled = 0
	if err := Unmarshal([]byte(in), max, &out); err != ErrTooMany || unmarshaled != max || out != nil {
		t.Fatalf("Unmarshal: %v after %d elements", err, unmarshaled)
	}
}

// unmarshaled counts tally's decodes (the tests in this package do not
// run in parallel).
var unmarshaled int

// tally is an element that counts its decodes.
type tally struct{}

func (*tally) UnmarshalJSON([]byte) error {
	unmarshaled++
	return nil
}

func TestUnmarshal(t *testing.T) {
	sentinel := []string{"untouched"}
	tests := []struct {
		name  string
		in    string
		max   int
		want  []string
		err   error
		index int
		elem  bool
	}{
		{name: "array", in: `["a","b"]`, max: 2, want: []string{"a", "b"}},
		{name: "whitespace", in: "[ \"a\" ,\n\"b\"\t]", max: 2, want: []string{"a", "b"}},
		{name: "delimiters in strings", in: `["a,]}", "\"],[", "\\"]`, max: 3, want: []string{"a,]}", `"],[`, `\`}},
		{name: "empty", in: `[]`, max: 2, want: []string{}},
		{name: "null leaves out", in: `null`, max: 2, want: sentinel},
		{name: "one past the cap", in: `["a","b","c"]`, max: 2, err: ErrTooMany},
		{name: "past the cap before decoding", in: `["a","b",3]`, max: 2, err: ErrTooMany},
		{name: "object", in: `{"a":"b"}`, max: 2, err: ErrNotArray},
		{name: "string", in: `"[]"`, max: 2, err: ErrNotArray},
		{name: "empty input", in: ``, max: 2, err: ErrNotArray},
		{name: "bad element", in: `["a",{"b":1}]`, max: 2, elem: true, index: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := sentinel
			err := Unmarshal([]byte(tt.in), tt.max, &out)
			var ee *ElemError
			var ute *json.UnmarshalTypeError
			switch {
			case tt.elem:
				if !errors.As(err, &ee) || ee.Index != tt.index || !errors.As(err, &ute) {
					t.Fatalf("got %v, want an *ElemError at %d with the type error", err, tt.index)
				}
			case tt.err != nil:
				if err != tt.err {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(out, tt.want) {
					t.Fatalf("got %q, want %q", out, tt.want)
				}
				return
			}
			if !slices.Equal(out, sentinel) {
				t.Fatalf("*out was set to %q on an error", out)
			}
		})
	}
}

// TestUnmarshalNested: an element's own UnmarshalJSON may bound its
// nested arrays with Unmarshal, and its error comes back inside the
// outer element's *ElemError.
func TestUnmarshalNested(t *testing.T) {
	var out []inner
	err := Unmarshal([]byte(`[[1,2],[1,2,3]]`), 4, &out)
	var ee *ElemError
	if !errors.As(err, &ee) || ee.Index != 1 || !errors.Is(err, ErrTooMany) {
		t.Fatalf("got %v", err)
	}
	if err := Unmarshal([]byte(`[[1,2],[3]]`), 4, &out); err != nil || len(out) != 2 || !slices.Equal(out[0].list, []int{1, 2}) || !slices.Equal(out[1].list, []int{3}) {
		t.Fatalf("got %v, %v", out, err)
	}
}

// inner is an array of at most 2 ints.
type inner struct{ list []int }

func (v *inner) UnmarshalJSON(b []byte) error { return Unmarshal(b, 2, &v.list) }

func TestEach(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{`[]`, nil},
		{`[ ]`, nil},
		{"[\n]", nil},
		{`[1]`, []string{`1`}},
		{`[1,2]`, []string{`1`, `2`}},
		{`[ 1 , 2 ]`, []string{`1 `, `2 `}},
		{`[true,false,null]`, []string{`true`, `false`, `null`}},
		{`["a,b",{"x":[1,2]},[]]`, []string{`"a,b"`, `{"x":[1,2]}`, `[]`}},
		{`["\"],[",  "\\", "\\\""]`, []string{`"\"],["`, `"\\"`, `"\\\""`}},
		{`[[[]],[{}],{"a":{"b":[]}}]`, []string{`[[]]`, `[{}]`, `{"a":{"b":[]}}`}},
		{`["é","\u00e9"]`, []string{`"é"`, `"\u00e9"`}},
		{"  [1]  ", []string{`1`}},
	}
	for _, tt := range tests {
		var got []string
		err := Each([]byte(tt.in), func(elem []byte) error {
			got = append(got, string(elem))
			return nil
		})
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %q, %v, want %q", tt.in, got, err, tt.want)
		}
	}
}

// TestEachStops: fn's first error ends the scan and is returned.
func TestEachStops(t *testing.T) {
	calls := 0
	err := Each([]byte(`[1,2,3]`), func(elem []byte) error {
		calls++
		if string(elem) == "2" {
			return errCheck
		}
		return nil
	})
	if err != errCheck || calls != 2 {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

func TestElemError(t *testing.T) {
	err := error(&ElemError{Index: 12, Err: errCheck})
	if err.Error() != "element 12: refused by check" || !errors.Is(err, errCheck) {
		t.Fatalf("got %q", err)
	}
}
