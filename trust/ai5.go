package trust

import (
	"bytes"
	"context"
	"crypto/rand"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Log retention limits for claim AI-5.
const (
	defaultRetention = 7 * 24 * time.Hour
	maxRetention     = 30 * 24 * time.Hour
	retentionSlack   = 24 * time.Hour
)

// checkAI5 checks the diagnostic log files' permissions and age, and probes
// the production logger's masking with fresh sensitive values.
func checkAI5(ctx context.Context, env *Env) (Status, []string) {
	var e evidence
	logRetention(&e, env.Logs.Retention)
	retentionEvidence(&e, env, "diagnostic logs")
	if env.Logs.Dir == "" {
		e.failf("diagnostic log directory not available: run with the deployment's configuration")
	} else {
		logFiles(ctx, &e, env.Logs.Dir, env.Logs.Retention)
	}
	if env.Logs.NewLogger == nil {
		e.failf("production logger not available: its masking cannot be probed")
	} else {
		maskingProbe(ctx, &e, env.Logs)
	}
	return e.result()
}

func logRetention(e *evidence, r time.Duration) {
	days := r.Hours() / 24
	switch {
	case r <= 0:
		e.failf("log retention is not set")
	case r > maxRetention:
		e.failf("log retention is %.1f days, beyond the 30-day limit", days)
	case r > defaultRetention:
		e.notef("log retention: %.1f days (longer than the default of 7, within the 30-day limit)", days)
	default:
		e.notef("log retention: %.1f days (default 7)", days)
	}
}

// logFiles checks the directory's and files' modes and that no log file
// outlived the retention period.
func logFiles(ctx context.Context, e *evidence, dir string, retention time.Duration) {
	fi, err := os.Stat(dir)
	if err != nil {
		e.failf("log directory: %v", err)
		return
	}
	if !fi.IsDir() {
		e.failf("log directory %s is not a directory", dir)
		return
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		e.failf("log directory %s has mode %#o, want 0700", dir, perm)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		e.failf("list the log directory: %v", err)
		return
	}
	var logs, loose int
	var oldest time.Duration
	now := time.Now()
	for _, d := range entries {
		if ctx.Err() != nil {
			e.failf("log directory check: %v", ctx.Err())
			return
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue // vanished, or not a file: nothing stored in it
		}
		if perm := info.Mode().Perm(); perm&0o077 != 0 {
			loose++
			e.failf("log file %s has mode %#o, want 0600", d.Name(), perm)
		}
		if ok, _ := filepath.Match("quire-*.log", d.Name()); !ok {
			continue
		}
		logs++
		age := now.Sub(info.ModTime())
		oldest = max(oldest, age)
		if retention > 0 && age > retention+retentionSlack {
			e.failf("log file %s was last written %s ago, beyond the retention period", d.Name(), age.Round(time.Hour))
		}
	}
	e.notef("log directory %s (mode %#o): %d log file(s), oldest last written %s ago; %d file(s) with loose permissions",
		dir, fi.Mode().Perm(), logs, approx(oldest), loose)
}

// maskingProbe logs fresh sensitive values through the production logger
// and fails for each one that appears in its output.
func maskingProbe(ctx context.Context, e *evidence, li LogInfo) {
	// needle is the part of each value that must not appear: the random
	// marker, without the fixed text around it.
	pw, mail, tok, card, body := newMarker(), newMarker(), newMarker(), cardNumber(), newMarker()
	mail2, card2, tok2 := newMarker(), cardNumber(), newMarker()
	secrets := []struct{ key, value, needle, what string }{
		{"password", "pw-" + pw, pw, "password"},
		{"email", mail + "@canary.invalid", mail, "email address"},
		{"authorization", "Bearer " + tok, tok, "bearer token"},
		{"card_number", card, card, "card number"},
		{"content", "Note body " + body, body, "note body"},
		// Under neutral keys, only the value scanners can catch them.
		{"detail", "reply to " + mail2 + "@canary.invalid", mail2, "email address in free text"},
		{"reason", "charged " + card2[:4] + " " + card2[4:8] + " " + card2[8:12] + " " + card2[12:], card2[4:8] + " " + card2[8:12], "card number in free text"},
		{"upstream", "request had Authorization: Bearer " + tok2, tok2, "bearer token in free text"},
	}
	var buf bytes.Buffer
	args := make([]any, 0, 2*len(secrets))
	for _, s := range secrets {
		args = append(args, s.key, s.value)
	}
	li.NewLogger(&buf).InfoContext(ctx, "trust masking probe", args...)
	if buf.Len() == 0 || !bytes.Contains(buf.Bytes(), []byte("trust masking probe")) {
		e.failf("masking probe: the logger wrote no record, so its masking cannot be verified")
		return
	}
	leaked := 0
	for _, s := range secrets {
		if bytes.Contains(buf.Bytes(), []byte(s.needle)) {
			leaked++
			e.failf("masking probe: the %s logged under %q appears in the log output", s.what, s.key)
		}
	}
	if leaked == 0 {
		e.notef("masking probe: a record with a password, an email address, a bearer token, a card number and a note body under their own keys, and an email address, a card number and a bearer token inside neutral text, was logged; none of them appears in the %d bytes written", buf.Len())
	}
}

// cardNumber returns a random 16-digit number that passes the Luhn check,
// so that a masker that recognises card numbers sees a real-looking one.
func cardNumber() string {
	digits := make([]byte, 16)
	digits[0] = 4
	for i := 1; i < 15; i++ {
		n, _ := rand.Int(rand.Reader, big.NewInt(10)) // crypto/rand never fails on supported platforms
		digits[i] = byte(n.Int64())
	}
	digits[15] = luhnCheckDigit(digits[:15])
	var b strings.Builder
	for _, d := range digits {
		b.WriteByte('0' + d)
	}
	return b.String()
}

// luhnCheckDigit returns the digit that completes payload (digit values,
// not characters) to a Luhn-valid number.
func luhnCheckDigit(payload []byte) byte {
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i])
		if (len(payload)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte((10 - sum%10) % 10)
}
