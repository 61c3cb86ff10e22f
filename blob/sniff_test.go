package blob_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"github.com/quirehq/quire"
	"github.com/quirehq/quire/blob"
)

// encodeImage returns a real 4×4 image in format f.
func encodeImage(t testing.TB, f string) []byte {
	img := image.NewPaletted(image.Rect(0, 0, 4, 4), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	var err error
	switch f {
	case "png":
		err = png.Encode(&buf, img)
	case "jpeg":
		err = jpeg.Encode(&buf, img, nil)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// riff is a RIFF container of the given form type with one chunk.
func riff(form, chunk string) []byte {
	body := append([]byte(form+chunk), binary.LittleEndian.AppendUint32(nil, 16)...)
	body = append(body, make([]byte, 16)...)
	return append(binary.LittleEndian.AppendUint32([]byte("RIFF"), uint32(len(body))), body...)
}

// mp3Frames is two MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) of 417
// bytes each.
func mp3Frames() []byte {
	frame := append([]byte{0xff, 0xfb, 0x90, 0x00}, make([]byte, 413)...)
	return append(bytes.Clone(frame), frame...)
}

// oggPage is the first Ogg page, whose packet starts with codec.
func oggPage(codec string) []byte {
	h := append([]byte("OggS\x00\x02"), make([]byte, 20)...) // granule, serial, sequence, CRC
	h = append(h, 1, byte(len(codec)+11))
	return append(append(h, codec...), make([]byte, 11)...)
}

// ebml is an EBML header with the given DocType.
func ebml(doctype string) []byte {
	body := append([]byte{0x42, 0x86, 0x81, 0x01, 0x42, 0x82, byte(0x80 | len(doctype))}, doctype...)
	return append(append([]byte{0x1a, 0x45, 0xdf, 0xa3, byte(0x80 | len(body))}, body...), 0x18, 0x53, 0x80, 0x67)
}

func ftyp(brand string) []byte {
	return append([]byte("\x00\x00\x00\x18ftyp"+brand+"\x00\x00\x00\x00"+brand+"isom"), make([]byte, 8)...)
}

func tarHeader() []byte {
	h := make([]byte, 512)
	copy(h, "notes.txt")
	copy(h[257:], "ustar\x0000")
	return h
}

func TestSniffAllowed(t *testing.T) {
	longText := strings.Repeat("é", blob.SniffLen) // cut at SniffLen inside a character
	tests := []struct {
		name, file, want string
		head             []byte
	}{
		{"png", "photo.png", blob.TypePNG, encodeImage(t, "png")},
		{"png upper-case extension", "PHOTO.PNG", blob.TypePNG, encodeImage(t, "png")},
		{"png without a name", "", blob.TypePNG, encodeImage(t, "png")},
		{"png .bin", "upload.bin", blob.TypePNG, encodeImage(t, "png")},
		{"png trailing dot", "photo.png.", blob.TypePNG, encodeImage(t, "png")},
		{"jpeg", "photo.jpg", blob.TypeJPEG, encodeImage(t, "jpeg")},
		{"jpeg long extension", "photo.jpeg", blob.TypeJPEG, encodeImage(t, "jpeg")},
		{"gif", "anim.gif", blob.TypeGIF, encodeImage(t, "gif")},
		{"webp", "x.webp", blob.TypeWebP, riff("WEBP", "VP8 ")},
		{"pdf", "doc.pdf", blob.TypePDF, []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")},
		{"text", "notes.txt", blob.TypeText, []byte("Shopping list:\n- milk\n\tand tea\r\n")},
		{"text no name", "", blob.TypeText, []byte("hello")},
		{"empty text", "empty.txt", blob.TypeText, nil},
		{"csv", "data.csv", blob.TypeText, []byte("a,b\n1,2\n")},
		{"text with BOM", "bom.txt", blob.TypeText, []byte("\xef\xbb\xbfhello")},
		{"text cut inside a character", "long.txt", blob.TypeText, []byte(longText)},
		{"markdown", "README.md", blob.TypeMarkdown, []byte("# Title\n\nSome *text*.\n")},
		{"markdown with a logo", "README.markdown", blob.TypeMarkdown, []byte("<p align=\"center\"><img src=\"logo.png\"></p>\n# Title")},
		{"markdown with a comment", "notes.md", blob.TypeMarkdown, []byte("<!-- draft -->\n# Notes")},
		{"text mentioning tags later", "a.txt", blob.TypeText, []byte("use <script> tags carefully")},
		{"mp3 with ID3", "song.mp3", blob.TypeMP3, append([]byte("ID3\x04\x00\x00\x00\x00\x00\x0a"), mp3Frames()...)},
		{"mp3 frames", "voice.mp3", blob.TypeMP3, mp3Frames()},
		{"wav", "memo.wav", blob.TypeWAV, riff("WAVE", "fmt ")},
		{"ogg opus", "memo.ogg", blob.TypeOgg, oggPage("OpusHead\x01\x02")},
		{"opus", "memo.opus", blob.TypeOgg, oggPage("OpusHead\x01\x02")},
		{"ogg vorbis", "memo.oga", blob.TypeOgg, oggPage("\x01vorbis\x00\x00")},
		{"webm", "memo.webm", blob.TypeWebM, ebml("webm")},
		{"m4a", "memo.m4a", blob.TypeMP4Audio, ftyp("M4A ")},
		{"mp4 isom", "memo.mp4", blob.TypeMP4Audio, ftyp("isom")},
		{"flac", "song.flac", blob.TypeFLAC, []byte("fLaC\x00\x00\x00\x22")},
	}
	for _, tt := range tests {
		got, err := blob.Sniff(tt.head, tt.file)
		if err != nil || got != tt.want {
			t.Errorf("%s: Sniff = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestSniffRefused(t *testing.T) {
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 120)...)
	tests := []struct {
		name, file, class string
		head              []byte
	}{
		{"svg", "icon.svg", "SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">`)},
		{"svg named png", "icon.png", "SVG", []byte(` <svg>`)},
		{"svg with prolog", "icon.txt", "XML", []byte(`<?xml version="1.0"?><svg/>`)},
		{"html doctype", "page.txt", "HTML", []byte("<!DOCTYPE html><html>")},
		{"html after whitespace and BOM", "", "HTML", []byte("\xef\xbb\xbf\n  <HTML><body>")},
		{"script tag", "x.md", "HTML", []byte("<script>alert(1)</script>")},
		{"html in .html", "page.html", "HTML", []byte("<html>")},
		{"inline html as plain text", "a.txt", "HTML markup", []byte("<p>hi</p>")},
		{"inline html without a name", "", "HTML markup", []byte("<div>hi</div>")},
		{"php", "x.txt", "script", []byte("<?php system($_GET['c']);")},
		{"shebang", "run", "script", []byte("#!/bin/sh\nrm -rf /\n")},
		{"postscript", "a.txt", "script", []byte("%!PS-Adobe-3.0\n")},
		{"text named html", "page.html", "text", []byte("just text")},
		{"text named js", "app.js", "text", []byte("alert(1)")},
		{"text named svg", "a.svg", "text", []byte("hello")},
		{"text named exe", "setup.exe", "text", []byte("hello")},
		{"text named png", "photo.png", "text", []byte("hello")},
		{"png named jpg", "photo.jpg", "PNG", encodeImage(t, "png")},
		{"png named exe", "photo.png.exe", "PNG", encodeImage(t, "png")},
		{"elf", "a.png", "executable", []byte("\x7fELF\x02\x01\x01\x00")},
		{"pe", "setup", "executable", pe},
		{"mach-o", "", "executable", []byte("\xcf\xfa\xed\xfe\x07\x00\x00\x01")},
		{"wasm", "", "executable", []byte("\x00asm\x01\x00\x00\x00")},
		{"zip", "doc.docx", "archive", []byte("PK\x03\x04\x14\x00\x00\x00")},
		{"gzip", "a.gz", "archive", []byte("\x1f\x8b\x08\x00")},
		{"tar", "a.tar", "archive", tarHeader()},
		{"7z", "", "archive", []byte("7z\xbc\xaf\x27\x1c\x00\x04")},
		{"rar", "", "archive", []byte("Rar!\x1a\x07\x01\x00")},
		{"ogg theora", "v.ogg", "audio or video", oggPage("\x80theora\x03\x02")},
		{"avi", "v.avi", "audio or video", riff("AVI ", "LIST")},
		{"matroska", "v.mkv", "audio or video", ebml("matroska")},
		{"quicktime", "v.mov", "audio or video", ftyp("qt  ")},
		{"heic", "p.heic", "image", ftyp("heic")},
		{"tiff", "p.tif", "image", []byte("II*\x00\x08\x00\x00\x00")},
		{"NUL in text", "a.txt", "binary", []byte("hello\x00world")},
		{"invalid UTF-8", "a.txt", "binary", []byte("caf\xe9 au lait")},
		{"cut character in a whole file", "a.txt", "binary", []byte("caf\xc3")},
		{"UTF-16", "a.txt", "binary", []byte("\xff\xfeh\x00i\x00")},
		{"one MP3 frame header, then junk", "a.mp3", "binary", append([]byte{0xff, 0xfb, 0x90, 0x00}, bytes.Repeat([]byte{0x01}, 500)...)},
	}
	for _, tt := range tests {
		mt, err := blob.Sniff(tt.head, tt.file)
		if quire.ErrorCode(err) != quire.EINVALID {
			t.Errorf("%s: Sniff = %q, %v; want EINVALID", tt.name, mt, err)
			continue
		}
		if msg := quire.ErrorMessage(err); !strings.Contains(msg, tt.class) {
			t.Errorf("%s: message %q does not name %q", tt.name, msg, tt.class)
		}
	}
}

// TestSniffNeverNamesTheFile: the message names what was found, not the
// file; names that are not valid text are refused.
func TestSniffNeverNamesTheFile(t *testing.T) {
	marker := "MARKER" + quire.NewID()
	for _, head := range [][]byte{[]byte("text"), []byte("\x7fELF"), encodeImage(t, "png"), []byte("<svg>")} {
		for _, name := range []string{marker + ".exe", marker + ".html", "dir/" + marker} {
			if _, err := blob.Sniff(head, name); err != nil && strings.Contains(err.Error(), marker) {
				t.Fatalf("error names the file: %v", err)
			}
		}
	}
	for _, name := range []string{"a\x00.png", "a\n.png", "\xff.png"} {
		_, err := blob.Sniff(encodeImage(t, "png"), name)
		wantCode(t, err, quire.EINVALID)
	}
}
