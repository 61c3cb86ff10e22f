package redact

import "strings"

// Card numbers, SSNs and phone numbers are read from numeric runs: digits
// in groups, optionally in parentheses, joined by single separators (space,
// hyphen, dot) and optionally led by '+'. A run is split only at spaces:
// each detector is tried on every range of whole space-separated chunks,
// longest first, so "on 2024-01-15 call 555-123-4567" tries the date and
// the number apart, and a hyphenated or dotted whole (a date, a version,
// an ISBN) is judged as one.

// group is one group of digits of a numeric run.
type group struct {
	start, end int    // offsets in the text, parentheses included
	digits     string // the digits
	paren      bool
	sep        byte // the separator before the group: ' ', '-', '.', or 0
}

// maxRunGroups bounds the groups of one run that detectors consider
// together; a longer run (a table of numbers) is read in pieces.
const maxRunGroups = 8

// numbers holds the detectors that read numeric runs.
type numbers struct {
	card, ssn, phone bool
}

// find appends the spans of cards, SSNs and phone numbers in s.
func (d numbers) find(s string, out []span) []span {
	var groups []group
	for i := 0; i < len(s); {
		c := s[i]
		if !(isDigit(c) || c == '+' || c == '(') {
			i++
			continue
		}
		plus, end, g := readRun(s, i, groups[:0])
		groups = g
		if len(groups) == 0 {
			i++
			continue
		}
		out = d.match(s, i, plus, groups, out)
		i = end
	}
	return out
}

// readRun reads the numeric run at s[i] into groups; it reports whether
// the run starts with '+', and where it ends.
func readRun(s string, i int, groups []group) (bool, int, []group) {
	plus := s[i] == '+'
	pos := i
	if plus {
		pos++
	}
	var sep byte
	for {
		g, ok := readGroup(s, pos)
		if !ok {
			break
		}
		g.sep = sep
		groups = append(groups, g)
		pos = g.end
		if pos >= len(s) {
			break
		}
		switch c := s[pos]; {
		case c == '(' || g.paren && isDigit(c):
			sep = 0
		case (c == ' ' || c == '-' || c == '.') && pos+1 < len(s) && (isDigit(s[pos+1]) || s[pos+1] == '('):
			sep = c
			pos++
		default:
			return plus, pos, groups
		}
	}
	if len(groups) > 0 {
		pos = groups[len(groups)-1].end
	}
	return plus, pos, groups
}

// readGroup reads "ddd" or "(ddd)" at s[i].
func readGroup(s string, i int) (group, bool) {
	paren := i < len(s) && s[i] == '('
	j := i
	if paren {
		j++
	}
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if k == j {
		return group{}, false
	}
	g := group{start: i, end: k, digits: s[j:k], paren: paren}
	if paren {
		if k >= len(s) || s[k] != ')' || k-j > 5 {
			return group{}, false
		}
		g.end = k + 1
	}
	return g, true
}

// match tries the detectors on the ranges of whole chunks of one run,
// leftmost first and longest first, and appends what they find.
func (d numbers) match(s string, runStart int, plus bool, g []group, out []span) []span {
	for i := 0; i < len(g); {
		if i > 0 && g[i].sep != ' ' {
			i++
			continue
		}
		found := false
		for j := min(len(g), i+maxRunGroups); j > i && !found; j-- {
			if j < len(g) && g[j].sep != ' ' {
				continue
			}
			start, end := g[i].start, g[j-1].end
			p := plus && i == 0
			if p {
				start = runStart
			}
			if !boundaryBefore(s, start) || !boundaryAfter(s, end) {
				continue
			}
			r := g[i:j]
			switch {
			case d.card && !p && isCard(r):
				out = append(out, span{start: start, end: end, kind: CardNumber, prio: prioCard})
			case d.ssn && !p && isSSN(r):
				out = append(out, span{start: start, end: end, kind: NationalID, prio: prioNationalID})
			case d.phone && isPhone(r, p, i == 0 && j == len(g)):
				out = append(out, span{start: start, end: end, kind: Phone, prio: prioPhone})
			default:
				continue
			}
			found = true
			i = j
		}
		if !found {
			i++
		}
	}
	return out
}

// boundaryBefore reports whether a number may start at s[i]: not glued to
// a word (order12345), to a currency sign or '#' (a price, an ID), nor
// continuing another number ("1.555", "x-555", "/555").
func boundaryBefore(s string, i int) bool {
	r := runeBefore(s, i)
	switch {
	case r == none:
		return true
	case isWord(r):
		return false
	case strings.ContainsRune("-./\\#$€£¥@&+*^~'", r):
		return false
	case r == ',' || r == ':':
		return !isDigitRune(runeBefore(s, i-1))
	}
	return true
}

// boundaryAfter reports whether a number may end at s[i]: not glued to a
// word, a unit ("%", "€"), a path or an address, nor followed by more of a
// number ("4567.5", "4567,00", "4567-89").
func boundaryAfter(s string, i int) bool {
	r := runeAt(s, i)
	switch {
	case r == none:
		return true
	case isWord(r):
		return false
	case strings.ContainsRune("/\\%@€$£¥'", r):
		return false
	case strings.ContainsRune(".,:-", r):
		return !isWord(runeAt(s, i+1))
	}
	return true
}

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

// digits returns the digits of g, concatenated.
func digits(g []group) string {
	if len(g) == 1 {
		return g[0].digits
	}
	var b strings.Builder
	for _, x := range g {
		b.WriteString(x.digits)
	}
	return b.String()
}

func countDigits(g []group) int {
	n := 0
	for _, x := range g {
		n += len(x.digits)
	}
	return n
}

// uniformSep reports whether every separator in g (after the first group)
// is the same, one of allowed.
func uniformSep(g []group, allowed string) bool {
	for _, x := range g[1:] {
		if x.sep == 0 || x.sep != g[1].sep || strings.IndexByte(allowed, x.sep) < 0 {
			return false
		}
	}
	return true
}

func anyParen(g []group) bool {
	for _, x := range g {
		if x.paren {
			return true
		}
	}
	return false
}

// isCard reports whether g is a payment card number: 13 to 19 digits,
// unseparated or in groups of four (or Amex's and Diners' 4-6-5 and
// 4-6-4) joined by spaces or hyphens, with a valid Luhn check digit and a
// known issuer prefix for that length. No issuer range allows 13 digits
// any more: Visa's legacy 13-digit numbers are left out, since a 13-digit
// number starting with 4 is far more often an EAN-13 barcode.
func isCard(g []group) bool {
	if anyParen(g) || !uniformSep(g, " -") {
		return false
	}
	n := countDigits(g)
	if n < 13 || n > 19 {
		return false
	}
	if len(g) > 1 {
		fours := true
		for _, x := range g[:len(g)-1] {
			fours = fours && len(x.digits) == 4
		}
		last := len(g[len(g)-1].digits)
		amex := len(g) == 3 && len(g[0].digits) == 4 && len(g[1].digits) == 6 && (last == 5 || last == 4)
		if !(fours && last <= 4) && !amex {
			return false
		}
	}
	d := digits(g)
	return luhn(d) && knownIIN(d)
}

// luhn reports whether the last digit of d is its Luhn check digit.
func luhn(d string) bool {
	sum := 0
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if (len(d)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum%10 == 0
}

// iin is an issuer prefix range: numbers whose first len(lo) digits are
// within [lo, hi], with lengths from minLen to maxLen.
type iin struct {
	lo, hi         string
	minLen, maxLen int
}

// iins lists the issuer identification number ranges of the major card
// networks (ISO/IEC 7812 as the networks publish them).
var iins = []iin{
	{"4", "4", 16, 19},       // Visa (16 or 19)
	{"51", "55", 16, 16},     // Mastercard
	{"2221", "2720", 16, 16}, // Mastercard 2-series
	{"34", "34", 15, 15},     // American Express
	{"37", "37", 15, 15},     // American Express
	{"6011", "6011", 16, 19}, // Discover
	{"644", "649", 16, 19},   // Discover
	{"65", "65", 16, 19},     // Discover
	{"62", "62", 16, 19},     // UnionPay (and Discover's 622126–622925)
	{"3528", "3589", 16, 19}, // JCB
	{"300", "305", 14, 19},   // Diners Club International
	{"36", "36", 14, 19},     // Diners Club International
	{"38", "39", 16, 19},     // Diners Club
	{"2200", "2204", 16, 19}, // Mir
	{"5018", "5018", 16, 19}, // Maestro
	{"5020", "5020", 16, 19}, // Maestro
	{"5038", "5038", 16, 19}, // Maestro
	{"5893", "5893", 16, 19}, // Maestro
	{"6304", "6304", 16, 19}, // Maestro
	{"6759", "6759", 16, 19}, // Maestro
	{"6761", "6763", 16, 19}, // Maestro
}

func knownIIN(d string) bool {
	for _, r := range iins {
		p := d[:len(r.lo)]
		if p >= r.lo && p <= r.hi && len(d) >= r.minLen && len(d) <= r.maxLen {
			if r.lo == "4" && len(d) != 16 && len(d) != 19 {
				continue
			}
			return true
		}
	}
	return false
}

// isSSN reports whether g is a US Social Security number written
// AAA-GG-SSSS (or with spaces), outside the never-issued ranges: area 000,
// 666 and 900–999, group 00, serial 0000.
func isSSN(g []group) bool {
	if len(g) != 3 || anyParen(g) || !uniformSep(g, "- ") {
		return false
	}
	a, gr, sr := g[0].digits, g[1].digits, g[2].digits
	if len(a) != 3 || len(gr) != 2 || len(sr) != 4 {
		return false
	}
	return a != "000" && a != "666" && a[0] != '9' && gr != "00" && sr != "0000"
}

// isPhone reports whether g (led by '+' if plus) is a phone number in one
// of the formats people write:
//
//   - international: '+' (or "00") and a country code of one to three
//     digits, then 8 to 15 digits in all, a "(0)" trunk prefix allowed
//     ("+44 (0)20 7946 0958"); or '+' and 8 to 15 digits unseparated (E.164);
//   - North American: "(555) 123-4567", "555-123-4567", "555.123.4567",
//     "1-555-123-4567", with area code and exchange not starting with 0 or
//     1 (not "555 123 4567": three numbers apart are a list);
//   - national with a trunk prefix 0: "020 7946 0958", "06 12 34 56 78",
//     "(030) 1234567": 9 to 12 digits, a first group of 2 to 5, no group
//     of one digit, one kind of separator.
//
// Digits run together without '+' (order numbers, timestamps), dates,
// times, versions, prices and ISBNs do not fit these. The weaker shapes
// (a "00" or trunk prefix) must also be the whole run: "01 02 2024 12 30"
// holds no phone number "02 2024 12 30".
func isPhone(g []group, plus, whole bool) bool {
	seps := ""
	for _, x := range g[1:] {
		if x.sep != 0 && strings.IndexByte(seps, x.sep) < 0 {
			seps += string(x.sep)
		}
	}
	if strings.IndexByte(seps, '.') >= 0 && len(seps) > 1 {
		return false // dots mixed with other separators: not a way to write a number
	}
	if plus {
		return international(g, 0)
	}
	if strings.HasPrefix(g[0].digits, "00") && !g[0].paren {
		return whole && international(g, 2)
	}
	if isNANP(g) {
		return true
	}
	return whole && isTrunk(g)
}

// international checks the groups of a number after '+' (skip 0) or "00"
// (skip 2).
func international(g []group, skip int) bool {
	if len(g) == 1 {
		n := len(g[0].digits) - skip
		return !g[0].paren && n >= 8 && n <= 15 && g[0].digits[skip] != '0'
	}
	cc := g[0].digits[skip:]
	if g[0].paren || len(cc) < 1 || len(cc) > 3 || cc[0] == '0' {
		return false
	}
	n := len(cc)
	for k, x := range g[1:] {
		if x.paren {
			if x.digits == "0" && k == 0 {
				continue // "+44 (0)20": the trunk prefix, not dialled from abroad
			}
			if len(x.digits) > 4 {
				return false
			}
		}
		n += len(x.digits)
	}
	return n >= 8 && n <= 15 && !sameDigit(digits(g)[skip:])
}

// isNANP reports whether g is a North American number.
func isNANP(g []group) bool {
	if len(g) == 4 && g[0].digits == "1" && !g[0].paren {
		g = g[1:]
	}
	if len(g) != 3 || g[1].paren || g[2].paren {
		return false
	}
	a, x, n := g[0].digits, g[1].digits, g[2].digits
	if len(a) != 3 || len(x) != 3 || len(n) != 4 || a[0] < '2' || x[0] < '2' {
		return false
	}
	if g[0].paren {
		return g[1].sep == ' ' || g[1].sep == 0
	}
	// Three numbers apart ("250 300 1000") are a list, not a phone number.
	return g[1].sep != ' ' || g[2].sep != ' '
}

// isTrunk reports whether g is a national number with a trunk prefix 0.
func isTrunk(g []group) bool {
	first := g[0].digits
	if len(g) < 2 || first[0] != '0' || len(first) < 2 || len(first) > 5 {
		return false
	}
	for _, x := range g[1:] {
		if x.paren || len(x.digits) < 2 {
			return false
		}
	}
	if g[0].paren {
		if g[1].sep != ' ' && g[1].sep != 0 || len(g) > 2 && !uniformSep(g[1:], " -") {
			return false
		}
	} else if !uniformSep(g, " -.") {
		return false
	}
	n := countDigits(g)
	if n < 9 || n > 12 || sameDigit(digits(g)[1:]) || looksLikeDate(g) {
		return false
	}
	// ZIP+4 ("02134-1234") has the same shape as a short trunk number.
	return !(len(g) == 2 && len(first) == 5 && len(g[1].digits) == 4 && g[1].sep == '-')
}

// looksLikeDate reports whether g starts with day, month and year (in
// either order of day and month) or year, month and day.
func looksLikeDate(g []group) bool {
	if len(g) < 3 {
		return false
	}
	a, b, c := g[0].digits, g[1].digits, g[2].digits
	dm := func(x, y string) bool {
		return len(x) <= 2 && len(y) <= 2 && atoi(x) >= 1 && atoi(y) >= 1 && atoi(x) <= 31 && atoi(y) <= 31
	}
	year := func(x string) bool { return len(x) == 4 && (x[:2] == "19" || x[:2] == "20") }
	return dm(a, b) && year(c) || year(a) && dm(b, c)
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// sameDigit reports whether s repeats one digit ("0000000000").
func sameDigit(s string) bool {
	return s == "" || strings.Count(s, s[:1]) == len(s)
}
