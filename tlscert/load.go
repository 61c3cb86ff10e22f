package tlscert

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// LoadOrCreate returns the certificate in certFile and keyFile when they are
// set, and otherwise the self-signed loopback certificate kept in dir (see
// package doc), creating it on first use and re-creating it when it expires
// within 30 days.
//
// A configured pair must be readable PEM, the key must match the
// certificate, and the certificate must be valid now; every error names the
// file at fault. Setting only one of the two files is an error.
func LoadOrCreate(dir, certFile, keyFile string) (tls.Certificate, error) {
	switch {
	case certFile != "" && keyFile != "":
		return loadConfigured(certFile, keyFile, time.Now())
	case certFile != "" || keyFile != "":
		return tls.Certificate{}, errors.New("tlscert: set both the certificate file and the key file, or neither")
	case dir == "":
		return tls.Certificate{}, errors.New("tlscert: no directory for the self-signed certificate")
	}
	return loadOrCreateSelfSigned(dir, time.Now())
}

// loadConfigured loads an operator-provided key pair and checks it is usable
// at now.
func loadConfigured(certFile, keyFile string, now time.Time) (tls.Certificate, error) {
	certPEM, err := readPEM(certFile, "CERTIFICATE")
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := readPEM(keyFile, "PRIVATE KEY")
	if err != nil {
		return tls.Certificate{}, err
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tlscert: key %s does not fit certificate %s: %w", keyFile, certFile, err)
	}
	if now.After(cert.Leaf.NotAfter) {
		return tls.Certificate{}, fmt.Errorf("tlscert: certificate %s expired on %s", certFile, cert.Leaf.NotAfter.UTC().Format(time.DateOnly))
	}
	if now.Before(cert.Leaf.NotBefore) {
		return tls.Certificate{}, fmt.Errorf("tlscert: certificate %s is not valid before %s", certFile, cert.Leaf.NotBefore.UTC().Format(time.RFC3339))
	}
	return cert, nil
}

// readPEM reads path and checks that it holds at least one PEM block whose
// type ends in typeSuffix ("CERTIFICATE"; "PRIVATE KEY" also matches the
// "EC PRIVATE KEY" and "RSA PRIVATE KEY" forms).
func readPEM(path, typeSuffix string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tlscert: read %s: %w", path, err)
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, fmt.Errorf("tlscert: %s holds no PEM %s block", path, typeSuffix)
		}
		if bytes.HasSuffix([]byte(block.Type), []byte(typeSuffix)) {
			return data, nil
		}
	}
}
