package shield

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"

	coreruleset "github.com/corazawaf/coraza-coreruleset/v4"
	"github.com/corazawaf/libinjection-go"
)

// The operators and transformations of the pre-filter analysis: how a CRS
// operator becomes a regular expression (or is run on a finite grammar),
// and what a transformation chain can make of each byte.

// modelFor composes the byte models of a transformation chain, for the
// bytes of alpha (the grammar's alphabet; other entries stay empty).
func modelFor(chain []string, alpha []byte) (*tmodel, bool) {
	var m tmodel
	for _, b := range alpha {
		m[b] = []string{string(rune(b))}
	}
	for _, t := range chain {
		var next tmodel
		for b := range 128 {
			for _, o := range m[b] {
				if o == "" {
					next[b] = appendUnique(next[b], "")
					continue
				}
				outs, ok := transformByte(strings.ToLower(t), o[0])
				if !ok {
					return nil, false
				}
				for _, x := range outs {
					next[b] = appendUnique(next[b], x)
				}
			}
		}
		m = next
	}
	return &m, true
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// transformByte over-approximates what a transformation makes of one byte
// of the class's (ASCII, NUL-free) strings. ok false: not modelled.
func transformByte(t string, b byte) ([]string, bool) {
	s := string(rune(b))
	switch t {
	case "lowercase":
		return []string{strings.ToLower(s)}, true
	case "uppercase":
		return []string{strings.ToUpper(s)}, true
	case "urldecode", "urldecodeuni":
		switch b {
		case '%':
			return nil, false
		case '+':
			return []string{" "}, true
		}
	case "htmlentitydecode":
		if b == '&' {
			return nil, false
		}
	case "jsdecode", "cssdecode", "escapeseqdecode":
		if b == '\\' {
			return nil, false
		}
	case "utf8tounicode", "removenulls", "replacenulls":
		if b == 0 {
			return nil, false
		}
	case "removewhitespace":
		if isSpace(b) {
			return []string{""}, true
		}
	case "compresswhitespace":
		if isSpace(b) {
			return []string{" ", ""}, true
		}
	case "trim", "trimleft", "trimright":
		if isSpace(b) {
			return []string{s, ""}, true
		}
	case "cmdline":
		switch {
		case strings.IndexByte(`\"'^`, b) >= 0:
			return []string{""}, true
		case b == ',' || b == ';' || isSpace(b):
			return []string{" ", ""}, true
		}
		return []string{strings.ToLower(s)}, true
	case "normalizepath", "normalisepath", "normalizepathwin", "normalisepathwin":
		// Only "//" ever changes under the class's grammars (no dot
		// segments, no backslashes: checked by pathSafe).
		switch b {
		case '\\':
			return nil, false
		case '/':
			return []string{"/", ""}, true
		}
	case "removecommentschar":
		switch b {
		case '#':
			return []string{""}, true
		case '-', '/', '*':
			return []string{s, ""}, true
		}
	case "replacecomments":
		if b == '*' {
			return nil, false
		}
	case "none":
	default:
		return nil, false
	}
	return []string{s}, true
}

// pathSafe reports whether normalizePath is modelled for grammar g: no
// "/." or "\" can occur.
func pathSafe(g *machine) bool {
	for _, lit := range []string{`/\.`, `\\`} {
		r, _ := compileMachine(`(?s:.)*?` + lit)
		if ok, _ := canMatch(g, r, identity()); ok {
			return false
		}
	}
	return true
}

var identityModel = sync.OnceValue(func() *tmodel {
	all := make([]byte, 128)
	for i := range all {
		all[i] = byte(i)
	}
	m, _ := modelFor(nil, all)
	return m
})

func identity() *tmodel { return identityModel() }

// operator is a rule operator reduced to a regular expression when it is
// one; other operators are judged on finite sets only.
type operator struct {
	name, arg string
	negated   bool
	re        string // the expression to search for; "" when not a regex
	never     bool   // cannot match anything in the class
}

func parseOperator(op string) operator {
	o := operator{}
	if strings.HasPrefix(op, "!") {
		o.negated, op = true, op[1:]
	}
	name, arg, _ := strings.Cut(strings.TrimPrefix(op, "@"), " ")
	o.name, o.arg = strings.ToLower(name), expandMacros(strings.TrimSpace(arg))
	if strings.Contains(o.arg, "%{") {
		return o // a macro of a variable set at run time
	}
	switch o.name {
	case "rx":
		o.re = `(?sm)` + o.arg
	case "pm":
		o.re = pmRegex(strings.Split(strings.ToLower(o.arg), " ")) // as Coraza splits it
	case "pmfromfile", "pmf":
		o.re = pmRegex(dataWords(o.arg))
	case "streq":
		o.re = `^` + regexp.QuoteMeta(o.arg) + `$`
	case "beginswith":
		o.re = `^` + regexp.QuoteMeta(o.arg)
	case "endswith":
		o.re = regexp.QuoteMeta(o.arg) + `$`
	case "contains":
		o.re = regexp.QuoteMeta(o.arg)
	case "containsword":
		o.re = `\b` + regexp.QuoteMeta(o.arg) + `\b`
	case "validateurlencoding":
		o.re = `%`
	case "validatebyterange":
		o.re = byteRangeComplement(o.arg)
	case "validateutf8encoding":
		o.re = `[\x{80}-\x{10FFFF}]`
	case "nomatch":
		o.never = true
	}
	return o
}

// pmRegex is @pm's ASCII case-insensitive substring search.
func pmRegex(words []string) string {
	q := make([]string, 0, len(words))
	for _, w := range words {
		q = append(q, regexp.QuoteMeta(w))
	}
	return `(?i:` + strings.Join(q, "|") + `)`
}

// dataWords reads a CRS data file as @pmFromFile does.
func dataWords(file string) []string {
	data, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/"+file)
	if err != nil {
		panic(err)
	}
	var words []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && l[0] != '#' {
			words = append(words, strings.ToLower(l))
		}
	}
	return words
}

// byteRangeComplement is a character class of the bytes outside ranges
// ("1-255,32") — what @validateByteRange reports.
func byteRangeComplement(ranges string) string {
	var ok [256]bool
	for _, r := range strings.Split(ranges, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(r), "-")
		a, _ := strconv.Atoi(lo)
		b := a
		if isRange {
			b, _ = strconv.Atoi(hi)
		}
		for i := a; i <= b && i < 256; i++ {
			ok[i] = true
		}
	}
	var cls strings.Builder
	cls.WriteString("[")
	for i := range 128 {
		if !ok[i] {
			fmt.Fprintf(&cls, `\x{%x}`, i)
		}
	}
	cls.WriteString(`\x{80}-\x{10FFFF}]`)
	return cls.String()
}

// finiteCanFire runs the operator on every transformed string of a finite
// grammar.
func finiteCanFire(strs []string, chain []string, op operator) (bool, string) {
	var alpha []byte
	for _, s := range strs {
		for i := 0; i < len(s); i++ {
			if !slices.Contains(alpha, s[i]) && s[i] < 128 {
				alpha = append(alpha, s[i])
			}
		}
	}
	model, ok := modelFor(chain, alpha)
	if !ok {
		return true, fmt.Sprintf("transformations %v not modelled", chain)
	}
	var re *regexp.Regexp
	if op.re != "" {
		re = regexp.MustCompile(op.re)
	}
	for _, s := range strs {
		vs, complete := variants(s, model)
		if !complete {
			return true, "too many transformed forms to list"
		}
		for _, t := range vs {
			var m bool
			switch {
			case re != nil:
				m = re.MatchString(t)
			case op.name == "detectsqli":
				m, _ = libinjection.IsSQLi(t)
			case op.name == "detectxss":
				m = libinjection.IsXSS(t)
			case op.name == "unconditionalmatch":
				m = true
			case op.name == "within" && !strings.Contains(op.arg, "%{"):
				m = strings.Contains(op.arg, t)
			case slices.Contains([]string{"eq", "ge", "gt", "le", "lt"}, op.name) && !strings.Contains(op.arg, "%{"):
				m = compareInts(op.name, t, op.arg)
			default:
				return true, "@" + op.name + " not modelled"
			}
			if m != op.negated {
				return true, fmt.Sprintf("%q matches", t)
			}
		}
	}
	return false, "no value matches"
}

func compareInts(op, a, b string) bool {
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	switch op {
	case "eq":
		return x == y
	case "ge":
		return x >= y
	case "gt":
		return x > y
	case "le":
		return x <= y
	}
	return x < y
}

// variants returns every output the model allows for s, or complete
// false past 4096 of them.
func variants(s string, m *tmodel) (out []string, complete bool) {
	out = []string{""}
	for i := 0; i < len(s); i++ {
		if s[i] >= 128 {
			return nil, false
		}
		var next []string
		for _, p := range out {
			for _, o := range m[s[i]] {
				next = append(next, p+o)
			}
		}
		if len(next) > 4096 {
			return nil, false
		}
		out = next
	}
	return out, true
}

// enumerate lists the strings of a grammar when it is finite and has at
// most limit of them.
func enumerate(grammar string, limit int) ([]string, bool) {
	re, err := syntax.Parse(`(?:`+grammar+`)`, syntax.Perl)
	if err != nil {
		return nil, false
	}
	return expand(re.Simplify(), limit)
}

// expand lists the strings of a parsed expression, or reports it infinite
// (or larger than limit, or case-folded).
func expand(re *syntax.Regexp, limit int) ([]string, bool) {
	switch re.Op {
	case syntax.OpEmptyMatch:
		return []string{""}, true
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return nil, false
		}
		return []string{string(re.Rune)}, true
	case syntax.OpCharClass:
		var out []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if out = append(out, string(r)); len(out) > limit {
					return nil, false
				}
			}
		}
		return out, true
	case syntax.OpCapture:
		return expand(re.Sub[0], limit)
	case syntax.OpQuest:
		sub, ok := expand(re.Sub[0], limit)
		return append(sub, ""), ok
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			sub, ok := expand(s, limit)
			if !ok || len(out)+len(sub) > limit {
				return nil, false
			}
			out = append(out, sub...)
		}
		return out, true
	case syntax.OpConcat:
		out := []string{""}
		for _, s := range re.Sub {
			sub, ok := expand(s, limit)
			if !ok || len(out)*len(sub) > limit {
				return nil, false
			}
			var next []string
			for _, p := range out {
				for _, q := range sub {
					next = append(next, p+q)
				}
			}
			out = next
		}
		return out, true
	case syntax.OpRepeat:
		if re.Max < 0 {
			return nil, false
		}
		sub, ok := expand(re.Sub[0], limit)
		if !ok {
			return nil, false
		}
		var out []string
		cur := []string{""}
		for n := 0; n <= re.Max; n++ {
			if n >= re.Min {
				out = append(out, cur...)
			}
			if len(out) > limit {
				return nil, false
			}
			var next []string
			for _, p := range cur {
				for _, q := range sub {
					next = append(next, p+q)
				}
			}
			if len(next) > limit && n < re.Max {
				return nil, false
			}
			cur = next
		}
		return out, true
	}
	return nil, false
}

// txSettings are the tx variables the shield's configuration fixes: CRS's
// defaults (REQUEST-901) overridden by the shield's setup actions.
var txSettings = sync.OnceValue(func() map[string]string {
	init, err := fs.ReadFile(coreruleset.FS, "@owasp_crs/REQUEST-901-INITIALIZATION.conf")
	if err != nil {
		panic(err)
	}
	d, err := Directives(Config{})
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	re := regexp.MustCompile(`setvar:'?tx\.([a-z_]+)=([^',"]*)'?`)
	for _, src := range []string{string(init), d} {
		for _, sm := range re.FindAllStringSubmatch(src, -1) {
			if !strings.Contains(sm[2], "%{") {
				m[sm[1]] = sm[2]
			}
		}
	}
	return m
})

// expandMacros replaces %{tx.name} by the value the configuration fixes;
// other macros stay.
func expandMacros(s string) string {
	return regexp.MustCompile(`%\{(?i:tx)\.([a-z_]+)\}`).ReplaceAllStringFunc(s, func(m string) string {
		name := strings.ToLower(m[5 : len(m)-1])
		if v, ok := txSettings()[name]; ok {
			return v
		}
		return m
	})
}
