// Package tlscert provides Quire's TLS material: a certificate loaded from
// configured files or, for a zero-configuration start, a self-signed ECDSA
// P-256 certificate for the loopback names kept under the data directory, and
// the one server-side tls.Config every HTTPS listener uses (claim TLS-1).
package tlscert
