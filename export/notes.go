package export

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/quirehq/quire"
)

// noteJSON is notes/…/<title>-<id>.json: the note's metadata, its folder's
// name, and then (written after it, one at a time) its version history:
// every kept earlier version with its text, oldest first.
type noteJSON struct {
	*quire.Note
	Folder   string `json:"folder,omitempty"`
	Markdown string `json:"markdown"`
}

// writeNotes writes every note of the workspaces as Markdown, and as JSON
// with metadata and versions, under notes/<workspace>/<folder>/.
func (s *Service) writeNotes(a *archive, owned []*quire.Workspace) error {
	for _, ws := range owned {
		folders, err := s.folderNames(a, ws.ID)
		if err != nil {
			return err
		}
		dir := "notes/" + slug(ws.Name, "workspace") + "-" + ws.ID + "/"
		err = s.eachID(a, quire.ExportNotes, ws.ID, func(id string) error {
			n, err := s.cfg.Notes.FindNoteByID(a.ctx, ws.ID, id)
			if quire.ErrorCode(err) == quire.ENOTFOUND {
				return nil // deleted meanwhile
			} else if err != nil {
				return err
			}
			return s.writeNote(a, dir, folders, n)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachID calls fn with the ID of every row of table in workspace ws, in ID
// order, a page at a time (keyset paging: rows edited, added or deleted
// meanwhile neither repeat nor push others out, so no path of the archive
// is written twice).
func (s *Service) eachID(a *archive, table, ws string, fn func(id string) error) error {
	after := ""
	for {
		ids, err := s.cfg.Exports.FindExportIDs(a.ctx, table, ws, after, pageSize)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < pageSize {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

// writeNote writes one note's two files.
func (s *Service) writeNote(a *archive, dir string, folders map[string]string, n *quire.Note) error {
	base := dir
	if name, ok := folders[n.FolderID]; ok {
		base += slug(name, "folder") + "-" + n.FolderID + "/"
	}
	base += slug(n.Title, "untitled") + "-" + n.ID
	md := base + ".md"
	if err := a.entry(md, false, func(w io.Writer) error {
		_, err := io.WriteString(w, n.Content)
		return err
	}); err != nil {
		return err
	}
	if err := a.entry(base+".json", false, func(w io.Writer) error {
		return s.writeNoteJSON(a, w, noteJSON{Note: n, Folder: folders[n.FolderID], Markdown: md})
	}); err != nil {
		return err
	}
	a.item()
	return nil
}

// writeNoteJSON writes v as a JSON object with a "versions" member after
// its fields, each version read and written on its own (a note's history
// may hold many versions of up to 1 MiB each).
func (s *Service) writeNoteJSON(a *archive, w io.Writer, v noteJSON) error {
	list, err := s.cfg.Notes.FindNoteVersions(a.ctx, v.WorkspaceID, v.ID)
	if err != nil {
		return err
	}
	head, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	head = bytes.TrimSuffix(head, []byte("\n}"))
	if _, err := w.Write(append(head, ",\n  \"versions\": ["...)); err != nil {
		return err
	}
	first := true
	for _, meta := range list {
		full, err := s.cfg.Notes.FindNoteVersion(a.ctx, v.WorkspaceID, v.ID, meta.Version)
		if quire.ErrorCode(err) == quire.ENOTFOUND {
			continue // pruned meanwhile
		} else if err != nil {
			return err
		}
		b, err := json.MarshalIndent(full, "    ", "  ")
		if err != nil {
			return err
		}
		sep := ",\n    "
		if first {
			sep, first = "\n    ", false
		}
		if _, err := w.Write(append([]byte(sep), b...)); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "\n  ]\n}\n")
	return err
}

// folderNames maps the workspace's folder IDs to their names.
func (s *Service) folderNames(a *archive, ws string) (map[string]string, error) {
	folders, err := s.cfg.Folders.FindFolders(a.ctx, ws)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(folders))
	for _, f := range folders {
		names[f.ID] = f.Name
	}
	return names, nil
}

// eachIdea calls fn with every idea of the workspaces, newest first in
// each, a page at a time (keyset paging: ideas added or deleted meanwhile
// neither repeat nor push others out).
func (s *Service) eachIdea(a *archive, owned []*quire.Workspace, fn func(i *quire.Idea, folder string) error) error {
	for _, ws := range owned {
		folders, err := s.folderNames(a, ws.ID)
		if err != nil {
			return err
		}
		f := quire.IdeaFilter{WorkspaceID: ws.ID, Limit: pageSize}
		for {
			page, _, err := s.cfg.Ideas.FindIdeas(a.ctx, f)
			if err != nil {
				return err
			}
			for _, i := range page {
				if err := fn(i, folders[i.FolderID]); err != nil {
					return err
				}
			}
			if len(page) < pageSize {
				break
			}
			last := page[len(page)-1]
			f.After = &quire.IdeaCursor{CreatedAt: last.CreatedAt, ID: last.ID}
		}
	}
	return nil
}

// ideaJSON is one entry of ideas.json.
type ideaJSON struct {
	*quire.Idea
	Folder string `json:"folder,omitempty"`
}

// writeIdeas writes ideas.csv, then ideas.json (a second pass: a ZIP is
// written one file at a time).
func (s *Service) writeIdeas(a *archive, owned []*quire.Workspace) error {
	err := a.entry("ideas.csv", false, func(w io.Writer) error {
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"ideaId", "workspaceId", "folderId", "folder", "text", "createdAt", "updatedAt"}); err != nil {
			return err
		}
		err := s.eachIdea(a, owned, func(i *quire.Idea, folder string) error {
			return cw.Write([]string{i.ID, i.WorkspaceID, i.FolderID, csvCell(folder), csvCell(i.Text),
				i.CreatedAt.UTC().Format(time.RFC3339Nano), i.UpdatedAt.UTC().Format(time.RFC3339Nano)})
		})
		if err != nil {
			return err
		}
		cw.Flush()
		return cw.Error()
	})
	if err != nil {
		return err
	}
	return a.jsonArray("ideas.json", func(emit func(v any) error) error {
		return s.eachIdea(a, owned, func(i *quire.Idea, folder string) error {
			if err := emit(ideaJSON{Idea: i, Folder: folder}); err != nil {
				return err
			}
			a.item()
			return nil
		})
	})
}

// csvCell defuses a cell that a spreadsheet would run as a formula: one
// that starts with = + - @, a tab or a carriage return gets a leading
// apostrophe.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// filesJSON is files.json: the metadata of every file; the bytes are in
// files/<id>-<name>.
type fileJSON struct {
	*quire.File
	Path string `json:"path"`
}

// writeFiles writes every file's bytes, as they decrypt, then files.json
// (a second pass over the files written, one entry at a time: neither list
// is ever whole in memory, only the IDs of the files written).
func (s *Service) writeFiles(a *archive, owned []*quire.Workspace) error {
	paths := map[string]string{}
	if s.cfg.Files != nil {
		for _, ws := range owned {
			err := s.eachID(a, quire.ExportFiles, ws.ID, func(id string) error {
				path, err := s.writeFile(a, ws.ID, id)
				if path != "" {
					paths[id] = path
				}
				return err
			})
			if err != nil {
				return err
			}
		}
	}
	return a.jsonArray("files.json", func(emit func(v any) error) error {
		if len(paths) == 0 {
			return nil
		}
		for _, ws := range owned {
			err := s.eachID(a, quire.ExportFiles, ws.ID, func(id string) error {
				path, ok := paths[id]
				if !ok {
					return nil // added after its bytes were written
				}
				f, err := s.cfg.Files.Find(a.ctx, ws.ID, id)
				if quire.ErrorCode(err) == quire.ENOTFOUND {
					f = &quire.File{ID: id, WorkspaceID: ws.ID} // deleted since: its bytes are in the archive
				} else if err != nil {
					return err
				}
				return emit(fileJSON{File: f, Path: path})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// writeFile writes the bytes of file id and returns its path; a file
// deleted meanwhile is skipped ("").
func (s *Service) writeFile(a *archive, ws, id string) (string, error) {
	f, rc, err := s.cfg.Files.Open(a.ctx, ws, id)
	if quire.ErrorCode(err) == quire.ENOTFOUND {
		a.item()
		return "", nil
	} else if err != nil {
		return "", err
	}
	defer rc.Close()
	path := "files/" + f.ID + "-" + fileName(f.Name)
	if err := a.entry(path, true, func(w io.Writer) error {
		_, err := io.Copy(w, rc)
		return err
	}); err != nil {
		return "", err
	}
	a.item()
	return path, nil
}
