package export

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/barrier"
)

// manifestEntry is one file of the archive, as manifest.json lists it.
type manifestEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// archive writes the ZIP one entry at a time, hashing each as it goes,
// and reports progress over the items (notes, ideas, chats, files).
type archive struct {
	ctx      context.Context
	zw       *zip.Writer
	files    []manifestEntry
	done     int
	total    int
	progress func(done, total int)
	reported time.Time
}

// progressEvery is how often progress is reported, at most.
const progressEvery = 500 * time.Millisecond

// entry adds a file at path whose bytes fill writes; stored (not
// compressed) when store is set, for bytes that compress badly.
func (a *archive) entry(path string, store bool, fill func(w io.Writer) error) error {
	if err := a.ctx.Err(); err != nil {
		return err
	}
	h := &zip.FileHeader{Name: path, Method: zip.Deflate, Modified: time.Now().UTC()}
	if store {
		h.Method = zip.Store
	}
	zf, err := a.zw.CreateHeader(h)
	if err != nil {
		return err
	}
	sum := sha256.New()
	cw := &counter{w: io.MultiWriter(zf, sum)}
	if err := fill(cw); err != nil {
		return err
	}
	a.files = append(a.files, manifestEntry{Path: path, Size: cw.n, SHA256: hexSum(sum)})
	return nil
}

// json adds v at path as indented JSON.
func (a *archive) json(path string, v any) error {
	return a.entry(path, false, func(w io.Writer) error { return encodeJSON(w, v) })
}

// jsonArray adds at path a JSON array of what each emits, one element at a
// time: the array is never whole in memory.
func (a *archive) jsonArray(path string, each func(emit func(v any) error) error) error {
	return a.entry(path, false, func(w io.Writer) error {
		first := true
		if _, err := io.WriteString(w, "["); err != nil {
			return err
		}
		err := each(func(v any) error {
			sep := ",\n"
			if first {
				sep, first = "\n", false
			}
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
			b, err := json.MarshalIndent(v, "  ", "  ")
			if err != nil {
				return err
			}
			_, err = w.Write(append([]byte("  "), b...))
			return err
		})
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, "\n]\n")
		return err
	})
}

// item counts one item done and reports progress, at most every
// progressEvery.
func (a *archive) item() {
	a.done++
	if a.progress != nil && time.Since(a.reported) >= progressEvery {
		a.reported = time.Now()
		a.progress(a.done, max(a.total, a.done))
	}
}

// encodeJSON writes v as indented JSON.
func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// counter counts the bytes written through it.
type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// WriteArchive writes the ZIP archive of userID's data to w: their account,
// the content of the workspaces they own, and the workspaces and shares
// they take part in, listed (never the content of others' workspaces, nor
// of folders shared with them). It streams: notes, ideas and files are
// read a page at a time and written as they come. progress, if not nil, is called as items are
// written with how many are done of how many in all. The operator's
// command calls it directly; the worker through the encrypted store.
func (s *Service) WriteArchive(ctx context.Context, userID string, w io.Writer, progress func(done, total int)) error {
	u, err := s.cfg.Users.FindUserByID(ctx, userID)
	if err != nil {
		return err
	}
	all, err := s.workspaces(ctx, userID)
	if err != nil {
		return err
	}
	var owned []*quire.Workspace
	for _, m := range all {
		if m.ws != nil && m.ws.OwnerID == userID {
			owned = append(owned, m.ws)
		}
	}
	c, err := s.count(ctx, owned)
	if err != nil {
		return err
	}
	a := &archive{ctx: ctx, zw: zip.NewWriter(w), total: c.total(), progress: progress}
	if progress != nil {
		progress(0, a.total)
	}
	if err := s.writeParts(a, u, all, owned, c); err != nil {
		return err
	}
	if err := a.json("manifest.json", manifest{Format: formatName, UserID: userID, CreatedAt: s.now(), Files: a.files}); err != nil {
		return err
	}
	if err := a.zw.Close(); err != nil {
		return err
	}
	if progress != nil {
		progress(a.done, max(a.total, a.done))
	}
	return nil
}

// membership is a workspace the user belongs to; ws is nil for one whose
// keys are shredded (its owner deleted their account, and its rows wait
// for the purge), which the archive lists without a name.
type membership struct {
	*quire.ExportMembership
	ws *quire.Workspace
}

// workspaces lists the workspaces userID belongs to, oldest first, each
// read on its own so that a shredded one does not fail the export.
func (s *Service) workspaces(ctx context.Context, userID string) ([]membership, error) {
	list, err := s.cfg.Exports.FindExportMemberships(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]membership, 0, len(list))
	for _, m := range list {
		ws, err := s.cfg.Workspaces.FindWorkspaceByID(ctx, m.WorkspaceID)
		switch {
		case err == nil:
		case quire.ErrorCode(err) == quire.ENOTFOUND:
			continue // deleted meanwhile
		case errors.Is(err, barrier.ErrNoKey):
			ws = nil // shredded: listed as a deleted workspace
		default:
			return nil, err
		}
		out = append(out, membership{ExportMembership: m, ws: ws})
	}
	return out, nil
}

// OperatorArchive writes the archive of userID to w for an operator
// (`quire admin export`), as WriteArchive does, and records it in the
// user's security events.
func (s *Service) OperatorArchive(ctx context.Context, userID string, w io.Writer, progress func(done, total int)) error {
	if err := s.WriteArchive(ctx, userID, w, progress); err != nil {
		return err
	}
	s.audit(ctx, EventExportOperator, userID, "")
	return nil
}

// formatName names the archive's layout, for the manifest.
const formatName = "quire-export/1"

// manifest is manifest.json: every other file of the archive with its
// size and SHA-256.
type manifest struct {
	Format    string          `json:"format"`
	UserID    string          `json:"userId"`
	CreatedAt time.Time       `json:"createdAt"`
	Files     []manifestEntry `json:"files"`
}

// writeParts writes every part of the archive but the manifest, README
// first.
func (s *Service) writeParts(a *archive, u *quire.User, all []membership, owned []*quire.Workspace, c counts) error {
	steps := []func() error{
		func() error {
			return a.entry("README.md", false, func(w io.Writer) error { return writeReadme(w, u, c, s.now()) })
		},
		func() error { return s.writeProfile(a, u) },
		func() error { return s.writeWorkspaces(a, u.ID, all) },
		func() error { return s.writeFolders(a, owned) },
		func() error { return s.writeNotes(a, owned) },
		func() error { return s.writeIdeas(a, owned) },
		func() error { return s.writeChats(a, owned) },
		func() error { return s.writeFiles(a, owned) },
		func() error { return s.writeShares(a, u.ID, owned) },
		func() error { return s.writeSessions(a, u.ID) },
		func() error { return s.writeSecurityEvents(a, u.ID) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}
