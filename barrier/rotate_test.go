package barrier

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestRotateByOps(t *testing.T) {
	ks := newMemKeyStore()
	b := mustOpen(t, ks, Options{RotateAfterOps: 10, OpsBatch: 4})
	ctx := context.Background()
	s := WorkspaceScope("w")
	var cts [][]byte
	for range 40 {
		cts = append(cts, mustEncrypt(t, b, s, nil, []byte("v")))
	}
	keys, _ := ks.LoadDataKeys(ctx, s)
	if len(keys) < 4 {
		t.Fatalf("after 40 encryptions with rotation at 10: %d data keys, want ≥ 4", len(keys))
	}
	for _, k := range keys {
		if k.Ops > 10+4 {
			t.Errorf("data key %d used for %d ops, limit 10 (batch 4)", k.Version, k.Ops)
		}
	}
	for i, ct := range cts {
		if _, err := b.Decrypt(ctx, s, nil, ct); err != nil {
			t.Fatalf("value %d: %v", i, err)
		}
	}
}

func TestRotateByAge(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	ks := newMemKeyStore()
	b := mustOpen(t, ks, Options{RotateAfter: 24 * time.Hour, Now: clk.Now})
	s := WorkspaceScope("w")
	old := mustEncrypt(t, b, s, nil, []byte("old"))
	clk.Add(25 * time.Hour)
	fresh := mustEncrypt(t, b, s, nil, []byte("new"))
	v1, _ := KeyVersion(old)
	v2, _ := KeyVersion(fresh)
	if v2 <= v1 {
		t.Fatalf("key version after 25h = %d, before = %d: no rotation", v2, v1)
	}
	st, err := b.Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if kek := st.Keyring[len(st.Keyring)-1]; kek.Version < 2 || !kek.Newest {
		t.Fatalf("keyring not rotated by age: %+v", st.Keyring)
	}
	if _, err := b.Decrypt(context.Background(), s, nil, old); err != nil {
		t.Fatal(err)
	}
}

func TestRotateRewrapRetire(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	ks := newMemKeyStore()
	b := mustOpen(t, ks, Options{Now: clk.Now})
	ctx := context.Background()
	s1, s2 := WorkspaceScope("a"), UserScope("u")
	ad := AD("notes", "1", "title")
	v1 := mustEncrypt(t, b, s1, ad, []byte("one"))
	v2 := mustEncrypt(t, b, s2, ad, []byte("two"))
	forgotten := mustEncrypt(t, b, s1, AD("notes", "2", "title"), []byte("left behind"))

	if err := b.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	st, _ := b.Status(ctx)
	if st.OldDataKeys != 2 || st.StaleDataKeys != 2 {
		t.Fatalf("after Rotate: old=%d stale=%d, want 2 and 2", st.OldDataKeys, st.StaleDataKeys)
	}
	n := mustEncrypt(t, b, s1, ad, []byte("new"))
	if v, _ := KeyVersion(n); v != 2 {
		t.Fatalf("new value under data key %d, want 2", v)
	}
	var calls int
	if err := b.RewrapDataKeys(ctx, func(done, total int) { calls++ }); err != nil {
		t.Fatal(err)
	}
	if calls != 4 {
		t.Fatalf("progress called %d times, want 4", calls)
	}
	// Too soon: another instance may still encrypt under version 1 and
	// wrap under keyring key 1.
	plan, err := b.PlanRetire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r1, changed, err := b.Reencrypt(ctx, s1, ad, v1)
	if err != nil || !changed {
		t.Fatalf("Reencrypt: changed=%v err=%v", changed, err)
	}
	if _, changed, _ := b.Reencrypt(ctx, s1, ad, r1); changed {
		t.Fatal("Reencrypt of a current value changed it")
	}
	r2, _, err := b.Reencrypt(ctx, s2, ad, v2)
	if err != nil {
		t.Fatal(err)
	}
	if d, k, err := b.Retire(ctx, plan); err != nil || d != 0 || k != 0 {
		t.Fatalf("Retire within the cache TTL = %d data keys, %d keyring keys, %v; want 0, 0", d, k, err)
	}
	clk.Add(2 * time.Minute)
	plan, err = b.PlanRetire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d, k, err := b.Retire(ctx, plan)
	if err != nil || d != 2 || k != 1 {
		t.Fatalf("Retire = %d data keys, %d keyring keys, %v; want 2, 1", d, k, err)
	}
	for _, c := range []struct {
		s  Scope
		ct []byte
	}{{s1, r1}, {s2, r2}} {
		if _, err := b.Decrypt(ctx, c.s, ad, c.ct); err != nil {
			t.Fatalf("rewrapped value unreadable: %v", err)
		}
	}
	if _, err := b.Decrypt(ctx, s1, AD("notes", "2", "title"), forgotten); !errors.Is(err, ErrNoKey) {
		t.Fatalf("value not re-encrypted before Retire: err = %v, want ErrNoKey", err)
	}
	st, _ = b.Status(ctx)
	if st.OldDataKeys != 0 || st.StaleDataKeys != 0 {
		t.Fatalf("after retire: %+v", st)
	}
	// The barrier still opens with the same root key after retirement.
	mustOpen(t, ks, Options{Now: clk.Now})
}

// Two instances over one key store must agree and never under-count.
func TestInstancesShareKeys(t *testing.T) {
	ks := newMemKeyStore()
	a := mustOpen(t, ks, Options{RotateAfterOps: 50, OpsBatch: 8})
	b := mustOpen(t, ks, Options{RotateAfterOps: 50, OpsBatch: 8})
	ctx := context.Background()
	s := WorkspaceScope("shared")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var cts [][]byte
	for _, in := range []*Barrier{a, b} {
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 50 {
					ct, err := in.Encrypt(ctx, s, nil, []byte("x"))
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					cts = append(cts, ct)
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	perVersion := map[uint32]int64{}
	for _, ct := range cts {
		v, _ := KeyVersion(ct)
		perVersion[v]++
		for _, in := range []*Barrier{a, b} {
			if _, err := in.Decrypt(ctx, s, nil, ct); err != nil {
				t.Fatalf("instance cannot read the other's value: %v", err)
			}
		}
	}
	keys, _ := ks.LoadDataKeys(ctx, s)
	for _, k := range keys {
		if perVersion[k.Version] > k.Ops {
			t.Errorf("key %d: %d encryptions but only %d ops reserved", k.Version, perVersion[k.Version], k.Ops)
		}
	}
}

func TestReencryptCurrentIsFree(t *testing.T) {
	ks := newMemKeyStore()
	b := mustOpen(t, ks, Options{OpsBatch: 1})
	ctx := context.Background()
	s := WorkspaceScope("w")
	ct := mustEncrypt(t, b, s, nil, []byte("v"))
	before, _ := ks.LoadDataKeys(ctx, s)
	for range 10 {
		if _, changed, err := b.Reencrypt(ctx, s, nil, ct); err != nil || changed {
			t.Fatalf("Reencrypt = changed %v, %v", changed, err)
		}
	}
	after, _ := ks.LoadDataKeys(ctx, s)
	if after[0].Ops != before[0].Ops {
		t.Fatalf("Reencrypt of current values used %d encryptions", after[0].Ops-before[0].Ops)
	}
	if out, changed, err := b.Reencrypt(ctx, WorkspaceScope("none"), nil, ct); err != nil || changed || !bytes.Equal(out, ct) {
		t.Fatalf("Reencrypt in a shredded scope = changed %v, %v; want the value back unchanged", changed, err)
	}
	if keys, _ := ks.LoadDataKeys(ctx, WorkspaceScope("none")); len(keys) != 0 {
		t.Fatal("Reencrypt created a data key")
	}
}

// A server that loaded the keyring before a rotation must not wrap new data
// keys under a keyring key that a rewrap elsewhere has since retired.
func TestRetireKeepsKeyringOfRunningInstance(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	ks := newMemKeyStore()
	ctx := context.Background()
	operator := mustOpen(t, ks, Options{Now: clk.Now})
	server := mustOpen(t, ks, Options{Now: clk.Now})
	if err := operator.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	plan, err := operator.PlanRetire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, k, err := operator.Retire(ctx, plan); err != nil || k != 1 {
		t.Fatalf("Retire = %d keyring keys, %v; want 1", k, err)
	}
	ct := mustEncrypt(t, server, WorkspaceScope("new"), nil, []byte("signed up after the rewrap"))
	fresh := mustOpen(t, ks, Options{Now: clk.Now})
	if _, err := fresh.Decrypt(ctx, WorkspaceScope("new"), nil, ct); err != nil {
		t.Fatalf("value written by the long-running instance is unreadable: %v", err)
	}
}

// Keys rotating again while records are being re-encrypted must not make
// Retire delete the version the records were just moved to.
func TestRetireAfterRotationDuringRewrap(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	ks := newMemKeyStore()
	ctx := context.Background()
	b := mustOpen(t, ks, Options{Now: clk.Now})
	s := WorkspaceScope("w")
	old := mustEncrypt(t, b, s, nil, []byte("x"))
	if err := b.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	plan, err := b.PlanRetire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	moved, changed, err := b.Reencrypt(ctx, s, nil, old)
	if err != nil || !changed {
		t.Fatalf("Reencrypt: %v %v", changed, err)
	}
	if err := b.Rotate(ctx); err != nil { // during the pass
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	if d, _, err := b.Retire(ctx, plan); err != nil || d != 1 {
		t.Fatalf("Retire = %d data keys, %v; want 1 (version 1 only)", d, err)
	}
	if _, err := b.Decrypt(ctx, s, nil, moved); err != nil {
		t.Fatalf("value re-encrypted during the pass is unreadable: %v", err)
	}
}
