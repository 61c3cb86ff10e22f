package trust

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

func TestScanStream(t *testing.T) {
	needles := [][]byte{[]byte("needle"), []byte("xyz")}
	tests := []struct {
		name    string
		data    string
		bufSize int
		budget  int64
		want    []bool
		wantErr error
	}{
		{"absent", strings.Repeat("a", 100), 8, 1000, []bool{false, false}, nil},
		{"both", "..needle..xyz..", 64, 1000, []bool{true, true}, nil},
		{"straddles a read", strings.Repeat("a", 5) + "needle" + strings.Repeat("b", 20), 8, 1000, []bool{true, false}, nil},
		{"at the very end", strings.Repeat("a", 37) + "xyz", 7, 1000, []bool{false, true}, nil},
		{"empty input", "", 8, 1000, []bool{false, false}, nil},
		{"partial only", "needl" + "x" + "eedle", 8, 1000, []bool{false, false}, nil},
		{"over budget", strings.Repeat("a", 100), 8, 50, []bool{false, false}, errScanLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]bool, len(needles))
			buf := make([]byte, tt.bufSize)
			// OneByteReader makes every read short, the hardest case for
			// the overlap between windows.
			r := iotest.OneByteReader(strings.NewReader(tt.data))
			if _, err := scanStream(r, needles, buf, tt.budget, func(i int) { got[i] = true }); !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil {
				for i := range got {
					if got[i] != tt.want[i] {
						t.Fatalf("found %v, want %v", got, tt.want)
					}
				}
			}
		})
	}
	if _, err := scanStream(strings.NewReader("x"), needles, make([]byte, 5), 10, func(int) {}); err == nil {
		t.Fatal("a buffer shorter than the longest needle was accepted")
	}
}

// FuzzScanStream checks the streaming search against bytes.Contains on the
// whole input, for any data, needle and buffer size.
func FuzzScanStream(f *testing.F) {
	f.Add([]byte("hello needle world"), []byte("needle"), uint8(3))
	f.Add([]byte("aaaaab"), []byte("ab"), uint8(0))
	f.Fuzz(func(t *testing.T, data, needle []byte, extra uint8) {
		if len(needle) == 0 {
			return
		}
		buf := make([]byte, len(needle)+int(extra))
		found := false
		n, err := scanStream(bytes.NewReader(data), [][]byte{needle}, buf, int64(len(data)), func(int) { found = true })
		if err != nil || n != int64(len(data)) {
			t.Fatalf("scanStream: n=%d err=%v", n, err)
		}
		if want := bytes.Contains(data, needle); found != want {
			t.Fatalf("found=%t, bytes.Contains=%t", found, want)
		}
	})
}

func TestScanDir(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	write := func(path, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(dir, "db.sqlite"), "header ... marker-one ... tail")
	write(filepath.Join(dir, "logs", "quire-1.log"), strings.Repeat("z", scanBufSize)+"marker-two")
	write(filepath.Join(outside, "secret"), "marker-three")
	if err := os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	needles := [][]byte{[]byte("marker-one"), []byte("marker-two"), []byte("marker-three")}
	res, err := scanDir(context.Background(), dir, needles, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	if res.files != 2 || res.bytes != int64(30+scanBufSize+10) {
		t.Errorf("scanned %d files, %d bytes; want 2 files (links not followed)", res.files, res.bytes)
	}
	if got := res.hits[0]; len(got) != 1 || got[0] != "db.sqlite" {
		t.Errorf("marker-one found in %v", got)
	}
	if got := res.hits[1]; len(got) != 1 || got[0] != "logs/quire-1.log" {
		t.Errorf("marker-two found in %v", got)
	}
	if got := res.hits[2]; len(got) != 0 {
		t.Errorf("the scan followed a link out of the directory: %v", got)
	}

	if _, err := scanDir(context.Background(), dir, needles, 100); !errors.Is(err, errScanLimit) {
		t.Errorf("over the limit: err = %v, want errScanLimit", err)
	}
	if _, err := scanDir(context.Background(), filepath.Join(dir, "missing"), needles, 100); err == nil {
		t.Error("a missing directory scanned without error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := scanDir(ctx, dir, needles, 1<<30); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled scan: err = %v", err)
	}
}

func TestHumanBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 5_100_000: "5.1 MB", 3 << 30: "3.2 GB"} {
		if got := humanBytes(n); got != want {
			t.Errorf("humanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
