package blob_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/quirehq/quire/blob"
)

// fixture is a backend under test plus views of its raw storage that do
// not go through the backend itself.
type fixture struct {
	backend blob.Backend
	// leftovers lists what storage holds besides complete objects:
	// temporary files, incomplete multipart uploads.
	leftovers func(t *testing.T) []string
	// rawContains reports whether any byte stored anywhere, complete or
	// not, contains needle.
	rawContains func(t *testing.T, needle []byte) bool
	dir         string        // Local only: the blob directory
	raw         *minio.Client // S3 only: a client that bypasses blob.S3
}

func newMemFixture(t *testing.T) *fixture {
	m := newMemBackend()
	return &fixture{
		backend:   m,
		leftovers: func(*testing.T) []string { return nil },
		rawContains: func(_ *testing.T, needle []byte) bool {
			m.mu.Lock()
			defer m.mu.Unlock()
			for _, data := range m.objects {
				if bytes.Contains(data, needle) {
					return true
				}
			}
			return false
		},
	}
}

func newLocalFixture(t *testing.T) *fixture {
	dir := filepath.Join(t.TempDir(), "blobs")
	l, err := blob.NewLocal(blob.LocalOptions{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	return &fixture{
		backend: l,
		dir:     dir,
		leftovers: func(t *testing.T) []string {
			var out []string
			walkFiles(t, dir, func(rel string, _ []byte) {
				if strings.Contains(rel, ".tmp-") {
					out = append(out, rel)
				}
			})
			return out
		},
		rawContains: func(t *testing.T, needle []byte) bool {
			found := false
			walkFiles(t, dir, func(_ string, data []byte) { found = found || bytes.Contains(data, needle) })
			return found
		},
	}
}

// walkFiles calls fn with every regular file under dir.
func walkFiles(t *testing.T, dir string, fn func(rel string, data []byte)) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		fn(rel, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

const testBucket = "quire-blobs"

// newS3Fixture runs gofakes3 (in-memory) behind a TLS httptest server and
// points an S3 backend at it, with the test server's certificate as root.
func newS3Fixture(t *testing.T) *fixture {
	mem := s3mem.New()
	if err := mem.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(gofakes3.New(mem, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	t.Cleanup(ts.Close)
	roots := x509.NewCertPool()
	roots.AddCert(ts.Certificate())
	endpoint := ts.Listener.Addr().String()
	s3, err := blob.NewS3(blob.S3Options{Endpoint: endpoint, Bucket: testBucket, AccessKey: "test", SecretKey: "test-secret",
		Secure: true, RootCAs: roots, Prefix: "quire/", PartSize: 5 << 20})
	if err != nil {
		t.Fatal(err)
	}
	if err := s3.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	raw := rawS3Client(t, endpoint, roots)
	return &fixture{
		backend: s3,
		raw:     raw,
		leftovers: func(t *testing.T) []string {
			var out []string
			for u := range raw.ListIncompleteUploads(context.Background(), testBucket, "", true) {
				if minio.ToErrorResponse(u.Err).Code == "NoSuchUpload" {
					break // gofakes3's answer for a bucket that never had an upload
				} else if u.Err != nil {
					t.Fatal(u.Err)
				}
				out = append(out, u.Key)
			}
			return out
		},
		rawContains: func(t *testing.T, needle []byte) bool {
			return s3BucketContains(t, raw, needle)
		},
	}
}

// rawS3Client is a plain minio client on the fake server, to look at the
// bucket without going through blob.S3.
func rawS3Client(t *testing.T, endpoint string, roots *x509.CertPool) *minio.Client {
	tr, err := minio.DefaultTransport(true)
	if err != nil {
		t.Fatal(err)
	}
	tr.TLSClientConfig.RootCAs = roots
	c, err := minio.New(endpoint, &minio.Options{Creds: credentials.NewStaticV4("test", "test-secret", ""),
		Secure: true, Transport: tr, BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// s3BucketContains reads every object of the bucket, whatever its key.
func s3BucketContains(t *testing.T, c *minio.Client, needle []byte) bool {
	ctx := context.Background()
	for o := range c.ListObjectsIter(ctx, testBucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		obj, err := c.GetObject(ctx, testBucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err = buf.ReadFrom(obj)
		_ = obj.Close()
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(buf.Bytes(), needle) {
			return true
		}
	}
	return false
}

// The conformance suite, on every backend.
func TestLocal(t *testing.T) { runSuite(t, newLocalFixture) }
func TestS3(t *testing.T)    { runSuite(t, newS3Fixture) }
func TestMem(t *testing.T)   { runSuite(t, newMemFixture) }
