package blob

import (
	"context"
	"fmt"

	"github.com/quirehq/quire/rawscan"
)

// Scan reads every complete object under prefix ("" for all) as raw
// bytes, below the encryption, and returns the keys of those that contain
// any of needles. Canary tests and audits use it to show that plaintext
// never reaches the backend. It sees what List sees: not the temporary
// files of Puts in progress, which hold the same ciphertext.
func Scan(ctx context.Context, b Backend, prefix string, needles [][]byte) ([]string, error) {
	keys, err := b.List(ctx, prefix)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 64<<10)
	var hits []string
	for _, key := range keys {
		found, err := scanObject(ctx, b, key, needles, buf)
		if err != nil {
			return nil, err
		}
		if found {
			hits = append(hits, key)
		}
	}
	return hits, nil
}

func scanObject(ctx context.Context, b Backend, key string, needles [][]byte, buf []byte) (bool, error) {
	rc, _, err := b.Get(ctx, key)
	if err != nil {
		return false, err
	}
	defer rc.Close()
	found := false
	_, err = rawscan.Reader(ctx, rc, needles, buf, -1, func(int, int64) bool {
		found = true
		return false
	})
	if err != nil {
		return false, fmt.Errorf("blob: scan: %w", err)
	}
	return found, nil
}
