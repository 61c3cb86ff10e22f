package bot

import (
	"net/http"
	"strings"
)

// MaxUserAgent is the longest User-Agent a client is taken to be a
// browser with: real browsers send a few hundred bytes, and the Detector
// flags a longer one as automated (LongUserAgent).
const MaxUserAgent = 2048

// Signal is a set of automation signals read from a request's headers.
// They are deliberately few and conservative: each is something a real
// browser does not do.
type Signal uint8

// Signals.
const (
	// NoUserAgent: the request has no User-Agent or an empty one.
	NoUserAgent Signal = 1 << iota
	// LongUserAgent: the User-Agent is longer than MaxUserAgent.
	LongUserAgent
	// ManyUserAgents: the request has more than one User-Agent line.
	ManyUserAgents
	// BareBrowser: a GET or HEAD whose User-Agent claims a browser
	// ("Mozilla/…") but that sends neither Accept nor Accept-Language. A
	// browser sends Accept on every request but a WebSocket handshake, and
	// Accept-Language on that one.
	BareBrowser
	// HeadlessHint: the Sec-CH-UA client hint names HeadlessChrome, even
	// though the User-Agent may not.
	HeadlessHint
	// ToolHeader: a header that only a known tool sends (headerSignatures).
	ToolHeader
)

var signalNames = []string{
	"no_user_agent", "long_user_agent", "many_user_agents",
	"bare_browser", "headless_hint", "tool_header",
}

// String lists the signals' names, comma separated.
func (s Signal) String() string {
	var names []string
	for i, n := range signalNames {
		if s&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return strings.Join(names, ",")
}

// headerSignature is a request header that names the tool sending it. The
// header's value is never read or reported.
type headerSignature struct {
	header   string // canonical form
	name     string
	category Category
}

// headerSignatures is our own reviewed table of headers that scanners and
// API tools add to every request: the security-scanner headers of the OWASP
// Core Rule Set (rule 913110, scanners-headers.data) and Postman's.
var headerSignatures = []headerSignature{
	{"Acunetix-Product", "Acunetix", SecurityScanner},
	{"Acunetix-Scanning-Agreement", "Acunetix", SecurityScanner},
	{"Acunetix-User-Agreement", "Acunetix", SecurityScanner},
	{"X-Scanner", "X-Scanner", SecurityScanner},
	{"X-Ratproxy-Loop", "ratproxy", SecurityScanner},
	{"Postman-Token", "Postman", Scraper},
}

// readSignals returns the header signals of r, the User-Agent to match
// (empty when absent), and the header signature found, if any.
func readSignals(r *http.Request) (Signal, string, *headerSignature) {
	var sig Signal
	uas := r.Header["User-Agent"]
	ua := ""
	if len(uas) > 0 {
		ua = uas[0]
	}
	switch {
	case len(uas) > 1:
		sig |= ManyUserAgents
	case strings.TrimSpace(ua) == "":
		sig |= NoUserAgent
	case len(ua) > MaxUserAgent:
		sig |= LongUserAgent
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.HasPrefix(ua, "Mozilla/") &&
		len(r.Header["Accept"]) == 0 && len(r.Header["Accept-Language"]) == 0 {
		sig |= BareBrowser
	}
	if headlessHint(r.Header["Sec-Ch-Ua"]) {
		sig |= HeadlessHint
	}
	var hs *headerSignature
	for i := range headerSignatures {
		if _, ok := r.Header[headerSignatures[i].header]; ok {
			hs = &headerSignatures[i]
			sig |= ToolHeader
			break
		}
	}
	return sig, ua, hs
}

// maxHint bounds the Sec-CH-UA bytes read; a real one is under 200.
const maxHint = 512

// headlessHint reports whether a Sec-CH-UA brand list names
// HeadlessChrome, as old-mode headless Chromium sends:
// "HeadlessChrome";v="120", "Chromium";v="120", "Not?A_Brand";v="99".
func headlessHint(lines []string) bool {
	for _, l := range lines {
		if len(l) > maxHint {
			l = l[:maxHint]
		}
		if strings.Contains(l, `"HeadlessChrome"`) {
			return true
		}
	}
	return false
}
