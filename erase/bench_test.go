package erase_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// BenchmarkDeleteAccount measures, for an account that owns a workspace
// of notes (QUIRE_BENCH_NOTES, default 200) and files
// (QUIRE_BENCH_FILE_MB in all, default 2, in 1 MB files), the two halves of a deletion: the time to shred its keys in
// the request (target < 1 s, whatever the account's size) and the time
// to purge its rows and files after. It reports both, and the purge as a
// multiple of the shred: the shred is a constant few key rows, the purge
// grows with the data. The measure, 10,000 notes and 1 GB:
//
//	QUIRE_BENCH_NOTES=10000 QUIRE_BENCH_FILE_MB=1024 go test ./erase -run '^$' -bench DeleteAccount -benchtime 1x
func BenchmarkDeleteAccount(b *testing.B) {
	notes, mb := envInt("QUIRE_BENCH_NOTES", 200), envInt("QUIRE_BENCH_FILE_MB", 2)
	ctx := context.Background()
	var shred, purge time.Duration
	runs := 0
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		e := newEnv(b)
		a := e.signUp("bench" + strconv.Itoa(i) + "@example.com")
		for n := range notes {
			e.note(a.personal, "Note "+strconv.Itoa(n), strings.Repeat("Some words of a long note. ", 40))
		}
		chunk := strings.Repeat("x", 1<<20)
		for f := range mb {
			e.upload(a.personal, "file"+strconv.Itoa(f)+".bin", chunk)
		}
		// The request re-authenticates (a password hash) first; the
		// shred is timed from the deletion's record (the transaction that
		// closes the account) to its keys gone.
		b.StartTimer()
		d, err := e.svc.Request(ctx, a.user.ID, password, "", "")
		if err != nil || d.Status != quire.DeletionShredded {
			b.Fatalf("Request = %+v, %v", d, err)
		}
		shred += d.ShreddedAt.Sub(d.RequestedAt)
		runs++
		mid := time.Now()
		if err := e.svc.Purge(ctx, a.user.ID); err != nil {
			b.Fatal(err)
		}
		purge += time.Since(mid)
	}
	n := float64(runs)
	b.ReportMetric(float64(shred.Microseconds())/1e3/n, "shred-ms")
	b.ReportMetric(float64(purge.Microseconds())/1e3/n, "purge-ms")
	if shred > 0 {
		b.ReportMetric(float64(purge)/float64(shred), "purge/shred")
	}
	if per := shred / time.Duration(runs); per >= time.Second {
		b.Errorf("shredding took %v, target < 1s", per)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
