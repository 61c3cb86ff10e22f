package breach

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"time"
)

// newHTTPClient returns the default client; roots nil means the system's.
func newHTTPClient(timeout time.Duration, roots *x509.CertPool) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse // a redirect is an unexpected status
		},
	}
}
