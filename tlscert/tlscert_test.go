package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadOrCreateCreatesSelfSigned(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	cert, err := LoadOrCreate(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	leaf := cert.Leaf
	if pub, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key = %T, want ECDSA P-256", leaf.PublicKey)
	}
	for _, host := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Errorf("certificate does not cover %s: %v", host, err)
		}
	}
	if err := leaf.VerifyHostname("example.com"); err == nil {
		t.Error("certificate covers example.com")
	}
	if left := time.Until(leaf.NotAfter); left < 300*24*time.Hour {
		t.Errorf("certificate valid for %v only", left)
	}
	assertMode(t, dir, 0o700)
	assertMode(t, filepath.Join(dir, certName), 0o644)
	assertMode(t, filepath.Join(dir, keyName), 0o600)
}

func TestLoadOrCreateNarrowsExistingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir, "", ""); err != nil {
		t.Fatal(err)
	}
	assertMode(t, dir, 0o700)
}

func TestLoadOrCreateReusesStoredCertificate(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadOrCreate(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreate(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if Fingerprint(first) != Fingerprint(second) {
		t.Error("second call created a new certificate")
	}
}

func TestLoadOrCreateReplacesStoredCertificate(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"expires within 30 days", func(t *testing.T, dir string) {
			writePair(t, dir, time.Now().Add(-300*24*time.Hour), 310*24*time.Hour)
		}},
		{"expired", func(t *testing.T, dir string) {
			writePair(t, dir, time.Now().Add(-400*24*time.Hour), 365*24*time.Hour)
		}},
		{"corrupt certificate", func(t *testing.T, dir string) {
			writePair(t, dir, time.Now(), validity)
			mustWrite(t, filepath.Join(dir, certName), "garbage", 0o644)
		}},
		{"key readable by others", func(t *testing.T, dir string) {
			writePair(t, dir, time.Now(), validity)
			if err := os.Chmod(filepath.Join(dir, keyName), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"key missing", func(t *testing.T, dir string) {
			writePair(t, dir, time.Now(), validity)
			if err := os.Remove(filepath.Join(dir, keyName)); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			before, _ := os.ReadFile(filepath.Join(dir, certName))
			cert, err := LoadOrCreate(dir, "", "")
			if err != nil {
				t.Fatal(err)
			}
			after, _ := os.ReadFile(filepath.Join(dir, certName))
			if string(before) == string(after) {
				t.Error("certificate file was not replaced")
			}
			if time.Until(cert.Leaf.NotAfter) < renewBefore {
				t.Errorf("new certificate expires %v", cert.Leaf.NotAfter)
			}
			assertMode(t, filepath.Join(dir, keyName), 0o600)
		})
	}
}

func TestLoadOrCreateKeepsCertificateOutsideRenewalWindow(t *testing.T) {
	dir := t.TempDir()
	writePair(t, dir, time.Now().Add(-300*24*time.Hour), 340*24*time.Hour) // 40 days left
	before, _ := os.ReadFile(filepath.Join(dir, certName))
	if _, err := LoadOrCreate(dir, "", ""); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, certName))
	if string(before) != string(after) {
		t.Error("certificate with 40 days left was replaced")
	}
}

func TestLoadOrCreateConfiguredFiles(t *testing.T) {
	src := t.TempDir()
	goodCert, goodKey := writePair(t, src, time.Now(), validity)
	otherDir := t.TempDir()
	_, otherKey := writePair(t, otherDir, time.Now(), validity)
	expiredDir := t.TempDir()
	expiredCert, expiredKey := writePair(t, expiredDir, time.Now().Add(-48*time.Hour), 24*time.Hour)
	badPEM := filepath.Join(t.TempDir(), "bad.pem")
	mustWrite(t, badPEM, "not a certificate\n", 0o600)
	missing := filepath.Join(t.TempDir(), "missing.pem")

	tests := []struct {
		name      string
		cert, key string
		wantErr   []string // substrings of the error; nil means success
	}{
		{"good pair", goodCert, goodKey, nil},
		{"bad certificate PEM", badPEM, goodKey, []string{badPEM, "no PEM"}},
		{"bad key PEM", goodCert, badPEM, []string{badPEM, "no PEM"}},
		{"certificate as key", goodCert, goodCert, []string{goodCert, "no PEM PRIVATE KEY"}},
		{"mismatched key", goodCert, otherKey, []string{otherKey, goodCert, "does not fit"}},
		{"expired", expiredCert, expiredKey, []string{expiredCert, "expired"}},
		{"missing certificate", missing, goodKey, []string{missing}},
		{"missing key", goodCert, missing, []string{missing}},
		{"only certificate", goodCert, "", []string{"both"}},
		{"only key", "", goodKey, []string{"both"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cert, err := LoadOrCreate(dir, tt.cert, tt.key)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				want, _ := tls.LoadX509KeyPair(goodCert, goodKey)
				if Fingerprint(cert) != Fingerprint(want) {
					t.Error("loaded a different certificate")
				}
				if entries, _ := os.ReadDir(dir); len(entries) != 0 {
					t.Errorf("configured files also wrote %d files to the data dir", len(entries))
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoadOrCreateNeedsDir(t *testing.T) {
	if _, err := LoadOrCreate("", "", ""); err == nil {
		t.Fatal("no error for an empty directory")
	}
}

func TestFingerprint(t *testing.T) {
	cert, err := LoadOrCreate(t.TempDir(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(cert.Certificate[0])
	got := Fingerprint(cert)
	want := strings.ToUpper(strings.Join(hexPairs(sum[:]), ":"))
	if got != want {
		t.Errorf("Fingerprint = %s, want %s", got, want)
	}
	if len(got) != 32*3-1 {
		t.Errorf("fingerprint length %d", len(got))
	}
	if Fingerprint(tls.Certificate{}) != "" {
		t.Error("fingerprint of an empty certificate is not empty")
	}
}

func TestServerConfig(t *testing.T) {
	cert, err := LoadOrCreate(t.TempDir(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg := ServerConfig(cert)
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x", cfg.MinVersion)
	}
	if cfg.MaxVersion != 0 {
		t.Errorf("MaxVersion = %x, want 0 (TLS 1.3 available)", cfg.MaxVersion)
	}
	if len(cfg.Certificates) != 1 {
		t.Errorf("%d certificates", len(cfg.Certificates))
	}
	if strings.Join(cfg.NextProtos, ",") != "h2,http/1.1" {
		t.Errorf("NextProtos = %v", cfg.NextProtos)
	}
	for _, id := range cfg.CipherSuites {
		name := tls.CipherSuiteName(id)
		if !strings.HasPrefix(name, "TLS_ECDHE_") || !(strings.Contains(name, "_GCM_") || strings.Contains(name, "CHACHA20_POLY1305")) {
			t.Errorf("suite %s is not ECDHE+AEAD", name)
		}
	}
	if len(cfg.CipherSuites) != 6 {
		t.Errorf("%d suites, want 6", len(cfg.CipherSuites))
	}
	for _, c := range cfg.CurvePreferences {
		switch c {
		case tls.X25519, tls.CurveP256, tls.X25519MLKEM768, tls.SecP256r1MLKEM768:
		default:
			t.Errorf("unexpected curve %v", c)
		}
	}
	cfg.CipherSuites[0] = 0
	if ServerConfig(cert).CipherSuites[0] == 0 {
		t.Error("ServerConfig shares its suite slice between calls")
	}
}

// writePair writes a self-signed pair valid from notBefore (plus the backdate)
// for lifetime into dir and returns the two paths.
func writePair(t *testing.T, dir string, notBefore time.Time, lifetime time.Duration) (certPath, keyPath string) {
	t.Helper()
	certPEM, keyPEM, err := generate(notBefore, lifetime)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, certName), filepath.Join(dir, keyName)
	mustWrite(t, certPath, string(certPEM), 0o644)
	mustWrite(t, keyPath, string(keyPEM), 0o600)
	return certPath, keyPath
}

func mustWrite(t *testing.T, path, data string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s mode = %o, want %o", filepath.Base(path), got, want)
	}
}

func hexPairs(b []byte) []string {
	out := make([]string, len(b))
	for i, c := range b {
		out[i] = fmt.Sprintf("%02x", c)
	}
	return out
}
