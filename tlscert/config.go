package tlscert

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"strings"
)

// cipherSuites are the TLS 1.2 suites the server accepts: forward secrecy
// (ECDHE) and authenticated encryption (AES-GCM, ChaCha20-Poly1305) only, for
// both ECDSA and RSA certificates. TLS 1.3 suites are not configurable in
// crypto/tls and are all AEAD.
var cipherSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// curves are the key exchanges the server accepts: X25519 and P-256, plus
// their post-quantum hybrids (X25519MLKEM768, SecP256r1MLKEM768), which
// crypto/tls prefers when the client offers them so that recorded traffic
// stays safe against a future quantum computer. crypto/tls ignores the order.
var curves = []tls.CurveID{
	tls.X25519MLKEM768,
	tls.SecP256r1MLKEM768,
	tls.X25519,
	tls.CurveP256,
}

// ServerConfig returns the tls.Config for an HTTPS listener serving cert:
// TLS 1.2 minimum (crypto/tls negotiates 1.3 whenever the client supports
// it), ECDHE+AEAD suites only for 1.2, X25519/P-256 key exchange, and ALPN
// for HTTP/2 and HTTP/1.1.
func ServerConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{
		Certificates:     []tls.Certificate{cert},
		MinVersion:       tls.VersionTLS12,
		CipherSuites:     append([]uint16(nil), cipherSuites...),
		CurvePreferences: append([]tls.CurveID(nil), curves...),
		NextProtos:       []string{"h2", "http/1.1"},
	}
}

// Fingerprint returns the SHA-256 fingerprint of cert's leaf certificate as
// upper-case hex pairs joined by colons (the form browsers show), so that an
// operator can compare it with what a client sees. It returns "" when cert
// holds no certificate.
func Fingerprint(cert tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	pairs := make([]string, len(sum))
	for i, b := range sum {
		pairs[i] = strings.ToUpper(hex.EncodeToString([]byte{b}))
	}
	return strings.Join(pairs, ":")
}
