package config

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

const day = 24 * time.Hour

// maxDays is the largest whole number of days a time.Duration holds.
const maxDays = int64(1<<63-1) / int64(day)

var errDuration = errors.New("invalid duration")

// parseDuration accepts Go duration syntax ("90s", "1h30m") and a leading
// whole number of days ("7d", "1d12h"), since retention and rotation periods
// read naturally in days and time.ParseDuration has no day unit.
func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, 'd')
	if i < 0 {
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, errDuration
		}
		return d, nil
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n < 0 || n > maxDays {
		return 0, errDuration
	}
	d := time.Duration(n) * day
	if rest := s[i+1:]; rest != "" {
		r, err := time.ParseDuration(rest)
		if err != nil || r < 0 || r > time.Duration(1<<63-1)-d {
			return 0, errDuration
		}
		d += r
	}
	return d, nil
}
