package breach

import (
	"bytes"
	"context"
	"crypto/sha1" // #nosec G505: SHA-1 is what the range API is keyed by, not a security boundary here.
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

const (
	// maxBody bounds a range response; a real padded one is about 40 KB.
	maxBody = 1 << 20
	// prefixLen is what is sent; the remaining suffixLen hex characters of
	// the SHA-1 stay in the process.
	prefixLen = 5
	suffixLen = 40 - prefixLen
)

// errMalformed is the cause of any response that is not the range format.
var errMalformed = errors.New("malformed range response")

// splitHash returns the upper-case hex SHA-1 of the raw UTF-8 password,
// as the range API expects, split into the prefix and the suffix.
func splitHash(pw string) (prefix, suffix string) {
	sum := sha1.Sum([]byte(pw))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	return h[:prefixLen], h[prefixLen:]
}

// rangeCount asks the range API for the prefix of pw and returns how often
// the suffix was seen (0 if never).
func (c *Checker) rangeCount(ctx context.Context, pw string) (int64, error) {
	prefix, suffix := splitHash(pw)
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.rangeURL+prefix, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", "Quire")
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, fmt.Errorf("range request: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("range request: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, fmt.Errorf("range response: %w", err)
	}
	if len(body) > maxBody {
		return 0, fmt.Errorf("range response: larger than %d bytes", maxBody)
	}
	return parseRange(body, suffix)
}

// parseRange reads lines "SUFFIX:COUNT" (LF or CRLF) and returns the count
// of suffix, compared case-insensitively. Entries with count 0 are padding
// and never match. Any malformed line fails the whole response.
func parseRange(body []byte, suffix string) (int64, error) {
	var found int64
	for n, line := range bytes.Split(body, []byte("\n")) {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		s, count, err := parseLine(line)
		if err != nil {
			return 0, fmt.Errorf("%w: line %d: %v", errMalformed, n+1, err)
		}
		if count > 0 && strings.EqualFold(s, suffix) {
			found = max(found, count)
		}
	}
	return found, nil
}

// parseLine splits one entry into its 35-hex-digit suffix and its count.
func parseLine(line []byte) (string, int64, error) {
	s, c, ok := bytes.Cut(line, []byte(":"))
	if !ok || len(s) != suffixLen || !isHex(s) {
		return "", 0, errors.New("want 35 hex digits, a colon and a count")
	}
	if len(c) == 0 || len(c) > 18 || !isDigits(c) {
		return "", 0, errors.New("bad count")
	}
	count, err := strconv.ParseInt(string(c), 10, 64)
	if err != nil {
		return "", 0, errors.New("bad count")
	}
	return string(s), count, nil
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
