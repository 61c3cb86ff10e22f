package logs

import (
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// sensitiveWords are the words of an attribute key (or group name) that
// mark its value as a secret, personal data or user content. Keys are split
// into words at separators and camelCase boundaries, and adjacent words are
// also tried joined, so "api_key", "apiKey" and "APIKey" all match "apikey".
var sensitiveWords = set(
	// secrets
	"password", "passwd", "passphrase", "pwd", "secret", "secrets", "token",
	"apikey", "privatekey", "secretkey", "accesskey", "authorization", "auth",
	"bearer", "jwt", "credential", "credentials", "cookie", "cookies",
	"setcookie", "session", "sessions", "csrf", "otp", "totp", "signature",
	// personal data
	"email", "emails", "phone", "telephone", "ssn", "card", "cardnumber",
	"cardholder", "pan", "iban", "cvv", "cvc",
	// user content
	"content", "contents", "body", "title", "prompt", "prompts", "completion",
	"messages", "text", "transcript", "markdown",
)

// containedWords are matched anywhere inside a word, for keys written
// without separators ("userEmail" splits, "useremail" does not).
var containedWords = []string{"password", "passwd", "secret", "apikey", "cookie", "email", "authorization", "credential"}

// safeSuffixes, as the last word of a key, describe a value that is
// metadata about the sensitive thing rather than the thing: the number of
// prompt_tokens, a content_type, whether email_verified. These stay visible
// because metadata is what diagnostic logs are for (claim AI-2).
var safeSuffixes = set(
	"count", "tokens", "length", "len", "size", "bytes", "chars", "type",
	"kind", "version", "enabled", "verified", "present", "set", "ms", "at",
	"ttl", "expires", "expiry", "status", "format", "encoding", "lang", "language",
)

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// sensitive reports whether an attribute at group path with key must be
// redacted. The rule, on the words of the path and key together:
//
//   - a last word in safeSuffixes (when there are several words) is metadata:
//     not sensitive ("prompt_tokens", "key_version", "body.bytes");
//   - a last word "key" or "keys" is a key: sensitive ("api_key",
//     "signing_key", "key"), while "key" elsewhere is not ("key_version",
//     "keyring" — the barrier logs key versions and they are not secret);
//   - any word, or two adjacent words joined, in sensitiveWords: sensitive;
//   - any word containing one of containedWords: sensitive.
func sensitive(path []string, key string) bool {
	full := key
	if len(path) > 0 {
		full = strings.Join(path, ".") + "." + key
	}
	if v, ok := keyCache.Load(full); ok {
		return v.(bool)
	}
	s := classify(splitWords(full))
	if keyCacheSize.Add(1) <= maxCachedKeys {
		keyCache.Store(full, s)
	}
	return s
}

// describesSecret reports whether key ends in a metadata word after words
// that name a secret ("password_length", "cookie_set"). Such a value may be
// shown only if it is a number, flag, duration or time, since a string there
// could be the secret itself — except a short value after a word that names
// a kind of thing ("content_type": "text/markdown").
func describesSecret(path []string, key string, v slog.Value) bool {
	words := splitWords(strings.Join(append(slices.Clip(path), key), "."))
	if len(words) < 2 || !safeSuffixes[words[len(words)-1]] || !classify(words[:len(words)-1]) {
		return false
	}
	switch v.Kind() {
	case slog.KindInt64, slog.KindUint64, slog.KindFloat64, slog.KindBool, slog.KindDuration, slog.KindTime:
		return false
	case slog.KindString:
		return !enumSuffixes[words[len(words)-1]] || len(v.String()) > maxEnumValue
	}
	return true
}

// enumSuffixes are metadata words whose values are short names
// ("text/markdown", "argon2id", "en"), which may be strings.
var enumSuffixes = set("type", "kind", "format", "encoding", "lang", "language", "version", "status")

// maxEnumValue bounds such a name; anything longer is treated as content.
const maxEnumValue = 40

const maxCachedKeys = 4096

// keyCache remembers the verdict for up to maxCachedKeys key paths: keys
// are nearly always constants, so the cache turns splitting into a lookup.
var (
	keyCache     sync.Map
	keyCacheSize atomic.Int64
)

func classify(words []string) bool {
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	if len(words) > 1 && safeSuffixes[last] {
		return false
	}
	if last == "key" || last == "keys" {
		return true
	}
	for i, w := range words {
		if sensitiveWords[w] || i > 0 && sensitiveWords[words[i-1]+w] {
			return true
		}
		for _, c := range containedWords {
			if strings.Contains(w, c) {
				return true
			}
		}
	}
	return false
}

// splitWords splits a key into lower-case words at every character that is
// not a letter or digit and at camelCase boundaries: "userEmail" → user,
// email; "APIKey" → api, key; "x-api-key" → x, api, key.
func splitWords(s string) []string {
	var words []string
	rs := []rune(s)
	start := -1
	flush := func(end int) {
		if start >= 0 {
			words = append(words, strings.ToLower(string(rs[start:end])))
			start = -1
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			continue
		}
		if start >= 0 && unicode.IsUpper(r) {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || unicode.IsUpper(prev) && nextLower {
				flush(i)
			}
		}
		if start < 0 {
			start = i
		}
	}
	flush(len(rs))
	return words
}
