package tlscert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names and lifetimes of the self-signed certificate.
const (
	certName = "cert.pem"
	keyName  = "key.pem"

	// validity is how long a new self-signed certificate lasts.
	validity = 365 * 24 * time.Hour
	// renewBefore is how close to expiry a stored certificate is replaced.
	renewBefore = 30 * 24 * time.Hour
	// backdate covers clients whose clocks run slightly behind.
	backdate = time.Hour
)

// loopbackDNS and loopbackIPs are the names the self-signed certificate covers.
var (
	loopbackDNS = []string{"localhost"}
	loopbackIPs = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
)

// loadOrCreateSelfSigned returns the stored self-signed certificate in dir
// if it is usable at now, and otherwise writes and returns a new one.
func loadOrCreateSelfSigned(dir string, now time.Time) (tls.Certificate, error) {
	if err := ensureDir(dir); err != nil {
		return tls.Certificate{}, err
	}
	certPath, keyPath := filepath.Join(dir, certName), filepath.Join(dir, keyName)
	cert, err := loadStored(certPath, keyPath, now)
	if err == nil {
		return cert, nil
	} else if !errors.Is(err, errReplace) {
		return tls.Certificate{}, err
	}
	certPEM, keyPEM, err := generate(now, validity)
	if err != nil {
		return tls.Certificate{}, err
	}
	// The key goes first: a crash between the two writes leaves a pair that
	// does not match, which the next start replaces.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := writeFileAtomic(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	cert, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlscert: parse new certificate: %w", err)
	}
	return cert, nil
}

// errReplace marks a stored certificate that is missing, unreadable as a
// key pair, exposed or near expiry: it is replaced rather than reported.
var errReplace = errors.New("tlscert: stored certificate must be replaced")

// loadStored loads the stored pair, returning an error wrapping errReplace
// when a new pair should be generated and any other error for I/O failures.
func loadStored(certPath, keyPath string, now time.Time) (tls.Certificate, error) {
	info, err := os.Stat(keyPath)
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, errReplace
	} else if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlscert: stat %s: %w", keyPath, err)
	} else if info.Mode().Perm()&0o077 != 0 {
		// Others could have read the key: it is no longer private.
		return tls.Certificate{}, errReplace
	}
	certPEM, err := os.ReadFile(certPath)
	if errors.Is(err, fs.ErrNotExist) {
		return tls.Certificate{}, errReplace
	} else if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlscert: read %s: %w", certPath, err)
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlscert: read %s: %w", keyPath, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", errReplace, err)
	}
	if now.Add(renewBefore).After(cert.Leaf.NotAfter) || now.Before(cert.Leaf.NotBefore) {
		return tls.Certificate{}, errReplace
	}
	return cert, nil
}

// generate returns a new self-signed ECDSA P-256 certificate for the
// loopback names, valid from now for lifetime, as PEM.
func generate(now time.Time, lifetime time.Duration) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"Quire"}, CommonName: "localhost"},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(lifetime),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              loopbackDNS,
		IPAddresses:           loopbackIPs,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: create certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("tlscert: encode key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, nil
}
