package gateway

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
)

func TestRequestBodyReplays(t *testing.T) {
	b := GetBuffer()
	b.WriteString("hello world")
	body := NewRequestBody(b)
	if body.Len() != 11 {
		t.Fatalf("Len = %d", body.Len())
	}
	first, err := body.Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(first)
	if err != nil || string(got) != "hello world" {
		t.Fatalf("read %q, %v", got, err)
	}
	first.Close()
	first.Close()
	if _, err := first.Read(make([]byte, 1)); !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("read after Close: %v", err)
	}
	// The transport asks for the body again (GetBody) after the first
	// reader was read and closed: the owner still holds the bytes.
	second, err := body.Open()
	if err != nil {
		t.Fatal(err)
	}
	body.Release()
	body.Release() // idempotent: must not drop the reader's hold
	if got, err := io.ReadAll(second); err != nil || string(got) != "hello world" {
		t.Fatalf("replayed %q, %v", got, err)
	}
	second.Close()
	if _, err := body.Open(); !errors.Is(err, ErrBodyReleased) || body.Len() != 0 {
		t.Fatalf("Open after release: %v (Len %d)", err, body.Len())
	}
}

// TestRequestBodyCloseDuringRead runs reads and a close concurrently, as
// the HTTP transport may; under -race it proves no read touches a buffer
// that went back to the pool, and the reader never sees another body's
// bytes.
func TestRequestBodyCloseDuringRead(t *testing.T) {
	for range 200 {
		b := GetBuffer()
		b.WriteString(strings.Repeat("a", 4096))
		body := NewRequestBody(b)
		r, err := body.Open()
		if err != nil {
			t.Fatal(err)
		}
		body.Release()
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			p := make([]byte, 64)
			for {
				n, err := r.Read(p)
				if bytes.Count(p[:n], []byte("a")) != n {
					t.Error("read foreign bytes")
				}
				if err != nil {
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			r.Close()
			o := GetBuffer() // likely the same buffer: overwrite it
			o.WriteString(strings.Repeat("b", 4096))
			PutBuffer(o)
		}()
		wg.Wait()
	}
}

// TestPutBufferDropsLarge checks that a buffer grown past maxPooledBuffer
// is not pooled: sync.Pool hands a goroutine back what it just put, so a
// pooled large buffer would come back from GetBuffer here.
func TestPutBufferDropsLarge(t *testing.T) {
	for range 20 {
		large := new(bytes.Buffer)
		large.Grow(maxPooledBuffer + 1)
		PutBuffer(large)
		got := GetBuffer()
		if got == large {
			t.Fatal("a buffer larger than maxPooledBuffer came back from the pool")
		}
		if got.Len() != 0 {
			t.Fatalf("GetBuffer returned %d stale bytes", got.Len())
		}
	}
	PutBuffer(nil) // must not panic
	if GetBuffer() == nil {
		t.Fatal("nil pooled")
	}
}
