package clientip

import (
	"strings"
	"testing"
)

func TestResolveEntryBound(t *testing.T) {
	r := mustNew(t, Options{TrustedProxies: testProxies})
	const client = "198.51.100.1"
	hops := func(n int) string { return strings.Repeat(", 10.0.0.2", n) }
	tests := []struct {
		name, h, want string
	}{
		{"client is entry 64", client + hops(MaxEntries-1), client},
		{"client is entry 65", client + hops(MaxEntries), "10.0.0.2"},
		{"empty elements count", client + strings.Repeat(",", MaxEntries), "10.0.0.1"},
		{"many empty elements before client", strings.Repeat(",", 10000) + client, client},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Resolve(request("10.0.0.1:80", xff(tt.h))); got != addr(t, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Entries on separate lines count the same.
	lines := []string{client}
	for range MaxEntries {
		lines = append(lines, "10.0.0.3")
	}
	if got := r.Resolve(request("10.0.0.1:80", xff(lines...))); got != addr(t, "10.0.0.3") {
		t.Errorf("65 lines: got %v, want 10.0.0.3", got)
	}
	if got := r.Resolve(request("10.0.0.1:80", xff(lines[:MaxEntries]...))); got != addr(t, client) {
		t.Errorf("64 lines: got %v, want %s", got, client)
	}
}

func TestResolveByteBound(t *testing.T) {
	r := mustNew(t, Options{TrustedProxies: testProxies})
	const client = "198.51.100.1"
	// Pad the client with spaces so the right-most entry costs exactly n
	// bytes with its separator.
	entry := func(n int) string { return strings.Repeat(" ", n-1-len(client)) + client }
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name  string
		lines []string
		want  string
	}{
		{"entry of MaxBytes", []string{entry(MaxBytes)}, client},
		{"entry of MaxBytes+1", []string{entry(MaxBytes + 1)}, "10.0.0.1"},
		{"after a hop, fits", []string{entry(MaxBytes-len(",10.0.0.2")) + ",10.0.0.2"}, client},
		{"after a hop, too long", []string{entry(MaxBytes-len(",10.0.0.2")+1) + ",10.0.0.2"}, "10.0.0.2"},
		{"1 MiB of garbage then client", []string{huge + ", " + client}, client},
		{"1 MiB of garbage then hop", []string{huge + ", 10.0.0.2"}, "10.0.0.2"},
		{"1 MiB line before client line", []string{huge, client}, client},
		{"1 MiB entry", []string{huge}, "10.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Resolve(request("10.0.0.1:80", xff(tt.lines...))); got != addr(t, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLastElemScansOnlyTheTail(t *testing.T) {
	// A comma far to the left of the budget must not be found: that would
	// mean the whole line was scanned and the element accepted.
	line := "1.2.3.4," + strings.Repeat("x", 100)
	if _, ok := lastElem(line, 50); ok {
		t.Error("element longer than the budget accepted")
	}
	if j, ok := lastElem(line, 101); !ok || j != 7 {
		t.Errorf("lastElem = %d, %v; want 7, true", j, ok)
	}
	if j, ok := lastElem("abc", 4); !ok || j != -1 {
		t.Errorf("short line: %d, %v; want -1, true", j, ok)
	}
	if _, ok := lastElem("abc", 3); ok {
		t.Error("element plus separator over the budget accepted")
	}
}
