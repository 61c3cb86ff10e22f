package config

import "strings"

// File storage backends.
const (
	StorageLocal = "local"
	StorageS3    = "s3"
)

// Files configures where the workspace's files (attachments, kept voice
// recordings) are stored, always encrypted with their workspace's key.
type Files struct {
	// Storage is local (default: <data>/blobs) or s3.
	Storage string `yaml:"storage"`
	// MaxSizeMB is the largest file accepted (default 25).
	MaxSizeMB int `yaml:"max_size_mb"`
	// S3 is the S3-compatible bucket, with storage: s3.
	S3 S3 `yaml:"s3"`
}

// S3 is an S3-compatible bucket.
type S3 struct {
	Endpoint  string `yaml:"endpoint"` // host[:port], no scheme
	Bucket    string `yaml:"bucket"`   // must exist
	Region    string `yaml:"region"`
	AccessKey Secret `yaml:"access_key"`
	SecretKey Secret `yaml:"secret_key"`
	// Prefix is put before every object key (e.g. quire/).
	Prefix string `yaml:"prefix"`
	// Insecure uses plain HTTP: only for a loopback endpoint in
	// development.
	Insecure bool `yaml:"insecure"`
	// Attestation is a reference for the storage provider's terms (free
	// text or an https URL), shown in the sub-processor list (claim SUB-1).
	Attestation string `yaml:"attestation"`
}

// File size bounds, in MiB.
const (
	DefaultMaxFileMB = 25
	maxFileMB        = 1024
)

func (c *Config) validateFiles(p *problems) {
	f := c.Workspace.Files
	if f.MaxSizeMB < 1 || f.MaxSizeMB > maxFileMB {
		p.add("workspace.files.max_size_mb", "must be from 1 to %d", maxFileMB)
	}
	switch f.Storage {
	case StorageLocal:
	case StorageS3:
		c.validateS3(p, f.S3)
	default:
		p.add("workspace.files.storage", `must be "local" or "s3"`)
	}
}

func (c *Config) validateS3(p *problems, s S3) {
	const key = "workspace.files.s3."
	if s.Endpoint == "" || strings.Contains(s.Endpoint, "://") || strings.ContainsAny(s.Endpoint, "/ ") {
		p.add(key+"endpoint", "required: the host[:port] of the S3 API, without a scheme or path")
	}
	if s.Bucket == "" {
		p.add(key+"bucket", "required: the name of an existing bucket")
	}
	if s.AccessKey == "" || s.SecretKey == "" {
		p.add(key+"access_key", "access_key and secret_key are both required; keep them in the environment (${S3_ACCESS_KEY})")
	}
	if s.Insecure && c.Production() {
		p.add(key+"insecure", "production mode stores files over TLS only")
	}
}
