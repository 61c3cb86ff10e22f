package config

import (
	"fmt"
	"reflect"
	"strings"
)

// fieldIndex returns the index of the exported field of struct type t whose
// yaml tag is key.
func fieldIndex(t reflect.Type, key string) (int, bool) {
	for i := range t.NumField() {
		if name, ok := yamlName(t.Field(i)); ok && name == key {
			return i, true
		}
	}
	return 0, false
}

func yamlName(f reflect.StructField) (string, bool) {
	if !f.IsExported() {
		return "", false
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	return name, name != "" && name != "-"
}

// keyNames returns the keys struct type t accepts, in declaration order.
func keyNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		if name, ok := yamlName(t.Field(i)); ok {
			names = append(names, name)
		}
	}
	return names
}

// unknownKeyHint says what to do about an unknown key: the likely intended
// key when there is one close enough, otherwise the keys accepted here.
func unknownKeyHint(key string, t reflect.Type) string {
	names := keyNames(t)
	if s := closest(key, names); s != "" {
		return fmt.Sprintf("unknown key; did you mean %q?", s)
	}
	return "unknown key; the keys accepted here are " + strings.Join(names, ", ")
}

// closest returns the name that key most likely misspells: the same apart
// from case, '-' and '_', or within an edit distance of 2.
func closest(key string, names []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	best, bestDist := "", 3
	for _, n := range names {
		if norm(n) == norm(key) {
			return n
		}
		if d := editDistance(key, n); d < bestDist && d < len(n) {
			best, bestDist = n, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, bounded: it
// gives up on long keys, which cannot be near-misses of short names anyway.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
