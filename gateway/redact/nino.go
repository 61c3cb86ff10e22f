package redact

import "strings"

// findNINOs appends a span for every UK National Insurance number in s:
// two prefix letters (neither D, F, I, Q, U nor V; the second not O; not
// BG, GB, KN, NK, NT, TN or ZZ), six digits, unseparated or in pairs, and
// a suffix letter A to D. Either case.
func findNINOs(s string, out []span) []span {
	for i := 0; i+9 <= len(s); i++ {
		if !ninoPrefix(s[i], s[i+1]) || isWord(runeBefore(s, i)) {
			continue
		}
		if end, ok := readNINO(s, i+2); ok {
			out = append(out, span{start: i, end: end, kind: NationalID, prio: prioNationalID})
			i = end - 1
		}
	}
	return out
}

func ninoPrefix(a, b byte) bool {
	a, b = a&^0x20, b&^0x20
	if a < 'A' || a > 'Z' || b < 'A' || b > 'Z' {
		return false
	}
	if strings.IndexByte("DFIQUV", a) >= 0 || strings.IndexByte("DFIQUVO", b) >= 0 {
		return false
	}
	switch string([]byte{a, b}) {
	case "BG", "GB", "KN", "NK", "NT", "TN", "ZZ":
		return false
	}
	return true
}

// readNINO reads the digits and suffix of a NINO whose digits start at
// s[j], either "123456C" or " 12 34 56 C".
func readNINO(s string, j int) (int, bool) {
	spaced := j < len(s) && s[j] == ' '
	for pair := 0; pair < 3; pair++ {
		if spaced {
			if j >= len(s) || s[j] != ' ' {
				return 0, false
			}
			j++
		}
		if j+2 > len(s) || !isDigit(s[j]) || !isDigit(s[j+1]) {
			return 0, false
		}
		j += 2
	}
	if spaced && j < len(s) && s[j] == ' ' {
		j++
	}
	if j >= len(s) || s[j]&^0x20 < 'A' || s[j]&^0x20 > 'D' || isWord(runeAt(s, j+1)) {
		return 0, false
	}
	return j + 1, true
}
