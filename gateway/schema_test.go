package gateway

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestCheckSchema(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name   string
		schema string
		want   error
	}{
		{"plain", `{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}}}}`, nil},
		{"at the depth limit", deep(MaxSchemaDepth), nil},
		{"too deep", deep(MaxSchemaDepth + 1), ErrSchemaTooDeep},
		{"brackets in strings do not count", `{"description":"` + strings.Repeat("[{", 200) + `\"[{"}`, nil},
		{"too large", `{"description":"` + strings.Repeat("x", MaxSchemaBytes) + `"}`, ErrSchemaTooLarge},
	}
	for _, tt := range tests {
		if err := CheckSchema(json.RawMessage(tt.schema)); !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
			t.Errorf("%s: got %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestMapStrings(t *testing.T) {
	in := `{"type": "object", "description": "Find notes about Ana", "properties": {"Ana": {"type": "string", "enum": ["Ana", "Bo\u00e9", "<b>"], "default": null}, "n": {"type": "integer", "maximum": 1e400, "minimum": -0.0}}, "required": ["Ana"], "additionalProperties": false, "x": [[], {}, true]}`
	var seen []string
	got, err := MapStrings(json.RawMessage(in), func(s string) string {
		seen = append(seen, s)
		return strings.ReplaceAll(s, "Ana", "[PERSON_1]")
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"type":"object","description":"Find notes about [PERSON_1]","properties":{"Ana":{"type":"string","enum":["[PERSON_1]","Boé","\u003cb\u003e"],"default":null},"n":{"type":"integer","maximum":1e400,"minimum":-0.0}},"required":["[PERSON_1]"],"additionalProperties":false,"x":[[],{},true]}`
	if string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	wantSeen := []string{"object", "Find notes about Ana", "string", "Ana", "Boé", "<b>", "integer", "Ana"}
	if !reflect.DeepEqual(seen, wantSeen) {
		t.Fatalf("fn saw %q, want only the string values %q", seen, wantSeen)
	}
	for _, bad := range []string{``, `{`, `{"a":1}{}`, `{"a" 1}`, `[1,]`, `{1:2}`, `"a" "b"`, `{"a":CANARY}`} {
		out, err := MapStrings(json.RawMessage(bad), func(s string) string { return s })
		if err == nil || out != nil || strings.Contains(err.Error(), "CANARY") {
			t.Errorf("%q: got %s, %v", bad, out, err)
		}
	}
	for in, want := range map[string]string{`"s"`: `"S"`, ` 12 `: `12`, `null`: `null`, `true`: `true`} {
		if out, err := MapStrings(json.RawMessage(in), strings.ToUpper); err != nil || string(out) != want {
			t.Errorf("%s: got %s, %v; want %s", in, out, err, want)
		}
	}
}

// FuzzMapStrings: for any input that is one JSON value, the identity
// mapping yields JSON equal to the input; anything else is refused.
func FuzzMapStrings(f *testing.F) {
	for _, s := range []string{`{"a":["b",1,null,true,{"c":"d"}]}`, `"x"`, `[]`, `{"a":1}{}`, `[1,`, `{"\u0041":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out, err := MapStrings(raw, func(s string) string { return s })
		var want any
		valid := json.Unmarshal(raw, &want) == nil
		if err != nil {
			if valid {
				t.Fatalf("valid JSON %q refused: %v", raw, err)
			}
			return
		}
		if !valid {
			t.Fatalf("invalid JSON %q accepted as %s", raw, out)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q became %s (%v)", raw, out, err)
		}
	})
}
