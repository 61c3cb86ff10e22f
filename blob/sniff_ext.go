package blob

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// extensions lists, per allowed type, the extensions that agree with it.
var extensions = map[string][]string{
	TypePNG:      {".png"},
	TypeJPEG:     {".jpg", ".jpeg", ".jpe", ".jfif"},
	TypeGIF:      {".gif"},
	TypeWebP:     {".webp"},
	TypePDF:      {".pdf"},
	TypeText:     {".txt", ".text", ".log", ".csv", ".tsv", ".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".conf"},
	TypeMarkdown: {".md", ".markdown", ".mdown", ".mkd", ".mkdn"},
	TypeMP3:      {".mp3", ".mpga", ".mp2"},
	TypeWAV:      {".wav", ".wave"},
	TypeOgg:      {".ogg", ".oga", ".opus"},
	TypeWebM:     {".webm", ".weba"},
	TypeMP4Audio: {".m4a", ".m4b", ".mp4"},
	TypeFLAC:     {".flac"},
}

// neutral extensions say nothing about the content.
var neutral = []string{"", ".bin"}

// extension returns the lower-case extension of the last element of name
// ("" if none), ignoring trailing dots and spaces, which some systems drop.
// It reports false for a name that is not valid text.
func extension(name string) (string, bool) {
	if !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return "", false
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimRight(name, ". ")
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return "", true
	}
	return strings.ToLower(name[i:]), true
}

// agree returns the media type to record for content detected as mt in a
// file with extension ext, and false if they disagree. Text becomes
// Markdown when the extension says so; text that starts with HTML markup
// passes only as Markdown.
func agree(mt, ext string) (string, bool) {
	if mt == TypeText && slices.Contains(extensions[TypeMarkdown], ext) {
		return TypeMarkdown, true
	}
	if mt == TypeMarkdown {
		return mt, slices.Contains(extensions[TypeMarkdown], ext)
	}
	return mt, slices.Contains(neutral, ext) || slices.Contains(extensions[mt], ext)
}
