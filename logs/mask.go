package logs

import (
	"regexp"
	"strings"
)

// Markers that replace what Mask finds. Attributes redacted by key become
// Redacted.
const (
	Redacted    = "[REDACTED]"
	maskEmail   = "[EMAIL]"
	maskCard    = "[CARD]"
	maskIBAN    = "[IBAN]"
	maskJWT     = "[JWT]"
	maskAPIKey  = "[API_KEY]"
	secretWords = `password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key`
)

var (
	// scheme://user:password@ — the password, up to the last @ before the
	// path, since an unescaped @ in a password is common in practice.
	urlPasswordRe = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://[^\s:/@]*):[^\s/]*@`)
	// password=…, api_key=… in query strings, DSNs and form bodies. The key
	// must end with the secret word, so max_tokens=512 stays visible.
	kvEqualsRe = regexp.MustCompile(`(?i)\b([a-z0-9_.-]*(?:` + secretWords + `))(\s*=\s*)("[^"]*"|'[^']*'|[^\s&,;"'<>]+)`)
	// "password": "…" in JSON, password: "…" in YAML. Only quoted values,
	// so that prose such as "password: too short" is left alone.
	kvColonRe = regexp.MustCompile(`(?i)("?\b[a-z0-9_.-]*(?:` + secretWords + `)"?\s*:\s*)("(?:[^"\\]|\\.)*"|'[^']*')`)
	jwtRe     = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	bearerRe  = regexp.MustCompile(`(?i)\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}`)
	apiKeyRe  = regexp.MustCompile(`\b(?:(?:sk|pk|rk)[-_][A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|xox[abposr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35})`)
	emailRe   = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
)

var apiKeyPrefixes = []string{"sk-", "sk_", "pk-", "pk_", "rk-", "rk_", "gh", "github_pat_", "xox", "glpat-", "AKIA", "AIza"}

// Mask returns s with secrets and personal data replaced by markers: URL
// passwords and password=/token=/api_key= values ([REDACTED]), JWTs
// ([JWT]), bearer tokens, API keys of well-known shapes ([API_KEY]), email
// addresses ([EMAIL]), IBANs with a valid checksum ([IBAN]) and card numbers
// ([CARD]: 13–19 digits, optionally grouped by single spaces or dashes,
// starting with 2–6 as the card networks' numbers do, Luhn-valid). Ordinary
// numbers, IDs, durations and dates pass unchanged. Each scanner runs only
// when a cheap test shows it could match, so most strings cost a few scans.
func Mask(s string) string {
	if len(s) < 5 {
		return s
	}
	at := strings.IndexByte(s, '@') >= 0
	if at && strings.Contains(s, "://") {
		s = urlPasswordRe.ReplaceAllString(s, "${1}:"+Redacted+"@")
	}
	if strings.ContainsAny(s, "=:") && hasSecretWord(s) {
		s = kvEqualsRe.ReplaceAllString(s, "${1}${2}"+Redacted)
		s = kvColonRe.ReplaceAllString(s, `${1}"`+Redacted+`"`)
	}
	if strings.Contains(s, "eyJ") {
		s = jwtRe.ReplaceAllString(s, maskJWT)
	}
	if containsFold(s, "bearer") || containsFold(s, "basic") {
		s = bearerRe.ReplaceAllString(s, "${1}"+Redacted)
	}
	if hasAny(s, apiKeyPrefixes) {
		s = apiKeyRe.ReplaceAllString(s, maskAPIKey)
	}
	if at {
		s = emailRe.ReplaceAllString(s, maskEmail)
	}
	if digits := countDigits(s); digits >= 13 {
		s = maskCards(maskIBANs(s))
	} else if digits >= 4 {
		s = maskIBANs(s)
	}
	return s
}

func hasSecretWord(s string) bool {
	return containsFold(s, "pass") || containsFold(s, "pwd") || containsFold(s, "secret") ||
		containsFold(s, "token") || containsFold(s, "key")
}

func hasAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	n := len(sub)
	for i := 0; i+n <= len(s); i++ {
		if s[i]|0x20 == sub[0] && strings.EqualFold(s[i:i+n], sub) {
			return true
		}
	}
	return false
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }
