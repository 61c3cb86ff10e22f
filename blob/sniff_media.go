package blob

import (
	"bytes"
	"slices"
)

// sniffRIFF recognizes RIFF containers: WebP and WAV pass, the rest (AVI,
// …) do not.
func sniffRIFF(h []byte) (detection, bool) {
	if len(h) < 12 || string(h[:4]) != "RIFF" {
		return detection{}, false
	}
	switch string(h[8:12]) {
	case "WEBP":
		return detection{TypeWebP, "a WebP image"}, true
	case "WAVE":
		return detection{TypeWAV, "WAV audio"}, true
	}
	return refused(classAudio), true
}

// ISO base media (MP4) brands taken as audio/mp4. Video MP4 files carry the
// same brands; served as audio, only their sound plays.
var mp4AudioBrands = []string{"M4A ", "M4B ", "mp41", "mp42", "isom", "iso2", "iso4", "iso5", "iso6", "dash", "F4A "}

var heifBrands = []string{"heic", "heix", "hevc", "heim", "heis", "mif1", "msf1", "avif", "avis"}

// sniffFtyp recognizes ISO base media files by their ftyp box.
func sniffFtyp(h []byte) (detection, bool) {
	if len(h) < 12 || string(h[4:8]) != "ftyp" {
		return detection{}, false
	}
	brand := string(h[8:12])
	switch {
	case slices.Contains(mp4AudioBrands, brand):
		return detection{TypeMP4Audio, "MP4 audio"}, true
	case slices.Contains(heifBrands, brand):
		return refused(classImage), true
	}
	return refused(classAudio), true
}

// sniffOgg recognizes Ogg streams by the codec of their first packet: Opus,
// Vorbis and FLAC pass; video (Theora) and others do not.
func sniffOgg(h []byte) (detection, bool) {
	if len(h) < 27 || string(h[:4]) != "OggS" {
		return detection{}, false
	}
	first := h[min(len(h), 27+int(h[26])):]
	for _, codec := range []string{"OpusHead", "\x01vorbis", "\x7fFLAC", "Speex   "} {
		if bytes.HasPrefix(first, []byte(codec)) {
			return detection{TypeOgg, "Ogg audio"}, true
		}
	}
	return refused(classAudio), true
}

// sniffEBML recognizes WebM by the DocType in its EBML header; Matroska
// and other EBML documents are refused.
func sniffEBML(h []byte) (detection, bool) {
	if !bytes.HasPrefix(h, []byte("\x1a\x45\xdf\xa3")) {
		return detection{}, false
	}
	hdr := h[:min(len(h), 64)]
	if i := bytes.Index(hdr, []byte("\x42\x82")); i >= 0 && bytes.Contains(hdr[i:min(len(hdr), i+12)], []byte("webm")) {
		return detection{TypeWebM, "WebM audio"}, true
	}
	return refused(classAudio), true
}

// sniffID3 recognizes MP3 files that start with an ID3v2 tag.
func sniffID3(h []byte) (detection, bool) {
	if len(h) < 10 || string(h[:3]) != "ID3" || h[3] < 2 || h[3] > 4 || h[4] == 0xff {
		return detection{}, false
	}
	for _, b := range h[6:10] { // the tag size is four 7-bit bytes
		if b&0x80 != 0 {
			return detection{}, false
		}
	}
	return detection{TypeMP3, "MP3 audio"}, true
}

// sniffTar recognizes POSIX tar archives by the magic at offset 257.
func sniffTar(h []byte) (detection, bool) {
	if len(h) >= 262 && string(h[257:262]) == "ustar" {
		return refused(classArchive), true
	}
	return detection{}, false
}
