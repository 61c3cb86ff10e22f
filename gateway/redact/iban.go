package redact

// ibanLengths is the length of the IBAN of each country that has one, from
// the SWIFT IBAN registry.
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

// findIBANs appends a span for every IBAN in s: a country code with an
// IBAN, two check digits, and letters and digits up to that country's
// length, unseparated or in the printed groups of four, whose ISO 7064
// mod-97 check holds. Letters may be in either case.
func findIBANs(s string, out []span) []span {
	for i := 0; i+15 <= len(s); i++ {
		if !isASCIILetter(s[i]) || !isASCIILetter(s[i+1]) || !isDigit(s[i+2]) || !isDigit(s[i+3]) {
			continue
		}
		if isWord(runeBefore(s, i)) {
			continue
		}
		n, ok := ibanLengths[string([]byte{s[i] &^ 0x20, s[i+1] &^ 0x20})]
		if !ok {
			continue
		}
		if end, ok := readIBAN(s, i, n); ok {
			out = append(out, span{start: i, end: end, kind: IBAN, prio: prioIBAN})
			i = end - 1
		}
	}
	return out
}

// readIBAN reads n letters and digits at s[i] (with a space allowed after
// every fourth if the first such place has one), and checks them.
func readIBAN(s string, i, n int) (int, bool) {
	var buf [34]byte
	got, j := 0, i
	spaced := false
	for got < n && j < len(s) {
		c := s[j]
		if c == ' ' && got%4 == 0 && (got == 4 || spaced) && j+1 < len(s) && isAlnum(s[j+1]) {
			spaced = true
			j++
			continue
		}
		if !isAlnum(c) {
			break
		}
		buf[got] = c
		got++
		j++
	}
	if got != n || isWord(runeAt(s, j)) {
		return 0, false
	}
	return j, ibanValid(buf[:n])
}

// ibanValid checks the mod-97 check digits of b (ISO 13616).
func ibanValid(b []byte) bool {
	if check := (b[2]-'0')*10 + (b[3] - '0'); check < 2 || check > 98 {
		return false
	}
	rem := 0
	add := func(c byte) {
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		default:
			v := int(c|0x20-'a') + 10
			rem = (rem*100 + v) % 97
		}
	}
	for _, c := range b[4:] {
		add(c)
	}
	for _, c := range b[:4] {
		add(c)
	}
	return rem == 1
}
