package mail

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAtomicLeavesNoPartialFile(t *testing.T) {
	dir := t.TempDir()
	failing := func(w io.Writer) error {
		if _, err := io.WriteString(w, "Subject: half a message\r\n"); err != nil {
			return err
		}
		return errors.New("disk full")
	}
	if err := writeAtomic(dir, "m.eml", failing); err == nil {
		t.Fatal("writeAtomic succeeded with a failing writer")
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("a failed write left %q", names)
	}
}

func TestWriteAtomicRenameFailureCleansUp(t *testing.T) {
	dir := t.TempDir()
	// A non-empty directory in the way makes the final rename fail.
	if err := os.MkdirAll(filepath.Join(dir, "m.eml", "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	ok := func(w io.Writer) error { _, err := io.WriteString(w, "whole"); return err }
	if err := writeAtomic(dir, "m.eml", ok); err == nil {
		t.Fatal("writeAtomic succeeded over a directory")
	}
	if names := dirNames(t, dir); len(names) != 1 || names[0] != "m.eml" {
		t.Errorf("dir holds %q, want only the directory in the way", names)
	}
}

func TestWriteAtomicWritesWhole(t *testing.T) {
	dir := t.TempDir()
	ok := func(w io.Writer) error { _, err := io.WriteString(w, "whole"); return err }
	if err := writeAtomic(dir, "m.eml", ok); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "m.eml"))
	if err != nil || string(b) != "whole" {
		t.Fatalf("content = %q (%v)", b, err)
	}
	if names := dirNames(t, dir); len(names) != 1 {
		t.Errorf("dir holds %q, want only m.eml", names)
	}
}
