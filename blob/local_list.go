package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/quirehq/quire"
)

// List returns the keys of the files under prefix; temporary files of Puts
// in progress are not objects and are left out.
func (l *Local) List(ctx context.Context, prefix string) ([]string, error) {
	ws, err := parsePrefix(prefix, true)
	if err != nil {
		return nil, err
	}
	dirs := []string{ws}
	if ws == "" {
		if dirs, err = l.names("."); err != nil {
			return nil, err
		}
	}
	var keys []string
	for _, d := range dirs {
		names, err := l.names(d)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			keys = append(keys, d+"/"+n)
		}
	}
	slices.Sort(keys)
	return keys, nil
}

// names lists the entries of dir whose names are valid IDs.
func (l *Local) names(dir string) ([]string, error) {
	entries, err := fs.ReadDir(l.root.FS(), dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("blob: list: %w", err)
	}
	var out []string
	for _, e := range entries {
		if quire.ValidID(e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out, nil
}
