package shield

import (
	"bufio"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
)

// A reader of the CRS rule files for the analysis, mirroring how Coraza's
// parser splits a SecRule (TestRuleReaderAgreesWithCoraza checks the two
// agree on every rule's id and operator).

// crsRule is one rule: its links, the first of which carries the id.
type crsRule struct {
	id, phase, pl int
	file          string
	links         []crsLink
}

// crsLink is one SecRule of a chain (or a SecAction: no variables).
type crsLink struct {
	vars       string
	op         string // as Coraza stores it: "@rx …", "!@pm …"
	actions    []string
	transforms []string
	multiMatch bool
}

// readCRSRules parses the request rule files in the order Coraza loads them.
func readCRSRules() ([]crsRule, error) {
	files, err := fs.Glob(coreruleset.FS, "@owasp_crs/REQUEST-*.conf")
	if err != nil {
		return nil, err
	}
	var rules []crsRule
	for _, f := range files {
		data, err := fs.ReadFile(coreruleset.FS, f)
		if err != nil {
			return nil, err
		}
		stmts := statements(string(data))
		for _, s := range stmts {
			link, isRule, err := parseStatement(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			if !isRule {
				continue
			}
			if len(rules) > 0 && rules[len(rules)-1].expectsChain() {
				last := &rules[len(rules)-1]
				last.links = append(last.links, link)
				continue
			}
			r := crsRule{file: path.Base(f), links: []crsLink{link}}
			for _, a := range link.actions {
				k, v, _ := strings.Cut(a, ":")
				v = strings.Trim(v, "'")
				switch {
				case k == "id":
					r.id, _ = strconv.Atoi(v)
				case k == "phase":
					r.phase, _ = strconv.Atoi(v)
				case k == "tag" && strings.HasPrefix(v, "paranoia-level/"):
					r.pl, _ = strconv.Atoi(strings.TrimPrefix(v, "paranoia-level/"))
				}
			}
			rules = append(rules, r)
		}
	}
	return rules, nil
}

// expectsChain reports whether the rule's last link asks for another.
func (r crsRule) expectsChain() bool {
	for _, a := range r.links[len(r.links)-1].actions {
		if a == "chain" {
			return true
		}
	}
	return false
}

// statements joins continued lines and drops comments, as Coraza does.
func statements(data string) []string {
	var out []string
	var buf strings.Builder
	sc := bufio.NewScanner(strings.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasSuffix(line, `\`) {
			buf.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		buf.WriteString(line)
		out = append(out, buf.String())
		buf.Reset()
	}
	return out
}

// parseStatement reads a SecRule or SecAction; other directives report
// isRule false.
func parseStatement(s string) (crsLink, bool, error) {
	dir, rest, _ := strings.Cut(s, " ")
	switch strings.ToLower(dir) {
	case "secaction":
		return crsLink{actions: splitActions(unquote(strings.TrimSpace(rest)))}, true, nil
	case "secrule":
	default:
		return crsLink{}, false, nil
	}
	rest = strings.Trim(rest, " ")
	vars, rest, ok := strings.Cut(rest, " ")
	if !ok {
		return crsLink{}, false, fmt.Errorf("rule without operator: %.80s", s)
	}
	rest = strings.TrimLeft(rest, " ")
	op, after, err := cutQuoted(rest)
	if err != nil {
		return crsLink{}, false, err
	}
	op = strings.ReplaceAll(unquote(op), `\"`, `"`)
	switch {
	case op == "" || op[0] != '@' && op[0] != '!':
		op = "@rx " + op
	case op[0] == '!' && (len(op) == 1 || op[1] != '@'):
		op = "!@rx " + op[1:]
	}
	l := crsLink{vars: vars, op: op, actions: splitActions(unquote(strings.TrimSpace(after)))}
	for _, a := range l.actions {
		switch {
		case strings.HasPrefix(a, "t:"):
			if t := a[2:]; t == "none" {
				l.transforms = nil
			} else {
				l.transforms = append(l.transforms, t)
			}
		case a == "multiMatch":
			l.multiMatch = true
		}
	}
	return l, true, nil
}

// cutQuoted splits off a leading double-quoted string (escapes by an odd
// run of backslashes), as Coraza's cutQuotedString.
func cutQuoted(s string) (string, string, error) {
	if s == "" || s[0] != '"' {
		return "", "", fmt.Errorf("expected a quoted operator: %.80s", s)
	}
	escapes := 0
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			escapes++
		case s[i] == '"' && escapes%2 == 0:
			return s[:i+1], s[i+1:], nil
		default:
			escapes = 0
		}
	}
	return "", "", fmt.Errorf("unterminated operator: %.80s", s)
}

func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// splitActions splits an action list at commas outside single quotes and
// trims each action.
func splitActions(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] == '\'' && (i == 0 || s[i-1] != '\\') {
			quoted = !quoted
		}
		if i == len(s) || s[i] == ',' && !quoted {
			if a := strings.TrimSpace(s[start:i]); a != "" {
				out = append(out, a)
			}
			start = i + 1
		}
	}
	return out
}
