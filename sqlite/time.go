package sqlite

import (
	"fmt"
	"time"
)

// timeLayout stores timestamps as fixed-width UTC text with microseconds:
// readable in the sqlite3 shell, sortable as text, and at the precision
// PostgreSQL keeps, so both stores return the same values.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// now returns the current time in UTC at the stored precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// after returns now, or just after prev if the clock has not moved past it,
// so that an update always advances UpdatedAt.
func after(prev time.Time) time.Time {
	t := now()
	if !t.After(prev) {
		t = prev.Add(time.Microsecond)
	}
	return t
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored timestamp: %w", err)
	}
	return t.UTC(), nil
}
