package files

import (
	"context"
	"strings"

	"github.com/quirehq/quire"
)

// Sweep deletes the blobs of workspace ws that have no row, and returns
// how many it deleted. Backends do not tell a blob's age, so Sweep
// remembers when it first saw each blob without a row and deletes it only
// when a later call, at least Grace after, still finds none: an upload in
// flight (its blob stored, its row not yet written) is never hit. Run it
// periodically, every Grace or so; a restart only delays the deletion.
func (s *Service) Sweep(ctx context.Context, ws string) (int, error) {
	if !quire.ValidID(ws) {
		return 0, quire.Errorf(quire.EINVALID, "Workspace ID is not a valid identifier.")
	}
	// Blobs first, rows second: a row is written after its blob, so a
	// file complete before the listing has its row in the second read.
	keys, err := s.cfg.Backend.List(ctx, ws+"/")
	if err != nil {
		return 0, err
	}
	rows, err := s.cfg.Files.FindFileIDs(ctx, quire.FileFilter{WorkspaceID: ws})
	if err != nil {
		return 0, err
	}
	due := s.due(ws, keys, rows)
	n := 0
	for _, id := range due {
		if err := s.cfg.Blobs.Delete(ctx, ws, id); err != nil {
			return n, err
		}
		s.mu.Lock()
		delete(s.orphans, ws+"/"+id)
		s.mu.Unlock()
		n++
	}
	return n, nil
}

// SweepAll runs Sweep on every workspace that has blobs, a deleted
// workspace whose blobs outlived it included, and returns how many blobs
// it deleted in all.
func (s *Service) SweepAll(ctx context.Context) (int, error) {
	keys, err := s.cfg.Backend.List(ctx, "")
	if err != nil {
		return 0, err
	}
	total := 0
	for i, key := range keys {
		ws, _, _ := strings.Cut(key, "/")
		if i > 0 && strings.HasPrefix(keys[i-1], ws+"/") {
			continue // keys are sorted: one Sweep per workspace
		}
		n, err := s.Sweep(ctx, ws)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// due records the blobs of ws (keys) without a row (rows), forgets those
// no longer without one, and returns the IDs seen without a row for at
// least Grace.
func (s *Service) due(ws string, keys, rows []string) []string {
	has := make(map[string]bool, len(rows))
	for _, id := range rows {
		has[id] = true
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	orphan := map[string]bool{}
	var due []string
	for _, key := range keys {
		_, id, _ := strings.Cut(key, "/")
		if has[id] {
			continue
		}
		orphan[key] = true
		first, seen := s.orphans[key]
		if !seen {
			s.orphans[key] = now
		} else if now.Sub(first) >= s.cfg.Grace {
			due = append(due, id)
		}
	}
	for key := range s.orphans {
		if strings.HasPrefix(key, ws+"/") && !orphan[key] {
			delete(s.orphans, key) // adopted by its row, or gone
		}
	}
	return due
}
