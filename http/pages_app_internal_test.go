package http

import (
	"strings"
	"testing"
)

// TestAssetVersionFollowsContent: the version in an asset's URL is a hash
// of its content, so any change to the bundle, even one byte, gives a new
// URL, and the same content always the same one.
func TestAssetVersionFollowsContent(t *testing.T) {
	js, err := pageFS.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	v := contentVersion(js)
	if len(v) != 16 || strings.Trim(v, "0123456789abcdef") != "" {
		t.Fatalf("version %q: want 16 hex digits", v)
	}
	if got := assetHash("app.js"); got != v {
		t.Errorf("assetHash(app.js) = %q, want the hash of the embedded file %q", got, v)
	}
	if got := assetURL("app.js"); got != "/static/app.js?v="+v {
		t.Errorf("assetURL(app.js) = %q", got)
	}
	changed := append([]byte(nil), js...)
	changed[len(changed)/2] ^= 1
	if contentVersion(changed) == v {
		t.Error("a one-bit change to the bundle kept its version")
	}
	if contentVersion(append([]byte(nil), js...)) != v {
		t.Error("the same content gave another version")
	}
	if assetHash("no-such-file.js") != "" {
		t.Error("a missing asset has a version")
	}
}
