package shield

import (
	"regexp"
	"strings"
)

// The pre-filter's request class: the grammars a request must fit, part by
// part, for the pre-filter to judge it. They are regular expressions so
// that the analysis in the tests can intersect them with every CRS rule
// (analysis_test.go); keep them ASCII, without anchors (matching is whole)
// and without empty-width assertions.

// Building blocks.
const (
	gToken   = `[A-Za-z0-9_-]`
	gSegment = gToken + `+`
	gExt     = `\.(?:` + staticExts + `)`
	// staticExts are the file extensions a path of the class may end in.
	staticExts = `css|js|mjs|map|png|jpg|jpeg|gif|webp|avif|svg|ico|woff|woff2|ttf|txt|json|webmanifest|html`
	// gPath is an absolute path of plain segments, the last of which may
	// carry a static file extension.
	gPath  = `/(?:` + gSegment + `/)*(?:` + gSegment + `(?:` + gExt + `)?)?`
	gLabel = `[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?`
	// gHost is a DNS name whose last label starts with a letter and holds
	// one past f (so never an IP address or a hexadecimal-looking name,
	// which 920350 reports), with an optional port.
	gHost   = `(?:` + gLabel + `\.)*[A-Za-z][A-Za-z0-9-]*[G-Zg-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?::[0-9]{1,5})?`
	gOrigin = `https?://` + gHost
	gQ      = `;q=(?:0(?:\.[0-9]{1,3})?|1(?:\.0{1,3})?)`
	gIPv4   = `[0-9]{1,3}(?:\.[0-9]{1,3}){3}`
	gIPv6   = `[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}`
	gIP     = `(?:` + gIPv4 + `|` + gIPv6 + `)`
	gCookie = gSegment + `=` + gToken + `*`
	gVer    = `[0-9]+(?:[._][0-9]+){0,4}`
	gUAWord = `(?:X11|Linux|x86_64|aarch64|armv8l|i686|Windows|NT|Win64|x64|WOW64|Macintosh|Intel|Mac|OS|X|iPhone|iPad|CPU|like|Android|Mobile|Tablet|K|Ubuntu|Fedora|CrOS|U)`
	gUAItem = `(?:` + gUAWord + `|` + gVer + `|rv:` + gVer + `)`
	gUAComm = `\(` + gUAItem + `(?: ` + gUAItem + `)*(?:; ` + gUAItem + `(?: ` + gUAItem + `)*)*\)`
	gUAProd = `(?:(?:AppleWebKit|Chrome|Safari|Gecko|Firefox|Version|Edg|EdgA|EdgiOS|OPR|CriOS|FxiOS|SamsungBrowser)/` + gVer +
		`|Mobile/[0-9]{1,3}[A-Z][0-9]{1,4}|Mobile|\(KHTML, like Gecko\))`
	gMedia = `(?:text/html|application/xhtml\+xml|application/xml|image/avif|image/webp|image/apng|image/svg\+xml|image/png|image/\*` +
		`|application/signed-exchange|application/json|application/manifest\+json|text/css|text/plain|text/javascript` +
		`|application/javascript|text/event-stream|font/woff2|audio/\*|video/\*|\*/\*)`
	gBrand = `(?:Chromium|Google Chrome|Microsoft Edge|Brave|Opera|Not[ ():./;=?_-]A[ ():./;=?_-]Brand)`
)

// headerGrammars are the request headers the class admits, by canonical
// name, each at most once. Any other header puts a request outside it.
var headerGrammars = map[string]string{
	"User-Agent":                `Mozilla/5\.0 ` + gUAComm + `(?: ` + gUAProd + `)+`,
	"Accept":                    gMedia + `(?:` + gQ + `|;v=b3){0,2}(?:, ?` + gMedia + `(?:` + gQ + `|;v=b3){0,2})*`,
	"Accept-Language":           `(?:[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4}){0,2}|\*)(?:` + gQ + `)?(?:, ?(?:[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,4}){0,2}|\*)(?:` + gQ + `)?)*`,
	"Accept-Encoding":           `(?:gzip|deflate|br|zstd|identity|\*)(?:` + gQ + `)?(?:, ?(?:gzip|deflate|br|zstd|identity|\*)(?:` + gQ + `)?)*`,
	"Sec-Ch-Ua":                 `"` + gBrand + `";v="[0-9]{1,4}"(?:, "` + gBrand + `";v="[0-9]{1,4}")*`,
	"Sec-Ch-Ua-Mobile":          `\?[01]`,
	"Sec-Ch-Ua-Platform":        `"(?:Linux|Windows|macOS|Android|Chrome OS|Chromium OS|iOS|Unknown)"`,
	"Sec-Fetch-Site":            `same-origin|same-site|cross-site|none`,
	"Sec-Fetch-Mode":            `navigate|cors|no-cors|same-origin|websocket`,
	"Sec-Fetch-Dest":            `document|empty|image|script|style|font|manifest|iframe|frame|worker|sharedworker|serviceworker|audio|video|track|object|embed|report|xslt`,
	"Sec-Fetch-User":            `\?1`,
	"Upgrade-Insecure-Requests": `1`,
	"Dnt":                       `[01]`,
	"Sec-Gpc":                   `1`,
	"Priority":                  `u=[0-7](?:, ?i)?|i`,
	"Cache-Control":             `no-cache|max-age=0`,
	"Pragma":                    `no-cache`,
	"Connection":                `keep-alive|close`,
	"Te":                        `trailers`,
	"Referer":                   gOrigin + `(?:` + gPath + `)?`,
	"Origin":                    gOrigin,
	"If-None-Match":             `(?:W/)?"` + gToken + `+"`,
	"If-Modified-Since":         `(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT`,
	"Authorization":             `Bearer ` + gToken + `{16}` + gToken + `*`,
	"Cookie":                    gCookie + `(?:; ` + gCookie + `)*`,
	"X-Forwarded-For":           gIP + `(?:, ?` + gIP + `)*`,
	"X-Forwarded-Proto":         `https?`,
	"X-Forwarded-Host":          gHost,
	"X-Real-Ip":                 gIP,
}

// Grammars of the parts of a request that are not headers.
const (
	grammarPath     = gPath
	grammarHost     = gHost
	grammarBasename = `(?:` + gSegment + `(?:` + gExt + `)?)?`
	cookieName      = gSegment
	cookieValue     = gToken + `*`
)

// requiredHeaders must be present (browsers always send them; CRS reports
// their absence at paranoia levels 2 and 3).
var requiredHeaders = []string{"User-Agent", "Accept"}

// Methods and protocols of the class (HTTP/1.0 lacks Host and is refused
// more often than it is used).
var (
	classMethods   = []string{"GET", "HEAD"}
	classProtocols = []string{"HTTP/1.1", "HTTP/2.0"}
)

// whole compiles a grammar for whole-string matching.
func whole(g string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + g + `)$`) }

// grammar is a compiled header grammar.
type grammar struct {
	re     *regexp.Regexp
	maxLen int
}

// maxHeaderLen bounds every admitted header value (the grammars bound most
// by construction; this keeps the regular expressions' work small).
const maxHeaderLen = 4096

func compileGrammars() map[string]grammar {
	m := make(map[string]grammar, len(headerGrammars))
	for name, g := range headerGrammars {
		if name != canonical(name) {
			panic("shield: header grammar under a non-canonical name " + name)
		}
		m[name] = grammar{re: whole(g), maxLen: maxHeaderLen}
	}
	return m
}

func canonical(name string) string {
	parts := strings.Split(strings.ToLower(name), "-")
	for i, p := range parts {
		if p != "" {
			parts[i] = strings.ToUpper(p[:1]) + p[1:]
		}
	}
	return strings.Join(parts, "-")
}
