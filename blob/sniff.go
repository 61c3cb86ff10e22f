package blob

import (
	"bytes"

	"github.com/quirehq/quire"
)

// SniffLen is how many leading bytes of a file Sniff needs: pass the first
// SniffLen bytes, or the whole file if it is shorter.
const SniffLen = 4096

// Media types that Sniff allows.
const (
	TypePNG      = "image/png"
	TypeJPEG     = "image/jpeg"
	TypeGIF      = "image/gif"
	TypeWebP     = "image/webp"
	TypePDF      = "application/pdf"
	TypeText     = "text/plain; charset=utf-8"
	TypeMarkdown = "text/markdown; charset=utf-8"
	TypeMP3      = "audio/mpeg"
	TypeWAV      = "audio/wav"
	TypeOgg      = "audio/ogg"
	TypeWebM     = "audio/webm"
	TypeMP4Audio = "audio/mp4"
	TypeFLAC     = "audio/flac"
)

// detection is what the leading bytes of a file turned out to be: an
// allowed media type, or the class of a refused one.
type detection struct {
	mediaType string // set when allowed
	class     string // human name of what was detected, for messages
}

// sig is a fixed signature at the start of a file.
type sig struct {
	magic string
	det   detection
}

// Refused classes, named in error messages.
const (
	classExec    = "an executable"
	classArchive = "an archive"
	classScript  = "a script"
	classImage   = "an image type that is not supported"
	classAudio   = "an audio or video type that is not supported"
	classDoc     = "a document type that is not supported"
)

func refused(class string) detection { return detection{class: class} }

// signatures are checked in order; the first match wins.
var signatures = []sig{
	{"\x89PNG\r\n\x1a\n", detection{TypePNG, "a PNG image"}},
	{"\xff\xd8\xff", detection{TypeJPEG, "a JPEG image"}},
	{"GIF87a", detection{TypeGIF, "a GIF image"}},
	{"GIF89a", detection{TypeGIF, "a GIF image"}},
	{"%PDF-", detection{TypePDF, "a PDF document"}},
	{"fLaC", detection{TypeFLAC, "FLAC audio"}},
	{"\x7fELF", refused(classExec)},
	{"\xfe\xed\xfa\xce", refused(classExec)},
	{"\xfe\xed\xfa\xcf", refused(classExec)},
	{"\xce\xfa\xed\xfe", refused(classExec)},
	{"\xcf\xfa\xed\xfe", refused(classExec)},
	{"\xca\xfe\xba\xbe", refused(classExec)},
	{"\x00asm", refused(classExec)},
	{"dex\n", refused(classExec)},
	{"#!", refused(classScript)},
	{"%!", refused(classScript)}, // PostScript
	{"PK\x03\x04", refused(classArchive)},
	{"PK\x05\x06", refused(classArchive)},
	{"PK\x07\x08", refused(classArchive)},
	{"\x1f\x8b", refused(classArchive)},
	{"\x1f\x9d", refused(classArchive)},
	{"\xfd7zXZ\x00", refused(classArchive)},
	{"7z\xbc\xaf\x27\x1c", refused(classArchive)},
	{"Rar!\x1a\x07", refused(classArchive)},
	{"\x28\xb5\x2f\xfd", refused(classArchive)},
	{"\x04\x22\x4d\x18", refused(classArchive)},
	{"MSCF\x00\x00\x00\x00", refused(classArchive)},
	{"!<arch>\n", refused(classArchive)},
	{"xar!", refused(classArchive)},
	{"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", refused(classDoc)}, // OLE: old Office, MSI
	{"{\\rtf", refused(classDoc)},
	{"II*\x00", refused(classImage)},
	{"MM\x00*", refused(classImage)},
	{"8BPS", refused(classImage)},
	{"\x00\x00\x01\x00", refused(classImage)}, // ICO
	{"\xff\x0a", refused(classImage)},         // JPEG XL
	{"FLV\x01", refused(classAudio)},
	{"\x00\x00\x01\xba", refused(classAudio)}, // MPEG program stream
}

// Sniff returns the media type of a file from its leading bytes (see
// SniffLen), never from its name. Only an allowlist of images, PDF, plain
// text, Markdown and audio passes. The name's extension must agree with the
// content or be absent (or ".bin"). Anything else is an EINVALID error that
// names the class of what was detected and never the file name.
func Sniff(head []byte, filename string) (string, error) {
	ext, ok := extension(filename)
	if !ok {
		return "", quire.Errorf(quire.EINVALID, "File name is not valid.")
	}
	truncated := len(head) >= SniffLen
	head = head[:min(len(head), SniffLen)]
	det := detect(head, truncated)
	if det.mediaType == "" {
		return "", quire.Errorf(quire.EINVALID, "File type is not allowed: the content is %s.", det.class)
	}
	mt, ok := agree(det.mediaType, ext)
	if !ok {
		return "", quire.Errorf(quire.EINVALID, "File name extension does not match the content, which is %s.", det.class)
	}
	return mt, nil
}

// detect classifies head: fixed signatures, then container formats, then
// text.
func detect(head []byte, truncated bool) detection {
	for _, s := range signatures {
		if bytes.HasPrefix(head, []byte(s.magic)) {
			return s.det
		}
	}
	for _, f := range []func([]byte) (detection, bool){sniffRIFF, sniffFtyp, sniffOgg, sniffEBML, sniffID3, sniffTar} {
		if d, ok := f(head); ok {
			return d
		}
	}
	if d, ok := sniffMPEGAudio(head, truncated); ok {
		return d
	}
	if isText(head, truncated) {
		return sniffMarkup(head)
	}
	if bytes.HasPrefix(head, []byte("MZ")) {
		return refused(classExec) // a PE header is never text
	}
	return refused("binary data of an unrecognized type")
}
