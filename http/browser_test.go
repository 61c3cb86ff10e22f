package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	quirehttp "github.com/quirehq/quire/http"
	"github.com/quirehq/quire/internal/authtest"
	"github.com/quirehq/quire/internal/browsertest"
)

// TestBrowserJourney is the account system tried as a new user would, in
// a real browser over TLS: sign up, confirm the address from the email,
// turn on TOTP, sign out and in again with the second factor, create an
// API key and use it. Along the way it checks that the session cookie is
// out of JavaScript's reach and that the Content-Security-Policy blocked
// nothing on any page.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	exec := browsertest.Path(t)
	svc, outbox := authtest.New(t)
	srv := openServer(t, quirehttp.Config{Auth: svc, AuthBurst: 1000}, nil)
	j := &journey{t: t, base: srv.URL(), outbox: outbox, client: srv.client,
		email: "new.user@example.com", password: "a long and unguessable passphrase 7"}
	j.ctx = startBrowser(t, exec)
	j.console = watchConsole(t, j.ctx)

	j.signUp()
	j.verifyEmail()
	secret := j.enrolTOTP()
	j.signOut()
	j.signInWithTOTP(secret)
	j.checkSessionCookie()
	key := j.createAPIKey()
	j.callAPI(key)
	j.checkNoCSPViolations()
}

// startBrowser starts headless chromium with a fresh profile and returns
// a tab's context, ended after at most a minute or with the test.
func startBrowser(t testing.TB, exec string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(browsertest.Start(t, exec, browsertest.Options{}), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// journey is one user's way through the pages in the browser.
type journey struct {
	t               *testing.T
	ctx             context.Context
	base            string
	outbox          string
	client          *http.Client
	console         *consoleLog
	email, password string
}

// do runs browser steps and fails the test at the first that fails.
func (j *journey) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	j.t.Helper()
	if err := chromedp.Do(j.ctx, steps...); err != nil {
		j.t.Fatalf("%s: %v\nbrowser console:\n%s", what, err, j.console)
	}
}

// text returns the text of the element with the id.
func (j *journey) text(id string) string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Text(chromedp.ID(id)))
	if err != nil {
		j.t.Fatalf("text of #%s: %v", id, err)
	}
	return strings.TrimSpace(s)
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](j *journey, expr string) T {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		j.t.Fatalf("evaluate %q: %v", expr, err)
	}
	return v
}

// path returns the path of the page the browser shows.
func (j *journey) path() string {
	j.t.Helper()
	loc, err := chromedp.Run(j.ctx, chromedp.Location())
	if err != nil {
		j.t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		j.t.Fatal(err)
	}
	return u.Path
}

// submit clicks the submit button of the form with the id and waits for
// the element with the id next.
func (j *journey) submit(form, next string) {
	j.t.Helper()
	j.do("submit #"+form, chromedp.Click(chromedp.CSS("#"+form+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.ID(next)))
}

// consoleLog records what the page says in its console and the errors it
// throws. A script the test adds to every page logs each CSP violation
// event there too.
type consoleLog struct {
	mu    sync.Mutex
	lines []string
}

func (c *consoleLog) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lines = append(c.lines, s)
}

// String returns every recorded line.
func (c *consoleLog) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.Join(c.lines, "\n")
}

// violations returns the lines that report a blocked resource or inline
// code, or a script error.
func (c *consoleLog) violations() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, l := range c.lines {
		if strings.Contains(l, "Refused to") || strings.Contains(l, "Content Security Policy") ||
			strings.Contains(l, "csp-violation") || strings.HasPrefix(l, "exception:") {
			out = append(out, l)
		}
	}
	return out
}

// reported reports whether every one of parts is in some recorded line.
func (c *consoleLog) reported(parts ...string) bool {
	all := c.String()
	for _, p := range parts {
		if !strings.Contains(all, p) {
			return false
		}
	}
	return true
}

// cspReporter runs before any page script and reports every
// securitypolicyviolation event to the console, where the test sees it.
const cspReporter = `addEventListener("securitypolicyviolation", (e) => {
	console.error("csp-violation: " + e.violatedDirective + " " + e.blockedURI);
});`

// watchConsole starts recording the tab's console, log entries and
// uncaught exceptions, and installs cspReporter in every document.
func watchConsole(t *testing.T, ctx context.Context) *consoleLog {
	t.Helper()
	c := &consoleLog{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			}
			c.add("console." + string(e.Type) + ": " + strings.Join(parts, " "))
		case *log.EventEntryAdded:
			c.add("log." + string(e.Entry.Level) + ": " + e.Entry.Text)
		case *runtime.EventExceptionThrown:
			c.add("exception: " + e.ExceptionDetails.Text)
		}
	})
	if err != nil {
		t.Fatalf("listen to the browser: %v", err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: cspReporter}); err != nil {
		t.Fatalf("install the CSP reporter: %v", err)
	}
	return c
}

// cookies returns the browser's cookies for the server.
func (j *journey) cookies() []*network.Cookie {
	j.t.Helper()
	res, err := chromedp.Call(j.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{j.base + "/"}})
	if err != nil {
		j.t.Fatalf("get cookies: %v", err)
	}
	return res.Cookies
}
