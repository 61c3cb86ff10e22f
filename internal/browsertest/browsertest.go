// Package browsertest starts Debian's chromium, headless and with a fresh
// profile, for the tests that drive Quire's pages in a real browser.
package browsertest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Path is Debian's chromium, or the binary QUIRE_CHROMIUM names. Without
// one the test is skipped with a message starting "no browser at", which
// CI refuses to see.
func Path(t testing.TB) string {
	t.Helper()
	path := os.Getenv("QUIRE_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no browser at %s (install Debian's chromium, or set QUIRE_CHROMIUM): %v", path, err)
	}
	return path
}

// Options adjust the browser Start launches.
type Options struct {
	// Width and Height size the window (chromium's default when zero).
	Width, Height int
	// Flags are extra command-line switches, such as a fake microphone's.
	Flags map[string]any
}

// Start launches the chromium at exec with a new, empty profile and the
// switches that keep it off the network, and returns the context of its
// first tab. The browser exits and its profile is removed when the test
// ends.
func Start(t testing.TB, exec string, o Options) context.Context {
	t.Helper()
	dir, err := os.MkdirTemp("", "quire-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeProfile(t, dir) })
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exec), chromedp.UserDataDir(dir),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck, chromedp.IgnoreCertErrors,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
	}
	if o.Width > 0 && o.Height > 0 {
		opts = append(opts, chromedp.WindowSize(o.Width, o.Height))
	}
	for name, value := range o.Flags {
		opts = append(opts, chromedp.Flag(name, value))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
	})
	return tabCtx
}

// removeProfile removes the browser's profile directory. The browser's
// children can write to it briefly after it exits, so it tries again.
func removeProfile(t testing.TB, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("remove browser profile: %v", err)
}
