package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/quirehq/quire"
)

// store is a fake source of workspaces for the Loader, counting its calls.
type store struct {
	mu    sync.Mutex
	docs  map[string][]Doc
	calls atomic.Int32
	gate  chan struct{} // when set, loads wait for it
	fail  error
	panic bool
}

func (s *store) load(ctx context.Context, ws string) ([]Doc, error) {
	s.calls.Add(1)
	if s.gate != nil {
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.panic {
		panic("loader bug")
	}
	if s.fail != nil {
		return nil, s.fail
	}
	return slices.Clone(s.docs[ws]), nil
}

func wsDocs(n, bodyBytes int) []Doc {
	var docs []Doc
	for i := range n {
		docs = append(docs, Doc{ID: fmt.Sprint(i), Kind: KindNote, Title: "note", Body: filler(bodyBytes / 27)})
	}
	return docs
}

func TestCacheSingleflight(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": wsDocs(3, 100)}, gate: make(chan struct{})}
	c := NewCache(s.load, 0)
	const n = 16
	var wg sync.WaitGroup
	got := make([]*Index, n)
	for i := range n {
		wg.Go(func() {
			ix, err := c.Index(context.Background(), "w")
			if err != nil {
				t.Error(err)
			}
			got[i] = ix
		})
	}
	time.Sleep(20 * time.Millisecond) // let them all miss
	close(s.gate)
	wg.Wait()
	if s.calls.Load() != 1 {
		t.Fatalf("loader called %d times for %d concurrent misses", s.calls.Load(), n)
	}
	for _, ix := range got {
		if ix != got[0] || ix.Len() != 3 {
			t.Fatalf("waiters got different or partial indexes")
		}
	}
	if ix, _ := c.Index(context.Background(), "w"); ix != got[0] || s.calls.Load() != 1 {
		t.Errorf("second lookup rebuilt")
	}
	if st := c.Stats(); st.Hits < 1 || st.Misses != 1 || st.Loads != 1 || st.Entries != 1 || st.Bytes != got[0].Size() {
		t.Errorf("stats %+v", st)
	}
}

func TestCacheLoaderErrorNotCached(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": wsDocs(2, 50)}, fail: errors.New("db down")}
	c := NewCache(s.load, 0)
	if _, err := c.Index(context.Background(), "w"); err == nil {
		t.Fatal("no error")
	}
	s.fail = nil
	ix, err := c.Index(context.Background(), "w")
	if err != nil || ix.Len() != 2 || s.calls.Load() != 2 {
		t.Fatalf("retry: %v, calls %d", err, s.calls.Load())
	}
	s.panic = true
	if _, err := c.Index(context.Background(), "other"); quire.ErrorCode(err) != quire.EINTERNAL {
		t.Errorf("loader panic: %v", err)
	}
}

func TestCacheEvictsByBudget(t *testing.T) {
	s := &store{docs: map[string][]Doc{}}
	for _, ws := range []string{"a", "b", "c", "huge"} {
		s.docs[ws] = wsDocs(20, 2000)
	}
	s.docs["huge"] = wsDocs(200, 2000)
	probe, _ := BuildIndex(s.docs["a"])
	c := NewCache(s.load, probe.Size()*5/2) // room for two
	ctx := context.Background()
	for _, ws := range []string{"a", "b", "a", "c"} { // c evicts b, the least recently used
		if _, err := c.Index(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Entries != 2 || st.Evictions != 1 || st.Bytes > probe.Size()*5/2 {
		t.Fatalf("stats %+v", st)
	}
	calls := s.calls.Load()
	c.Index(ctx, "a")
	c.Index(ctx, "c")
	if s.calls.Load() != calls {
		t.Errorf("a or c was evicted instead of b")
	}
	c.Index(ctx, "b")
	if s.calls.Load() != calls+1 {
		t.Errorf("b was not evicted")
	}
	ix, err := c.Index(ctx, "huge") // served, but bigger than the budget
	if err != nil || ix.Len() != 200 {
		t.Fatalf("huge: %v", err)
	}
	if st := c.Stats(); st.Bytes > probe.Size()*5/2 {
		t.Errorf("over budget: %+v", st)
	}
}

func TestCacheUpdates(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": wsDocs(2, 50)}}
	c := NewCache(s.load, 0)
	ctx := context.Background()
	// Updates to an unloaded workspace are dropped: the load reads the store.
	if err := c.Upsert("w", Doc{ID: "x", Kind: KindNote, Title: "ghost"}); err != nil {
		t.Fatal(err)
	}
	ix, _ := c.Index(ctx, "w")
	if ix.Len() != 2 {
		t.Fatalf("len %d", ix.Len())
	}
	if err := c.Upsert("w", Doc{ID: "y", Kind: KindNote, Title: "fresh"}); err != nil || len(find(t, ix, "fresh")) != 1 {
		t.Fatalf("upsert into loaded index: %v", err)
	}
	if err := c.Upsert("w", Doc{ID: "", Kind: KindNote}); quire.ErrorCode(err) != quire.EINVALID {
		t.Errorf("invalid doc: %v", err)
	}
	if err := c.Upsert("w", Doc{ID: "v1", Kind: KindNote, Title: "vec", Vector: []float32{1, 0}}); err != nil {
		t.Fatal(err)
	}
	err := c.Upsert("w", Doc{ID: "v2", Kind: KindNote, Title: "vectorless", Vector: []float32{1, 0, 0}})
	if quire.ErrorCode(err) != quire.EINVALID || len(find(t, ix, "vectorless")) != 1 {
		t.Errorf("a refused vector: %v; the text must be indexed all the same", err)
	}
	c.Remove("w", "y")
	if len(find(t, ix, "fresh")) != 0 {
		t.Errorf("remove not applied")
	}
	c.Drop("w")
	if ix2, _ := c.Index(ctx, "w"); ix2 == ix || s.calls.Load() != 2 {
		t.Errorf("drop did not force a rebuild")
	}
}

// TestCacheUpdateDuringBuild: an update made while the index is being
// built is in the index served, even if the Loader read the older text.
func TestCacheUpdateDuringBuild(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": {{ID: "n", Kind: KindNote, Title: "old"}}}, gate: make(chan struct{})}
	c := NewCache(s.load, 0)
	done := make(chan *Index)
	go func() {
		ix, _ := c.Index(context.Background(), "w")
		done <- ix
	}()
	for s.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Upsert("w", Doc{ID: "n", Kind: KindNote, Title: "new"})
	c.Upsert("w", Doc{ID: "m", Kind: KindNote, Title: "new"})
	c.Remove("w", "m")
	close(s.gate)
	ix := <-done
	if got := find(t, ix, "new"); !slices.Equal(got, []string{"n"}) || len(find(t, ix, "old")) != 0 {
		t.Errorf("served index misses updates made during the build: %v", got)
	}
}

func TestCacheWaitIsCancelable(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": wsDocs(1, 10)}, gate: make(chan struct{})}
	c := NewCache(s.load, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Index(ctx, "w"); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled wait: %v", err)
	}
	close(s.gate)
	if ix, err := c.Index(context.Background(), "w"); err != nil || ix.Len() != 1 || s.calls.Load() != 1 {
		t.Fatalf("the build went on for others: %v, calls %d", err, s.calls.Load())
	}
}

// TestCacheDropDuringBuild: a workspace dropped while it is being built is
// not kept.
func TestCacheDropDuringBuild(t *testing.T) {
	s := &store{docs: map[string][]Doc{"w": wsDocs(1, 10)}, gate: make(chan struct{})}
	c := NewCache(s.load, 0)
	done := make(chan error)
	go func() { _, err := c.Index(context.Background(), "w"); done <- err }()
	for s.calls.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	c.Drop("w")
	close(s.gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := c.Stats(); st.Entries != 0 {
		t.Errorf("dropped workspace kept: %+v", st)
	}
}
