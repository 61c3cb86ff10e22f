package rawscan

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestReader(t *testing.T) {
	needles := [][]byte{[]byte("needle"), []byte("xyz")}
	tests := []struct {
		name    string
		data    string
		bufSize int
		budget  int64
		want    map[int][]int64
		wantErr error
	}{
		{"absent", strings.Repeat("a", 100), 8, -1, map[int][]int64{}, nil},
		{"both", "..needle..xyz..", 64, -1, map[int][]int64{0: {2}, 1: {10}}, nil},
		{"straddles a read", strings.Repeat("a", 5) + "needle" + strings.Repeat("b", 20), 8, -1, map[int][]int64{0: {5}}, nil},
		{"at the very end", strings.Repeat("a", 37) + "xyz", 7, -1, map[int][]int64{1: {37}}, nil},
		{"short needle in the overlap, once", "xyz" + strings.Repeat("a", 30) + "xyzxyz", 7, -1, map[int][]int64{1: {0, 33, 36}}, nil},
		{"overlapping occurrences", "xyzxyz", 64, -1, map[int][]int64{1: {0, 3}}, nil},
		{"empty input", "", 8, -1, map[int][]int64{}, nil},
		{"partial only", "needl" + "x" + "eedle", 8, -1, map[int][]int64{}, nil},
		{"over budget", strings.Repeat("a", 100), 8, 50, nil, ErrBudget},
		{"within budget", strings.Repeat("a", 50), 8, 50, map[int][]int64{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[int][]int64{}
			// OneByteReader makes every read short, the hardest case for
			// the overlap between windows.
			r := iotest.OneByteReader(strings.NewReader(tt.data))
			_, err := Reader(context.Background(), r, needles, make([]byte, tt.bufSize), tt.budget, func(i int, off int64) bool {
				got[i] = append(got[i], off)
				return true
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			if len(got) != len(tt.want) {
				t.Fatalf("found %v, want %v", got, tt.want)
			}
			for i, offs := range tt.want {
				if !equal(got[i], offs) {
					t.Fatalf("needle %d at %v, want %v", i, got[i], offs)
				}
			}
		})
	}
	if _, err := Reader(context.Background(), strings.NewReader("x"), needles, make([]byte, 5), -1, func(int, int64) bool { return true }); err == nil {
		t.Fatal("a buffer shorter than the longest needle was accepted")
	}
}

func TestReaderStops(t *testing.T) {
	calls := 0
	_, err := Reader(context.Background(), strings.NewReader(strings.Repeat("ab", 100)), [][]byte{[]byte("ab")}, make([]byte, 16), -1,
		func(int, int64) bool { calls++; return calls < 3 })
	if err != nil || calls != 3 {
		t.Fatalf("calls = %d, err = %v; want the scan to stop after the third", calls, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Reader(ctx, strings.NewReader("ab"), [][]byte{[]byte("ab")}, make([]byte, 16), -1, func(int, int64) bool { return true }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled scan: err = %v", err)
	}
}

func equal(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FuzzReader checks the streaming search against bytes.Index over the whole
// input, for any data, needle and buffer size: every offset, each once.
func FuzzReader(f *testing.F) {
	f.Add([]byte("hello needle world"), []byte("needle"), uint8(3))
	f.Add([]byte("aaaaab"), []byte("ab"), uint8(0))
	f.Add([]byte("aaaaaaaa"), []byte("aa"), uint8(1))
	f.Fuzz(func(t *testing.T, data, needle []byte, extra uint8) {
		if len(needle) == 0 {
			return
		}
		var got []int64
		n, err := Reader(context.Background(), iotest.HalfReader(bytes.NewReader(data)), [][]byte{needle}, make([]byte, len(needle)+int(extra)), int64(len(data)),
			func(_ int, off int64) bool { got = append(got, off); return true })
		if err != nil || n != int64(len(data)) {
			t.Fatalf("Reader: n=%d err=%v", n, err)
		}
		var want []int64
		for j := 0; ; {
			k := bytes.Index(data[j:], needle)
			if k < 0 {
				break
			}
			want = append(want, int64(j+k))
			j += k + 1
		}
		if !equal(got, want) {
			t.Fatalf("offsets %v, bytes.Index gives %v", got, want)
		}
	})
}
