package quire_test

import (
	"bytes"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// fullUsage sets every field of a record to a distinct non-zero value.
func fullUsage() *quire.AIUsage {
	return &quire.AIUsage{ID: quire.NewID(), UserID: quire.NewID(), WorkspaceID: quire.NewID(),
		At: time.Date(2026, 3, 4, 5, 6, 7, 8000, time.UTC), Op: "stream", Provider: "openai-eu", Kind: "openai",
		Model: "gpt-4.1-mini-2025-04-14", Alias: "fast", Class: "rate_limited", Status: 429,
		Latency: 1234567890 * time.Nanosecond, FirstEvent: 98765 * time.Microsecond,
		InputTokens: 1200, OutputTokens: 345, CachedTokens: 1024, Reported: true, CostMicroUSD: 1_234_567}
}

func TestUsageRecordRoundTrip(t *testing.T) {
	extreme := &quire.AIUsage{Status: 999, Latency: math.MaxInt64, FirstEvent: math.MaxInt64,
		InputTokens: math.MaxInt, OutputTokens: math.MaxInt, CachedTokens: math.MaxInt, CostMicroUSD: math.MaxInt64,
		Model: strings.Repeat("m", quire.MaxUsageText), Alias: "名前\x00with NUL"}
	for name, in := range map[string]*quire.AIUsage{
		"full":    fullUsage(),
		"zero":    {},
		"unknown": {CostMicroUSD: -1, Class: "timeout"},
		"extreme": extreme,
	} {
		t.Run(name, func(t *testing.T) {
			b := quire.MarshalUsageRecord(in)
			out := &quire.AIUsage{ID: in.ID, UserID: in.UserID, At: in.At}
			if err := quire.UnmarshalUsageRecord(b, out); err != nil {
				t.Fatalf("UnmarshalUsageRecord: %v", err)
			}
			if *out != *in {
				t.Fatalf("round trip:\n got %+v\nwant %+v", out, in)
			}
			if !bytes.Equal(quire.MarshalUsageRecord(out), b) {
				t.Fatal("encoding is not deterministic")
			}
		})
	}
}

func TestUsageRecordExcludesClearFields(t *testing.T) {
	u := fullUsage()
	b := quire.MarshalUsageRecord(u)
	for _, clear := range []string{u.ID, u.UserID} {
		if bytes.Contains(b, []byte(clear)) {
			t.Fatalf("the sealed part holds %q, which the store keeps in a clear column", clear)
		}
	}
	// Decoding keeps the clear fields of the target.
	into := &quire.AIUsage{ID: "kept", UserID: "kept too", At: time.Unix(1, 0)}
	if err := quire.UnmarshalUsageRecord(b, into); err != nil {
		t.Fatal(err)
	}
	if into.ID != "kept" || into.UserID != "kept too" || !into.At.Equal(time.Unix(1, 0)) || into.Model != u.Model {
		t.Fatalf("decoded into %+v", into)
	}
}

func TestUsageRecordRejectsMalformed(t *testing.T) {
	good := quire.MarshalUsageRecord(fullUsage())
	cases := map[string][]byte{
		"empty":          nil,
		"version 0":      append([]byte{0}, good[1:]...),
		"version 2":      append([]byte{2}, good[1:]...),
		"trailing byte":  append(append([]byte(nil), good...), 0),
		"text too long":  {1, 0x7f, 'a'},
		"bad uvarint":    append([]byte{1}, bytes.Repeat([]byte{0xff}, 11)...),
		"reported is 2":  func() []byte { b := quire.MarshalUsageRecord(&quire.AIUsage{}); b[len(b)-2] = 2; return b }(),
		"only a version": {1},
		"padded uvarint": append([]byte{1, 0x80, 0x00}, quire.MarshalUsageRecord(&quire.AIUsage{})[2:]...),
	}
	for i := 1; i < len(good); i++ {
		cases["truncated at "+strconv.Itoa(i)] = good[:i]
	}
	for name, b := range cases {
		before := fullUsage()
		u := *before
		if err := quire.UnmarshalUsageRecord(b, &u); err == nil {
			t.Errorf("%s: UnmarshalUsageRecord accepted % x", name, b)
		} else if u != *before {
			t.Errorf("%s: the target changed on error", name)
		}
	}
}

func TestUsageValidate(t *testing.T) {
	long := strings.Repeat("x", quire.MaxUsageText+1)
	ok := []*quire.AIUsage{{}, fullUsage(), {CostMicroUSD: -1}, {Model: strings.Repeat("x", quire.MaxUsageText)}}
	for _, u := range ok {
		if err := u.Validate(); err != nil {
			t.Errorf("Validate(%+v) = %v", u, err)
		}
	}
	bad := map[string]*quire.AIUsage{
		"malformed ID":     {ID: "not-an-id"},
		"long workspace":   {WorkspaceID: long},
		"long op":          {Op: long},
		"long provider":    {Provider: long},
		"long kind":        {Kind: long},
		"long model":       {Model: long},
		"long alias":       {Alias: long},
		"long class":       {Class: long},
		"negative status":  {Status: -1},
		"status 1000":      {Status: 1000},
		"negative latency": {Latency: -1},
		"negative first":   {FirstEvent: -1},
		"negative input":   {InputTokens: -1},
		"negative output":  {OutputTokens: -1},
		"negative cached":  {CachedTokens: -1},
		"cost below -1":    {CostMicroUSD: -2},
	}
	for name, u := range bad {
		if err := u.Validate(); quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("%s: Validate = %v, want EINVALID", name, err)
		}
	}
}

// FuzzUsageRecord checks that decoding never panics, and that whatever it
// accepts encodes back to the same bytes (the encoding is canonical, so a
// sealed record has exactly one reading).
func FuzzUsageRecord(f *testing.F) {
	f.Add(quire.MarshalUsageRecord(fullUsage()))
	f.Add(quire.MarshalUsageRecord(&quire.AIUsage{}))
	f.Add([]byte{1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		var u quire.AIUsage
		if err := quire.UnmarshalUsageRecord(b, &u); err != nil {
			return
		}
		if again := quire.MarshalUsageRecord(&u); !bytes.Equal(again, b) {
			t.Fatalf("accepted % x, which encodes back as % x", b, again)
		}
	})
}
