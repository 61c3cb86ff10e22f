package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
	"github.com/quirehq/quire/config"
	"github.com/quirehq/quire/files"
)

// openFiles opens the configured file storage: a directory of the data
// directory, or an S3-compatible bucket (checked to exist).
func openFiles(cfg *config.Config, a *app) (*files.Service, error) {
	fc := cfg.Workspace.Files
	var backend blob.Backend
	switch fc.Storage {
	case config.StorageS3:
		s3, err := blob.NewS3(blob.S3Options{Endpoint: fc.S3.Endpoint, Bucket: fc.S3.Bucket, Region: fc.S3.Region,
			AccessKey: fc.S3.AccessKey.Reveal(), SecretKey: fc.S3.SecretKey.Reveal(), Secure: !fc.S3.Insecure, Prefix: fc.S3.Prefix})
		if err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s3.Check(ctx); err != nil {
			return nil, fmt.Errorf("files: bucket %s: %w", fc.S3.Bucket, err)
		}
		backend = s3
	default:
		local, err := blob.NewLocal(blob.LocalOptions{Dir: filepath.Join(cfg.DataDir, "blobs")})
		if err != nil {
			return nil, fmt.Errorf("files: %w", err)
		}
		a.closers = append(a.closers, local.Close)
		backend = local
	}
	blobs, err := blob.New(a.barrier, backend, blob.Options{})
	if err != nil {
		return nil, fmt.Errorf("files: %w", err)
	}
	return files.New(files.Config{Blobs: blobs, Backend: backend, Files: a.stores.files, MaxSize: int64(fc.MaxSizeMB) << 20})
}

// workspacesWithFiles deletes a workspace's files with the workspace.
type workspacesWithFiles struct {
	quire.WorkspaceService
	files *files.Service
	log   *slog.Logger
}

// DeleteWorkspace deletes the workspace, then its files' bytes. Bytes a
// failure leaves behind are unreadable (their keys went with the
// workspace) and the retention janitor's orphaned-files rule removes them.
func (w workspacesWithFiles) DeleteWorkspace(ctx context.Context, id string) error {
	if err := w.WorkspaceService.DeleteWorkspace(ctx, id); err != nil {
		return err
	}
	if err := w.files.DeleteWorkspace(ctx, id); err != nil {
		w.log.WarnContext(ctx, "files of a deleted workspace left to the sweep", "code", quire.ErrorCode(err))
	}
	return nil
}
