package blob_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

func TestNewS3Refuses(t *testing.T) {
	base := blob.S3Options{Endpoint: "s3.example.com", Bucket: "b", AccessKey: "a", SecretKey: "s", Secure: true}
	for name, mod := range map[string]func(*blob.S3Options){
		"plain HTTP to a remote host": func(o *blob.S3Options) { o.Secure = false },
		"plain HTTP to a remote IP":   func(o *blob.S3Options) { o.Secure, o.Endpoint = false, "10.0.0.5:9000" },
		"no endpoint":                 func(o *blob.S3Options) { o.Endpoint = "" },
		"no bucket":                   func(o *blob.S3Options) { o.Bucket = "" },
		"part size below 5 MiB":       func(o *blob.S3Options) { o.PartSize = 1 << 20 },
		"endpoint with a scheme":      func(o *blob.S3Options) { o.Endpoint = "https://s3.example.com" },
	} {
		opts := base
		mod(&opts)
		if _, err := blob.NewS3(opts); err == nil {
			t.Errorf("%s: NewS3 succeeded", name)
		}
	}
	for _, ep := range []string{"127.0.0.1:9000", "localhost:9000", "[::1]:9000"} {
		opts := base
		opts.Secure, opts.Endpoint = false, ep
		if _, err := blob.NewS3(opts); err != nil {
			t.Errorf("plain HTTP to loopback %s refused: %v", ep, err)
		}
	}
}

// TestS3PlainLoopback: plain HTTP works to a loopback server, objects land
// under the key prefix, and Check tells a missing bucket.
func TestS3PlainLoopback(t *testing.T) {
	mem := s3mem.New()
	if err := mem.CreateBucket(testBucket); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(gofakes3.New(mem, gofakes3.WithLogger(gofakes3.DiscardLog())).Server())
	defer ts.Close()
	opts := blob.S3Options{Endpoint: ts.Listener.Addr().String(), Bucket: testBucket, AccessKey: "a", SecretKey: "s", Prefix: "/tenant-a"}
	s3, err := blob.NewS3(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s3.Check(ctx); err != nil {
		t.Fatal(err)
	}
	key := quire.NewID() + "/" + quire.NewID()
	putRaw(t, s3, key, []byte("under the prefix"))
	if _, err := mem.HeadObject(testBucket, "tenant-a/"+key); err != nil {
		t.Fatalf("object not under the key prefix: %v", err)
	}
	if keys, _ := s3.List(ctx, ""); len(keys) != 1 || keys[0] != key {
		t.Fatalf("List = %v, want [%s] without the prefix", keys, key)
	}
	opts.Bucket = "missing-bucket"
	missing, _ := blob.NewS3(opts)
	wantCode(t, missing.Check(ctx), quire.EINVALID)
}

// TestS3LeftoversVisible checks the fixture's own leftover detection: an
// abandoned multipart upload is a leftover, and not an object.
func TestS3LeftoversVisible(t *testing.T) {
	f := newS3Fixture(t)
	key := quire.NewID() + "/" + quire.NewID()
	core := minio.Core{Client: f.raw}
	if _, err := core.NewMultipartUpload(context.Background(), testBucket, "quire/"+key, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if left := f.leftovers(t); len(left) != 1 || !strings.HasSuffix(left[0], key) {
		t.Fatalf("leftovers = %v, want the abandoned upload", left)
	}
	if keys, _ := f.backend.List(context.Background(), ""); len(keys) != 0 {
		t.Fatalf("List shows an incomplete upload: %v", keys)
	}
}
