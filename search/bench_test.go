package search

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks share one synthetic workspace of 10,000 notes and its
// index, and a baseline measured in the same process: a naive scan that
// lower-cases every note once, then answers a query by strings.Contains of
// each word over every note. Ratios are against that scan (its p50, timed
// between the queries measured), so they hold on a loaded machine where
// absolute times do not. Run:
//
//	GOTOOLCHAIN=go1.27.3 go test ./search -run '^$' -bench . -benchtime 3s
//
// (time-based: each query benchmark runs hundreds of queries, the build
// benchmark one or two builds.)
var shared struct {
	once  sync.Once
	c     *corpus
	ix    *Index
	lower []string  // the naive scan's lower-cased notes
	naive latencies // the naive scan over every query
}

func setup(b *testing.B) {
	b.Helper()
	shared.once.Do(func() {
		shared.c = newCorpus(1, corpusDocs, 400)
		shared.ix, _ = BuildIndex(shared.c.docs)
		for _, d := range shared.c.docs {
			shared.lower = append(shared.lower, strings.ToLower(d.Title+"\n"+d.Body))
		}
		for _, q := range shared.c.queries {
			start := time.Now()
			naiveScan(shared.lower, q.words)
			shared.naive = append(shared.naive, time.Since(start))
		}
	})
	b.ResetTimer()
}

// naiveScan counts the notes holding every word: the baseline.
func naiveScan(lower []string, words []string) int {
	n := 0
	for _, text := range lower {
		all := true
		for _, w := range words {
			if !strings.Contains(text, w) {
				all = false
				break
			}
		}
		if all {
			n++
		}
	}
	return n
}

type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	s := slices.Sorted(slices.Values(l))
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// report gives p50 and p99 in milliseconds and p50 as a ratio of the
// naive scan's p50.
func report(b *testing.B, l, naive latencies) {
	b.ReportMetric(ms(l.pct(0.5)), "p50-ms")
	b.ReportMetric(ms(l.pct(0.99)), "p99-ms")
	b.ReportMetric(float64(l.pct(0.5))/float64(naive.pct(0.5)), "p50/naive")
	b.ReportMetric(0, "ns/op") // per-query percentiles say more than the mean
}

// timeNaive times the naive scan for query i.
func timeNaive(i int) time.Duration {
	start := time.Now()
	naiveScan(shared.lower, shared.c.queries[i%len(shared.c.queries)].words)
	return time.Since(start)
}

func BenchmarkNaiveScan(b *testing.B) {
	setup(b)
	var l latencies
	for i := 0; b.Loop(); i++ {
		l = append(l, timeNaive(i))
	}
	report(b, l, shared.naive)
}

// benchFind times queries in the given mode, with a naive scan of the same
// query every sixteenth one, so that the ratio compares times taken under the
// same load.
func benchFind(b *testing.B, mode Mode) {
	setup(b)
	var l, naive latencies
	for i := 0; b.Loop(); i++ {
		if i%16 == 0 {
			naive = append(naive, timeNaive(i))
		}
		bq := shared.c.queries[i%len(shared.c.queries)]
		start := time.Now()
		q, err := ParseQuery(bq.text)
		if err != nil {
			b.Fatal(err)
		}
		res, err := shared.ix.Find(context.Background(), Request{Query: q, Vector: bq.vec, Mode: mode})
		l = append(l, time.Since(start))
		if err != nil || mode != ModeKeyword && len(res.Hits) == 0 {
			b.Fatalf("%s: %d hits, %v", mode, len(res.Hits), err)
		}
	}
	report(b, l, naive)
}

func BenchmarkKeyword(b *testing.B)  { benchFind(b, ModeKeyword) }
func BenchmarkSemantic(b *testing.B) { benchFind(b, ModeSemantic) }
func BenchmarkHybrid(b *testing.B)   { benchFind(b, ModeHybrid) }

// BenchmarkBuild builds the index of the 10,000 notes from scratch and
// compares the time with the naive scan's preparation (lower-casing every
// note). Then it measures the memory of one more index, built from a
// private copy of the notes so that the text it keeps is counted, as it is
// in use (the Loader's decrypted documents are dropped after the build):
// the heap after GC, against the text and vectors it holds.
func BenchmarkBuild(b *testing.B) {
	setup(b)
	docs := shared.c.docs
	prep := timeLower(docs)
	for b.Loop() {
		BuildIndex(docs)
	}
	build := float64(b.Elapsed()) / float64(b.N)
	b.StopTimer()
	prep = (prep + timeLower(docs)) / 2 // before and after, to share the load

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ix, _ := BuildIndex(cloneDocs(docs))
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	var text, vecs float64
	for _, d := range docs {
		text += float64(len(d.Title) + len(d.Body))
		vecs += float64(4 * len(d.Vector))
	}
	b.ReportMetric(build/float64(time.Second), "build-s")
	b.ReportMetric(build/prep, "build/naive-prep")
	b.ReportMetric(heap/(1<<20), "heap-MiB")
	b.ReportMetric(float64(ix.Size())/(1<<20), "estimate-MiB")
	b.ReportMetric((heap-text-vecs)/text, "overhead/text")
	b.ReportMetric(0, "ns/op")
	runtime.KeepAlive(ix)
}

// timeLower times the naive scan's preparation of docs.
func timeLower(docs []Doc) float64 {
	start := time.Now()
	for _, d := range docs {
		_ = strings.ToLower(d.Title + "\n" + d.Body)
	}
	return float64(time.Since(start))
}

// timeBuildPerNote times a build of 1,000 of docs, per note.
func timeBuildPerNote(docs []Doc) float64 {
	start := time.Now()
	BuildIndex(docs[:1000])
	return float64(time.Since(start)) / 1000
}

func cloneDocs(docs []Doc) []Doc {
	out := make([]Doc, len(docs))
	for i, d := range docs {
		d.Title, d.Body, d.Vector = strings.Clone(d.Title), strings.Clone(d.Body), slices.Clone(d.Vector)
		out[i] = d
	}
	return out
}

// BenchmarkUpsert saves a note of the 10,000 again: "edit" with a sentence
// added (an autosave), "replace" with another note's whole text (the worst
// case: most of its postings move). Each is compared with the cost per note
// of building an index (of 1,000 of the notes, timed before and after) and
// with that of building all 10,000.
func BenchmarkUpsert(b *testing.B) {
	setup(b)
	docs := shared.c.docs
	for _, tc := range []struct {
		name string
		body func(i int) string
	}{
		{"edit", func(i int) string { return docs[i%len(docs)].Body + " Then one more sentence was typed." }},
		{"replace", func(i int) string { return docs[(i*7919+1)%len(docs)].Body }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			buildPerNote := timeBuildPerNote(docs)
			for i := 0; b.Loop(); i++ {
				d := docs[i%len(docs)]
				d.Body = tc.body(i)
				if err := shared.ix.Upsert(d); err != nil {
					b.Fatal(err)
				}
			}
			per := float64(b.Elapsed()) / float64(b.N)
			b.StopTimer()
			buildPerNote = (buildPerNote + timeBuildPerNote(docs)) / 2 // before and after
			b.ReportMetric(per/float64(time.Microsecond), "µs/upsert")
			b.ReportMetric(per/buildPerNote, "upsert/build-per-note")
			b.ReportMetric(per/(buildPerNote*float64(len(docs))), "upsert/full-build")
			b.ReportMetric(0, "ns/op")
		})
	}
}
