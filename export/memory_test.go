package export_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// envInt reads a positive integer from the environment, or def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a count", name, v)
	}
	return n
}

// peakSampler records the peak heap in use and the peak resident set of
// the process while it runs.
type peakSampler struct {
	stop       chan struct{}
	done       sync.WaitGroup
	heap, rssK uint64
}

func samplePeaks() *peakSampler {
	p := &peakSampler{stop: make(chan struct{})}
	p.done.Go(func() {
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			p.heap = max(p.heap, m.HeapInuse)
			p.rssK = max(p.rssK, rssKiB())
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	})
	return p
}

func (p *peakSampler) end() { close(p.stop); p.done.Wait() }

// rssKiB is the resident set of the process (Linux), 0 elsewhere.
func rssKiB() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// base64Reader yields src's bytes in base64, without end.
func base64Reader(src io.Reader) *io.PipeReader {
	pr, pw := io.Pipe()
	go func() {
		enc := base64.NewEncoder(base64.StdEncoding, pw)
		_, err := io.Copy(enc, src)
		pw.CloseWithError(err)
	}()
	return pr
}

// TestExportMemoryBounded exports an account of many notes and files and
// fails if the heap in use grows with it, during the export and during
// the download: the archive streams. The default account's archive (over
// 48 MiB) is well over the bound asserted (32 MiB), so that holding it
// whole in memory fails the test. The size is set by QUIRE_EXPORT_NOTES
// (default 300), QUIRE_EXPORT_FILE_MB (the files' total, default 48) and
// QUIRE_EXPORT_FILES (default 8); the figures are logged (go test -v). A
// large account:
//
//	QUIRE_EXPORT_NOTES=10000 QUIRE_EXPORT_FILE_MB=1024 QUIRE_EXPORT_FILES=64 go test ./export -run TestExportMemoryBounded -v -timeout 30m
func TestExportMemoryBounded(t *testing.T) {
	notes, fileMB, nFiles := envInt(t, "QUIRE_EXPORT_NOTES", 300), envInt(t, "QUIRE_EXPORT_FILE_MB", 48), envInt(t, "QUIRE_EXPORT_FILES", 8)
	e := newEnv(t)
	ctx := context.Background()
	a := e.signUp("large@example.com")
	start := time.Now()
	body := strings.Repeat("A paragraph of a long note, written to be exported. ", 40) // ~2 KB
	for i := range notes {
		must(t, e.notes.CreateNote(ctx, &quire.Note{WorkspaceID: a.personal, Title: fmt.Sprintf("Note %d", i), Content: body}))
	}
	per := int64(fileMB) << 20 / int64(max(nFiles, 1))
	for i := range nFiles {
		src := base64Reader(rand.NewChaCha8([32]byte{byte(i)})) // text that does not repeat
		_, err := e.files.Upload(ctx, a.personal, "", fmt.Sprintf("data-%d.txt", i), io.LimitReader(src, per))
		_ = src.Close() // ends its goroutine
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("set up %d notes and %d files (%d MiB) in %s", notes, nFiles, fileMB, time.Since(start).Round(time.Millisecond))

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	x, err := e.svc.Start(ctx, a.user.ID)
	must(t, err)
	peaks := samplePeaks()
	start = time.Now()
	x = e.build(a.user.ID, x.ID)
	took := time.Since(start)
	peaks.end()
	exportPeak := peaks.heap
	if x.State != quire.ExportReady || x.ItemsDone != notes+nFiles {
		t.Fatalf("export %+v", x)
	}
	t.Logf("export of %d notes and %d MiB of files: %s, archive %.1f MiB; peak heap in use %.1f MiB (%.1f MiB before), peak RSS %.1f MiB",
		notes, fileMB, took.Round(time.Millisecond), float64(x.Size)/(1<<20), float64(exportPeak)/(1<<20), float64(base.HeapInuse)/(1<<20), float64(peaks.rssK)/1024)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	peaks = samplePeaks()
	start = time.Now()
	d, err := e.svc.Open(ctx, a.user.ID, x.ID)
	must(t, err)
	n, err := io.Copy(io.Discard, d)
	must(t, err)
	_ = d.Close()
	peaks.end()
	if n != x.Size {
		t.Fatalf("downloaded %d bytes of %d", n, x.Size)
	}
	t.Logf("download (decrypt) of the archive: %s; peak heap in use %.1f MiB", time.Since(start).Round(time.Millisecond), float64(peaks.heap)/(1<<20))
	// The bound does not grow with the account: the notes are read 25 at
	// a time and the files stream in 64 KiB chunks. It only proves
	// anything if the archive is well over it.
	const bound = 32 << 20
	if x.Size < bound+bound/4 && fileMB >= 48 {
		t.Fatalf("archive of %.1f MiB: too small to show that it is not held in memory under a %d MiB bound", float64(x.Size)/(1<<20), bound>>20)
	}
	if grew := int64(exportPeak) - int64(base.HeapInuse); grew > bound {
		t.Errorf("the heap grew by %.1f MiB during the export, over %d MiB", float64(grew)/(1<<20), bound>>20)
	}
	if grew := int64(peaks.heap) - int64(before.HeapInuse); grew > bound {
		t.Errorf("the heap grew by %.1f MiB during the download, over %d MiB", float64(grew)/(1<<20), bound>>20)
	}
}
