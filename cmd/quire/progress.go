package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress draws a progress bar on a terminal, or prints a line at every
// tenth of the way on anything else, so that long operations show progress
// in logs too.
type progress struct {
	w        io.Writer
	label    string
	tty      bool
	started  time.Time
	lastDraw time.Time
	lastTen  int
}

func newProgress(w io.Writer, label string) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, label: label, tty: tty, started: time.Now(), lastTen: -1}
}

// Update reports done of total.
func (p *progress) Update(done, total int) {
	if total <= 0 {
		return
	}
	pct := done * 100 / total
	if !p.tty {
		if ten := pct / 10; ten != p.lastTen {
			p.lastTen = ten
			fmt.Fprintf(p.w, "%s: %d%% (%d/%d)\n", p.label, pct, done, total)
		}
		return
	}
	if done != total && time.Since(p.lastDraw) < 50*time.Millisecond {
		return
	}
	p.lastDraw = time.Now()
	const width = 30
	fill := done * width / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill), pct, done, total)
	if done == total {
		fmt.Fprintf(p.w, " (%s)\n", time.Since(p.started).Round(time.Millisecond))
	}
}
