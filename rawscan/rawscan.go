// Package rawscan searches raw bytes for needles as they stream past:
// database files as they lie on disk, a whole data directory. The stores and
// the trust checks use it to show that plaintext never reached storage,
// so it reads below every decoding layer and misses nothing that straddles
// two reads.
package rawscan

import (
	"bytes"
	"context"
	"errors"
	"io"
)

// ErrBudget means the reader held more bytes than the scan was allowed to
// read; what was read up to then has been searched.
var ErrBudget = errors.New("rawscan: byte budget reached before the end")

// Reader reads r to the end through buf and calls found(i, off) for every
// occurrence of needles[i] at byte offset off, each once. Windows overlap by
// the longest needle's length less one, so buf must be longer than that.
// found returns false to stop the scan early. Reader reads at most budget
// bytes (a negative budget means no limit), then fails with ErrBudget; it
// returns the number of bytes read.
func Reader(ctx context.Context, r io.Reader, needles [][]byte, buf []byte, budget int64, found func(i int, off int64) bool) (int64, error) {
	keep := 0
	for _, n := range needles {
		keep = max(keep, len(n)-1)
	}
	if len(buf) <= keep {
		return 0, errors.New("rawscan: buffer shorter than a needle")
	}
	var total, base, searched int64 // bytes read; offset of buf[0]; end of the last window
	have := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		n, err := r.Read(buf[have:])
		if n > 0 {
			if total += int64(n); budget >= 0 && total > budget {
				return total, ErrBudget
			}
			window := buf[:have+n]
			if !search(window, base, searched, needles, found) {
				return total, nil
			}
			searched = base + int64(len(window))
			have = min(len(window), keep)
			copy(buf, window[len(window)-have:])
			base = searched - int64(have)
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		} else if err != nil {
			return total, err
		}
	}
}

// search reports the needles in window, which starts at offset base, that
// end past searched (those that end earlier were seen in the last window).
// It returns false when found asks to stop.
func search(window []byte, base, searched int64, needles [][]byte, found func(int, int64) bool) bool {
	for i, nd := range needles {
		if len(nd) == 0 {
			continue
		}
		for j := 0; ; {
			k := bytes.Index(window[j:], nd)
			if k < 0 {
				break
			}
			off := base + int64(j+k)
			if off+int64(len(nd)) > searched && !found(i, off) {
				return false
			}
			j += k + 1
		}
	}
	return true
}
