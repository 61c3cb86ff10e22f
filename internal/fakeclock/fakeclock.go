// Package fakeclock is a manual clock for tests: a test and the code under
// test share it, and only the test moves it.
package fakeclock

import (
	"sync"
	"time"
)

// Clock is a time that changes only when Add is called. It is safe for
// concurrent use.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// New returns a Clock set to a fixed instant in 2030 (UTC).
func New() *Clock {
	return &Clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

// Now returns the clock's time; pass it where code takes a
// func() time.Time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
