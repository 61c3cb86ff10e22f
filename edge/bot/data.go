package bot

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// The vendored signature data: the npm package crawler-user-agents (MIT,
// data/LICENSE), at the version in data/VERSION. refresh.sh updates all
// three files.
var (
	//go:embed data/crawler-user-agents.json
	vendoredJSON []byte
	//go:embed data/VERSION
	vendoredVersion string
)

// DataVersion is the version of the vendored crawler-user-agents data.
func DataVersion() string { return strings.TrimSpace(vendoredVersion) }

// entry is one record of the vendored JSON.
type entry struct {
	Pattern      string   `json:"pattern"`
	URL          string   `json:"url"`
	Instances    []string `json:"instances"`
	AdditionDate string   `json:"addition_date"`
	Description  string   `json:"description"`
	Tags         []string `json:"tags"`
}

// parseEntries decodes the vendored JSON.
func parseEntries(data []byte) ([]entry, error) {
	var es []entry
	if err := json.Unmarshal(data, &es); err != nil {
		return nil, fmt.Errorf("bot: vendored signatures: %w", err)
	}
	return es, nil
}

// Signature is one known bot: a regular expression over the User-Agent
// and what it means.
type Signature struct {
	// Name is a short, printable name taken from the signature table
	// (never from a request), such as "Googlebot" or "python-requests".
	Name string
	// Pattern is the regular expression, as written in the source data.
	Pattern string
	// Category is what kind of bot it is.
	Category Category
	// Tags are the source data's tags, kept for reference.
	Tags []string
	// URL is the bot's documentation page, when the data has one.
	URL string
	// Source is "crawler-user-agents" for vendored entries and "quire" for
	// the supplement.
	Source string
}

// Sources of signatures.
const (
	sourceVendored   = "crawler-user-agents"
	sourceSupplement = "quire"
)

// Incompatible is a vendored pattern that Go's RE2 syntax rejects.
type Incompatible struct {
	Pattern string
	Err     string
}

// loadSignatures returns the vendored signatures followed by the
// supplement, skipping (and returning) patterns that do not compile. The
// vendored data is written for JavaScript/PCRE regexps; every pattern of
// version 1.60.0 compiles under RE2, and a test pins that list.
func loadSignatures() ([]Signature, []*regexp.Regexp, []Incompatible, error) {
	es, err := parseEntries(vendoredJSON)
	if err != nil {
		return nil, nil, nil, err
	}
	es = append(es, supplement...)
	sigs := make([]Signature, 0, len(es))
	res := make([]*regexp.Regexp, 0, len(es))
	var bad []Incompatible
	for i, e := range es {
		re, err := regexp.Compile(e.Pattern)
		if err != nil {
			bad = append(bad, Incompatible{Pattern: e.Pattern, Err: err.Error()})
			continue
		}
		src := sourceVendored
		if i >= len(es)-len(supplement) {
			src = sourceSupplement
		}
		sigs = append(sigs, Signature{
			Name:     signatureName(re, e),
			Pattern:  e.Pattern,
			Category: categorize(e.Pattern, e.Tags),
			Tags:     e.Tags,
			URL:      e.URL,
			Source:   src,
		})
		res = append(res, re)
	}
	return sigs, res, bad, nil
}

// maxName bounds a signature name.
const maxName = 48

// signatureName is the text the pattern matches in its own first example,
// which reads as the bot's name ("Googlebot/" → "Googlebot"), or else the
// pattern without its escapes. Both come from the table alone.
func signatureName(re *regexp.Regexp, e entry) string {
	name := ""
	if len(e.Instances) > 0 {
		name = re.FindString(e.Instances[0])
	}
	if name == "" {
		name = strings.ReplaceAll(e.Pattern, `\`, "")
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " /;:()[]^$,.-_+")
	if len(name) > maxName {
		name = name[:maxName]
	}
	if name == "" {
		name = "unnamed"
	}
	return name
}
