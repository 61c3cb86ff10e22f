package mail

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP is a small SMTP server on 127.0.0.1 for tests: EHLO, STARTTLS
// (with a self-signed certificate), AUTH PLAIN, MAIL, RCPT, DATA, RSET,
// NOOP and QUIT. It records each session.
type fakeSMTP struct {
	// Behaviour; set before start.
	startTLS   bool        // advertise and accept STARTTLS
	implicit   bool        // speak TLS from the first byte
	authPlain  bool        // advertise AUTH PLAIN once the connection is encrypted
	rejectRcpt bool        // answer RCPT with 550 quoting the address
	silent     bool        // never greet: a stuck relay
	tlsConfig  *tls.Config // server TLS configuration

	ln       net.Listener
	sessions chan *session
	wg       sync.WaitGroup
}

// session is what the fake server saw on one connection.
type session struct {
	commands   []string // command verbs in order, with "|TLS|" after an upgrade
	encrypted  bool
	tlsVersion uint16
	tlsErr     error
	auth       string // decoded AUTH PLAIN response
	mailFrom   string
	rcpts      []string
	data       string
}

// serverCert returns a self-signed certificate for 127.0.0.1 and
// localhost, and a pool that trusts it.
func serverCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, IsCA: true, BasicConstraintsValid: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// start listens on 127.0.0.1 and serves connections until the test ends.
func (f *fakeSMTP) start(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.ln, f.sessions = ln, make(chan *session, 16)
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(func() { _ = ln.Close(); f.wg.Wait() })
	return ln.Addr().(*net.TCPAddr).Port
}

// accept serves each connection in turn.
func (f *fakeSMTP) accept() {
	defer f.wg.Done()
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		// Bound every session so that a stuck client cannot hang the test.
		_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
		s := &session{}
		f.serve(conn, s)
		_ = conn.Close()
		f.sessions <- s
	}
}

// next returns the next finished session; the session deadline bounds
// the wait.
func (f *fakeSMTP) next(t *testing.T) *session {
	t.Helper()
	select {
	case s := <-f.sessions:
		return s
	case <-time.After(30 * time.Second):
		t.Fatal("no SMTP session")
		return nil
	}
}

// serve speaks SMTP on conn until QUIT, an error, or a failed handshake.
func (f *fakeSMTP) serve(conn net.Conn, s *session) {
	if f.implicit {
		tc := tls.Server(conn, f.tlsConfig)
		if !f.handshake(tc, s) {
			return
		}
		conn = tc
	}
	if f.silent {
		_, _ = conn.Read(make([]byte, 1)) // until the client gives up
		return
	}
	tp := textproto.NewConn(conn)
	_ = tp.PrintfLine("220 fake ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.commands = append(s.commands, verb)
		switch verb {
		case "STARTTLS":
			if !f.startTLS || s.encrypted {
				_ = tp.PrintfLine("502 no")
				continue
			}
			_ = tp.PrintfLine("220 go ahead")
			tc := tls.Server(conn, f.tlsConfig)
			if !f.handshake(tc, s) {
				return
			}
			conn, tp = tc, textproto.NewConn(tc)
			s.commands = append(s.commands, "|TLS|")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			f.command(tp, s, verb, arg)
		}
	}
}

// handshake runs the server side of TLS and records its outcome.
func (f *fakeSMTP) handshake(tc *tls.Conn, s *session) bool {
	if err := tc.Handshake(); err != nil {
		s.tlsErr = err
		return false
	}
	s.encrypted, s.tlsVersion = true, tc.ConnectionState().Version
	return true
}

// command answers one command other than STARTTLS and QUIT.
func (f *fakeSMTP) command(tp *textproto.Conn, s *session, verb, arg string) {
	switch verb {
	case "EHLO", "HELO":
		f.ehlo(tp, s)
	case "AUTH":
		f.authenticate(tp, s, arg)
	case "MAIL":
		s.mailFrom = arg
		_ = tp.PrintfLine("250 ok")
	case "RCPT":
		s.rcpts = append(s.rcpts, arg)
		if f.rejectRcpt {
			_ = tp.PrintfLine("550 5.1.1 %s: no such user", strings.TrimPrefix(arg, "TO:"))
			return
		}
		_ = tp.PrintfLine("250 ok")
	case "DATA":
		_ = tp.PrintfLine("354 end with .")
		b, err := tp.ReadDotBytes()
		if err != nil {
			return
		}
		s.data = string(b)
		_ = tp.PrintfLine("250 queued")
	case "RSET", "NOOP":
		_ = tp.PrintfLine("250 ok")
	default:
		_ = tp.PrintfLine("502 unknown command")
	}
}

// ehlo lists the extensions on offer in the connection's current state.
func (f *fakeSMTP) ehlo(tp *textproto.Conn, s *session) {
	lines := []string{"fake", "8BITMIME"}
	if f.startTLS && !s.encrypted {
		lines = append(lines, "STARTTLS")
	}
	if f.authPlain && s.encrypted {
		lines = append(lines, "AUTH PLAIN")
	}
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		_ = tp.PrintfLine("250%s%s", sep, l)
	}
}

// authenticate accepts AUTH PLAIN, with or without an initial response.
func (f *fakeSMTP) authenticate(tp *textproto.Conn, s *session, arg string) {
	mech, resp, _ := strings.Cut(arg, " ")
	if !f.authPlain || !s.encrypted || !strings.EqualFold(mech, "PLAIN") {
		_ = tp.PrintfLine("504 unsupported")
		return
	}
	if resp == "" {
		_ = tp.PrintfLine("334 ")
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		resp = line
	}
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		_ = tp.PrintfLine("501 bad base64")
		return
	}
	s.auth = string(b)
	_ = tp.PrintfLine("235 ok")
}

// sawBefore reports whether any of verbs came before the TLS upgrade
// marker (or at all, if there was none).
func (s *session) sawBefore(verbs ...string) bool {
	for _, c := range s.commands {
		if c == "|TLS|" {
			return false
		}
		for _, v := range verbs {
			if c == v {
				return true
			}
		}
	}
	return false
}
