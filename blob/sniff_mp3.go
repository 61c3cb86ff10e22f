package blob

// MPEG audio bit rates in kbit/s by [version is 1][layer-1][index], and
// sample rates in Hz by [version index][index] (MPEG-2.5, reserved, 2, 1).
var (
	mpegBitrates = [2][3][16]int{
		{ // MPEG-2 and 2.5
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
			{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},
		},
		{ // MPEG-1
			{0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448},
			{0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},
			{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},
		},
	}
	mpegSampleRates = [4][3]int{{11025, 12000, 8000}, {}, {22050, 24000, 16000}, {44100, 48000, 32000}}
)

// mpegFrameLen parses an MPEG audio frame header at h and returns the
// frame's length in bytes, or 0 if h does not start with a valid header.
// ADTS (AAC), whose layer bits are 0, is not MPEG audio and gives 0.
func mpegFrameLen(h []byte) int {
	if len(h) < 4 || h[0] != 0xff || h[1]&0xe0 != 0xe0 {
		return 0
	}
	version, layerBits := (h[1]>>3)&3, (h[1]>>1)&3
	brIndex, srIndex, pad := h[2]>>4, (h[2]>>2)&3, int(h[2]>>1)&1
	if version == 1 || layerBits == 0 || brIndex == 0 || brIndex == 15 || srIndex == 3 {
		return 0
	}
	layer := 4 - int(layerBits) // 1, 2 or 3
	v1 := 0
	if version == 3 {
		v1 = 1
	}
	br := mpegBitrates[v1][layer-1][brIndex] * 1000
	sr := mpegSampleRates[version][srIndex]
	switch {
	case layer == 1:
		return (12*br/sr + pad) * 4
	case layer == 3 && v1 == 0:
		return 72*br/sr + pad
	default:
		return 144*br/sr + pad
	}
}

// sniffMPEGAudio recognizes MP3 (and MP2) without an ID3 tag: a valid frame
// header, followed by another where the frame ends, if head reaches there.
func sniffMPEGAudio(h []byte, truncated bool) (detection, bool) {
	n := mpegFrameLen(h)
	if n == 0 {
		return detection{}, false
	}
	switch {
	case n+4 <= len(h):
		if mpegFrameLen(h[n:]) == 0 {
			return detection{}, false
		}
	case n > len(h) && !truncated:
		return detection{}, false // the file ends inside its first frame
	}
	return detection{TypeMP3, "MP3 audio"}, true
}
