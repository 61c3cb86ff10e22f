package export

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxSlug is the longest name part of a path in the archive, in bytes.
const maxSlug = 60

// slug turns a title into a safe path segment: letters and digits kept,
// every run of anything else one hyphen, at most maxSlug bytes; fallback
// when nothing is left. It never holds a slash or a dot, so no path of the
// archive can climb out of its directory.
func slug(s, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			if b.Len()+utf8.RuneLen(r) > maxSlug {
				break
			}
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return fallback
	}
	return b.String()
}

// fileName keeps a file's name readable in the archive: its stem as a
// slug and its extension, if it has a short alphanumeric one.
func fileName(name string) string {
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i > 0 {
		stem, ext = name[:i], name[i+1:]
	}
	if ext == "" || len(ext) > 10 || strings.ContainsFunc(ext, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		return slug(name, "file")
	}
	return slug(stem, "file") + "." + strings.ToLower(ext)
}
