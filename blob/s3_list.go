package blob

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"
)

// DeletePrefix removes every object of a workspace in batched deletes.
func (s *S3) DeletePrefix(ctx context.Context, prefix string) error {
	if _, err := parsePrefix(prefix, false); err != nil {
		return err
	}
	var listErr error
	objects := func(yield func(minio.ObjectInfo) bool) {
		for o := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
			if o.Err != nil {
				listErr = o.Err
				return
			}
			if !yield(o) {
				return
			}
		}
	}
	results, err := s.client.RemoveObjectsWithIter(ctx, s.bucket, objects, minio.RemoveObjectsOptions{})
	if err != nil {
		return fmt.Errorf("blob: s3 delete workspace: %w", err)
	}
	for r := range results {
		if r.Err != nil {
			return fmt.Errorf("blob: s3 delete workspace: %w", r.Err)
		}
	}
	if listErr != nil {
		return fmt.Errorf("blob: s3 list: %w", listErr)
	}
	return ctx.Err()
}

// List returns the keys under prefix, without the configured key prefix.
// Objects not named as Quire names blobs (<workspace>/<blob>) are left
// out: a shared bucket may hold others.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	if _, err := parsePrefix(prefix, true); err != nil {
		return nil, err
	}
	var keys []string
	for o := range s.client.ListObjectsIter(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix + prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("blob: s3 list: %w", o.Err)
		}
		key := strings.TrimPrefix(o.Key, s.prefix)
		if _, _, err := splitKey(key); err != nil {
			continue // not Quire's: a shared bucket may hold other objects
		}
		keys = append(keys, key)
	}
	slices.Sort(keys)
	return keys, nil
}
