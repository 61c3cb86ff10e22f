package trust

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/quirehq/quire/rawscan"
)

// errScanLimit means a scan met its byte budget before it finished.
var errScanLimit = rawscan.ErrBudget

// scanBufSize is how much of a file is searched at a time.
const scanBufSize = 1 << 20

// dirScan is what scanDir read and found.
type dirScan struct {
	files int
	bytes int64
	// hits maps a needle's index to the files (relative paths) holding it.
	hits map[int][]string
}

// scanDir streams every regular file under dir, bytewise, looking for each
// needle. Symbolic links and other special files are not followed: the walk
// goes through an os.Root, so it cannot leave dir. Files that vanish during
// the walk (a database's temporary files) are skipped. It stops with
// errScanLimit once it has read limit bytes. Files in skip (paths relative
// to dir) are left alone: the store scans its own database files, through
// handles it keeps open (see quire.StoreInspector.RawFiles).
func scanDir(ctx context.Context, dir string, needles [][]byte, limit int64, skip map[string]bool) (*dirScan, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open data directory: %w", err)
	}
	defer root.Close()
	res := &dirScan{hits: map[int][]string{}}
	longest := 0
	for _, n := range needles {
		longest = max(longest, len(n))
	}
	buf := make([]byte, scanBufSize+longest)
	err = fs.WalkDir(root.FS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if !d.Type().IsRegular() || skip[path] {
			return nil
		}
		return res.scanFile(ctx, root, path, needles, buf, limit)
	})
	if err != nil {
		return res, fmt.Errorf("scan data directory: %w", err)
	}
	return res, nil
}

func (res *dirScan) scanFile(ctx context.Context, root *os.Root, path string, needles [][]byte, buf []byte, limit int64) error {
	f, err := root.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	defer f.Close()
	found := map[int]bool{}
	n, err := rawscan.Reader(ctx, f, needles, buf, limit-res.bytes, func(i int, _ int64) bool {
		found[i] = true
		return true
	})
	res.files++
	res.bytes += n
	for i := range needles {
		if found[i] {
			res.hits[i] = append(res.hits[i], path)
		}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// humanBytes formats n in decimal units, as file managers do.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
