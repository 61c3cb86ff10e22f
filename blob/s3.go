package blob

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/quirehq/quire"
)

const (
	// DefaultS3PartSize is the multipart part size for large uploads: each
	// upload in flight buffers one part. S3 allows at least 5 MiB.
	DefaultS3PartSize = 16 << 20
	minS3PartSize     = 5 << 20
	// s3SmallObject is the size up to which an upload is buffered and sent
	// in one PUT instead of a multipart upload (three requests).
	s3SmallObject = 1 << 20
)

// S3Options configure an S3 backend.
type S3Options struct {
	Endpoint  string // host[:port], without a scheme
	Bucket    string // must exist
	Region    string // optional
	AccessKey string
	SecretKey string
	// Secure selects HTTPS (TLS 1.2+, certificates verified). Plain HTTP is
	// refused unless the endpoint is on the loopback interface.
	Secure bool
	// Prefix is prepended to every key, e.g. "quire/"; a slash is added if
	// missing.
	Prefix string
	// RootCAs, if set, replaces the system roots for a private CA.
	RootCAs *x509.CertPool
	// PartSize is the multipart part size, at least 5 MiB. Default
	// DefaultS3PartSize.
	PartSize int
}

// S3 stores blobs as objects in an S3-compatible bucket.
type S3 struct {
	client   *minio.Client
	bucket   string
	prefix   string
	partSize uint64
}

var _ Backend = (*S3)(nil)

// NewS3 validates opts and returns the backend; it makes no request (see
// Check).
func NewS3(opts S3Options) (*S3, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	mo := &minio.Options{
		Creds:        credentials.NewStaticV4(opts.AccessKey, opts.SecretKey, ""),
		Secure:       opts.Secure,
		Region:       opts.Region,
		BucketLookup: minio.BucketLookupPath,
	}
	if opts.Secure && opts.RootCAs != nil {
		// minio-go's transport, with TLS 1.2 as its floor, and our roots.
		tr, err := minio.DefaultTransport(true)
		if err != nil {
			return nil, fmt.Errorf("blob: s3 transport: %w", err)
		}
		tr.TLSClientConfig.RootCAs = opts.RootCAs
		mo.Transport = tr
	}
	client, err := minio.New(opts.Endpoint, mo)
	if err != nil {
		return nil, quire.WrapError(quire.EINVALID, "S3 endpoint is not valid.", err)
	}
	prefix := strings.Trim(opts.Prefix, "/")
	if prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: opts.Bucket, prefix: prefix, partSize: uint64(opts.PartSize)}, nil
}

// validate checks opts and fills in defaults.
func (o *S3Options) validate() error {
	if o.PartSize == 0 {
		o.PartSize = DefaultS3PartSize
	}
	switch {
	case o.Endpoint == "" || o.Bucket == "":
		return quire.Errorf(quire.EINVALID, "S3 endpoint and bucket must be set.")
	case strings.ContainsAny(o.Endpoint, "/?#@ "):
		return quire.Errorf(quire.EINVALID, "S3 endpoint must be host[:port], without a scheme or a path (set Secure for HTTPS).")
	case o.PartSize < minS3PartSize:
		return quire.Errorf(quire.EINVALID, "S3 part size must be at least %d bytes.", minS3PartSize)
	case !o.Secure && !loopbackEndpoint(o.Endpoint):
		return quire.Errorf(quire.EINVALID, "S3 endpoint must use TLS (secure); plain HTTP is allowed only to a loopback address.")
	}
	return nil
}

// loopbackEndpoint reports whether host[:port] names a loopback address.
func loopbackEndpoint(endpoint string) bool {
	host := endpoint
	if h, _, err := net.SplitHostPort(endpoint); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Check verifies that the bucket exists and the credentials can reach it.
func (s *S3) Check(ctx context.Context) error {
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return quire.WrapError(quire.EUNAVAILABLE, "S3 bucket is not reachable.", err)
	}
	if !ok {
		return quire.Errorf(quire.EINVALID, "S3 bucket does not exist.")
	}
	return nil
}

// Put uploads r. Small objects go in one PUT; larger ones stream as a
// multipart upload, which S3 makes visible only once complete and which
// minio-go aborts on failure.
func (s *S3) Put(ctx context.Context, key string, r io.Reader) error {
	if _, _, err := splitKey(key); err != nil {
		return err
	}
	r = ctxReader{ctx, r}
	var head bytes.Buffer
	n, err := io.CopyN(&head, r, s3SmallObject+1)
	if err != nil && err != io.EOF {
		return err
	}
	var body io.Reader = &head
	size := n
	if n > s3SmallObject {
		body, size = io.MultiReader(&head, r), -1
	}
	opts := minio.PutObjectOptions{PartSize: s.partSize, ContentType: "application/octet-stream"}
	if _, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, body, size, opts); err != nil {
		return fmt.Errorf("blob: s3 put: %w", err)
	}
	return nil
}

// Get opens the object of key.
func (s *S3) Get(ctx context.Context, key string) (io.ReadCloser, int64, error) {
	if _, _, err := splitKey(key); err != nil {
		return nil, 0, err
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("blob: s3 get: %w", err)
	}
	info, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		if minio.ToErrorResponse(err).Code == minio.NoSuchKey {
			return nil, 0, notFound()
		}
		return nil, 0, fmt.Errorf("blob: s3 get: %w", err)
	}
	return obj, info.Size, nil
}

// Delete removes the object of key; S3 deletes are idempotent.
func (s *S3) Delete(ctx context.Context, key string) error {
	if _, _, err := splitKey(key); err != nil {
		return err
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return fmt.Errorf("blob: s3 delete: %w", err)
	}
	return nil
}
