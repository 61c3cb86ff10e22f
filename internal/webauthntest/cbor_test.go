package webauthntest

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"testing"
)

// TestCBOREncoder checks the encoder against the examples of RFC 8949
// Appendix A that it can express.
func TestCBOREncoder(t *testing.T) {
	cases := []struct {
		got  []byte
		want string
	}{
		{cborInt(0), "00"}, {cborInt(1), "01"}, {cborInt(10), "0a"}, {cborInt(23), "17"},
		{cborInt(24), "1818"}, {cborInt(25), "1819"}, {cborInt(100), "1864"},
		{cborInt(1000), "1903e8"}, {cborInt(1000000), "1a000f4240"},
		{cborInt(1000000000000), "1b000000e8d4a51000"},
		{cborInt(math.MaxInt64), "1b7fffffffffffffff"},
		{cborInt(-1), "20"}, {cborInt(-10), "29"}, {cborInt(-100), "3863"}, {cborInt(-1000), "3903e7"},
		{cborBytes(nil), "40"}, {cborBytes([]byte{1, 2, 3, 4}), "4401020304"},
		{cborText(""), "60"}, {cborText("a"), "6161"}, {cborText("IETF"), "6449455446"},
		{cborText("\"\\"), "62225c"}, {cborText("ü"), "62c3bc"}, {cborText("水"), "63e6b0b4"},
		{cborMap(), "a0"},
		{cborMap(cborInt(1), cborInt(2), cborInt(3), cborInt(4)), "a201020304"},
		{cborMap(
			cborText("a"), cborText("A"), cborText("b"), cborText("B"), cborText("c"), cborText("C"),
			cborText("d"), cborText("D"), cborText("e"), cborText("E"),
		), "a56161614161626142616361436164614461656145"},
	}
	for _, c := range cases {
		if got := hex.EncodeToString(c.got); got != c.want {
			t.Errorf("got %s, want %s", got, c.want)
		}
	}
}

// TestCBORMapOddPanics checks that a key without a value is a programming
// error, not a map with a missing entry.
func TestCBORMapOddPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("cborMap with a key and no value did not panic")
		}
	}()
	//lint:ignore SA5012 a key without its value, on purpose: the panic is what is tested
	cborMap(cborInt(1))
}

// FuzzCBORRoundTrip checks that what the encoder writes decodes to the
// values it was given, with nothing left over.
func FuzzCBORRoundTrip(f *testing.F) {
	f.Add(int64(0), []byte{}, "")
	f.Add(int64(-7), []byte{1, 2, 3}, "authData")
	f.Add(int64(math.MinInt64), bytes.Repeat([]byte{0xff}, 300), "水")
	f.Add(int64(math.MaxInt64), bytes.Repeat([]byte{0}, 70000), "IETF")
	f.Fuzz(func(t *testing.T, i int64, b []byte, s string) {
		enc := cborMap(cborInt(i), cborBytes(b), cborText(s), cborMap(cborInt(i), cborInt(-1-i)))
		got, rest, err := cborDecode(enc)
		if err != nil || len(rest) != 0 {
			t.Fatalf("decode %x: %v, %d bytes left", enc, err, len(rest))
		}
		if b == nil {
			b = []byte{}
		}
		want := []cborPair{{i, b}, {s, []cborPair{{i, -1 - i}}}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("decoded %#v, want %#v", got, want)
		}
	})
}
