package breach

import (
	"strings"

	"github.com/trustelem/zxcvbn/frequency"
)

// DefaultOfflineSize is how many of the most common breached passwords the
// offline list holds by default.
const DefaultOfflineSize = 10_000

// offlineSource is zxcvbn's "passwords" frequency list (MIT licence): the
// 30,000 most frequent passwords of breach corpora, most frequent first,
// all lower case. zxcvbn moved words that rank higher in its other lists
// (first names, surnames, English words: "michael", "jennifer") out of it,
// so those are left to the range API and to Strength's feedback.
func offlineSource() []string { return frequency.FrequencyLists["passwords"] }

// offlineList is a set of lower-case passwords.
type offlineList map[string]struct{}

// newOfflineList returns the top n entries of the source (all if n is
// larger than the source).
func newOfflineList(n int) offlineList {
	src := offlineSource()
	src = src[:min(n, len(src))]
	l := make(offlineList, len(src))
	for _, pw := range src {
		l[pw] = struct{}{}
	}
	return l
}

// contains compares case-insensitively: the source is lower case, and
// "Password" or "PASSWORD" is among the first guesses of any cracking rule
// set, so a case variant of a listed password is as breached as the word.
func (l offlineList) contains(pw string) bool {
	_, ok := l[strings.ToLower(pw)]
	return ok
}
