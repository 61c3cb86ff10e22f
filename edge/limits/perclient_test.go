package limits

import (
	"strconv"
	"sync"
	"testing"
)

func TestPerClientCapsEachClientAlone(t *testing.T) {
	p := NewPerClient(3)
	for i := range 3 {
		if !p.Acquire("a") {
			t.Fatalf("slot %d refused", i)
		}
	}
	if p.Acquire("a") {
		t.Fatal("a fourth slot was granted")
	}
	if !p.Acquire("b") {
		t.Fatal("another client was refused")
	}
	p.Release("a")
	if !p.Acquire("a") {
		t.Fatal("a released slot was not reusable")
	}
	for range 3 {
		p.Release("a")
	}
	p.Release("b")
	if n := p.Clients(); n != 0 {
		t.Fatalf("%d clients tracked after every release, want 0", n)
	}
}

// TestPerClientConcurrent races many clients; with -race it also checks
// the locking. At the end nothing is held.
func TestPerClientConcurrent(t *testing.T) {
	p := NewPerClient(4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	peak := map[string]int{}
	held := map[string]int{}
	for g := range 64 {
		wg.Go(func() {
			key := "client-" + strconv.Itoa(g%8)
			for range 200 {
				if !p.Acquire(key) {
					continue
				}
				mu.Lock()
				held[key]++
				peak[key] = max(peak[key], held[key])
				mu.Unlock()
				mu.Lock()
				held[key]--
				mu.Unlock()
				p.Release(key)
			}
		})
	}
	wg.Wait()
	for k, v := range peak {
		if v > 4 {
			t.Fatalf("%s held %d slots at once, cap 4", k, v)
		}
	}
	if n := p.Clients(); n != 0 {
		t.Fatalf("%d clients tracked after the run, want 0", n)
	}
}

func TestNewPerClientPanicsOnZero(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	NewPerClient(0)
}
