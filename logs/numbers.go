package logs

import "strings"

// maskCards replaces card numbers: 13 to 19 digits, optionally grouped by
// single spaces or dashes, with a first digit from 2 to 6 (Mastercard
// 2-series, Amex/Diners/JCB, Visa, Mastercard, Discover/UnionPay/Maestro)
// and a valid Luhn check digit. The first-digit rule keeps Unix timestamps
// in nanoseconds (which start with 1) visible.
//
// Within a run of digit groups ("20 4111 1111 1111 1111") every window of
// whole groups is a candidate, longest first from each group, so a number
// written next to a card number does not hide it.
func maskCards(s string) string {
	var b strings.Builder
	last := 0
	var groups [][2]int
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		groups = digitGroups(s, i, groups[:0])
		for a := 0; a < len(groups); a++ {
			z, ok := cardWindow(s, groups, a)
			if !ok {
				continue
			}
			b.WriteString(s[last:groups[a][0]])
			b.WriteString(maskCard)
			last = groups[z][1]
			a = z
		}
		i = groups[len(groups)-1][1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// digitGroups appends the [start, end) of each group of digits in the run
// that starts at s[i], where a single space or dash between two digits
// separates groups of one run.
func digitGroups(s string, i int, groups [][2]int) [][2]int {
	start := i
	for i < len(s) {
		switch {
		case isDigit(s[i]):
			i++
		case (s[i] == ' ' || s[i] == '-') && i+1 < len(s) && isDigit(s[i+1]):
			groups = append(groups, [2]int{start, i})
			i++
			start = i
		default:
			return append(groups, [2]int{start, i})
		}
	}
	return append(groups, [2]int{start, i})
}

// cardWindow returns the last group z of the longest window groups[a..z]
// that reads as a card number.
func cardWindow(s string, groups [][2]int, a int) (int, bool) {
	if c := s[groups[a][0]]; c < '2' || c > '6' {
		return 0, false
	}
	digits, z := 0, a
	for z < len(groups) && digits+groups[z][1]-groups[z][0] <= 19 {
		digits += groups[z][1] - groups[z][0]
		z++
	}
	for z--; z >= a && digits >= 13; z-- {
		if luhn(s[groups[a][0]:groups[z][1]]) {
			return z, true
		}
		digits -= groups[z][1] - groups[z][0]
	}
	return 0, false
}

// luhn reports whether the digits of s (separators ignored) pass the Luhn
// check.
func luhn(s string) bool {
	sum, double := 0, false
	for i := len(s) - 1; i >= 0; i-- {
		if !isDigit(s[i]) {
			continue
		}
		d := int(s[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// ibanLengths is the length of an IBAN in each country of the ISO 13616
// registry; the country code selects it, which tells where an IBAN written
// in groups ends.
var ibanLengths = map[string]int{
	"AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
	"BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
	"DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
	"FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
	"GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
	"IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
	"LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
	"MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
	"SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
	"SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
	"YE": 30,
}

// maskIBANs replaces IBANs, written compact or in groups separated by
// single spaces, in either case, whose ISO 7064 mod-97 checksum is valid.
func maskIBANs(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i+4 <= len(s); i++ {
		if !isLetter(s[i]) || !isLetter(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) || i > 0 && isAlnum(s[i-1]) {
			continue
		}
		end, ok := ibanAt(s, i)
		if !ok {
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(maskIBAN)
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// ibanAt reports whether a valid IBAN starts at s[i], and where it ends.
func ibanAt(s string, i int) (int, bool) {
	cc := [2]byte{s[i] &^ 0x20, s[i+1] &^ 0x20}
	n := ibanLengths[string(cc[:])]
	if n == 0 {
		return 0, false
	}
	var buf [34]byte
	k, j := 0, i
	for k < n && j < len(s) {
		switch {
		case isAlnum(s[j]):
			buf[k] = s[j]
			k++
			j++
		case s[j] == ' ' && k > 0 && j+1 < len(s) && isAlnum(s[j+1]):
			j++
		default:
			return 0, false
		}
	}
	if k < n || j < len(s) && isAlnum(s[j]) {
		return 0, false
	}
	return j, mod97(buf[:n]) == 1
}

// mod97 computes the ISO 7064 checksum of an IBAN: the first four
// characters moved to the end, letters read as 10 to 35.
func mod97(iban []byte) int {
	r := 0
	for k := range iban {
		c := iban[(k+4)%len(iban)]
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c|0x20-'a') + 10) % 97
		}
	}
	return r
}
