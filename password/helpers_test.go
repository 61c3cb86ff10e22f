package password

import (
	"context"
	"errors"
	"testing"

	"github.com/quirehq/quire"
)

// fast are small parameters for tests that are about logic, not cost.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustNew(t testing.TB, o Options) *Hasher {
	t.Helper()
	h, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return h
}

func mustHash(t testing.TB, h *Hasher, pw string) string {
	t.Helper()
	enc, err := h.Hash(context.Background(), pw)
	if err != nil {
		t.Fatalf("Hash: %v", err)
	}
	return enc
}

// wantCode fails unless err is a *quire.Error with the code.
func wantCode(t testing.TB, err error, code string) *quire.Error {
	t.Helper()
	var qe *quire.Error
	if !errors.As(err, &qe) || qe.Code != code {
		t.Fatalf("error = %v, want *quire.Error with code %q", err, code)
	}
	return qe
}
