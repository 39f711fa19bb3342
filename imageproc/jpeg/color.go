package jpeg

// YCbCr->RGB lookup tables of jdcolor.c build_ycc_rgb_table (SCALEBITS 16,
// FIX(x) = round(x * 2^16)), indexed by the chroma sample, x = i - 128:
//
//	crR[i] = (FIX(1.40200)*x + ONE_HALF) >> 16
//	cbB[i] = (FIX(1.77200)*x + ONE_HALF) >> 16
//	crG[i] = -FIX(0.71414)*x
//	cbG[i] = -FIX(0.34414)*x + ONE_HALF
//
// R = y + crR[cr], G = y + (cbG[cb]+crG[cr])>>16, B = y + cbB[cb], each
// clamped to [0, 255].
var crR, cbB, crG, cbG [256]int32

func init() {
	const oneHalf = 1 << 15
	for i := range 256 {
		x := int32(i - 128)
		crR[i] = (yccCrR*x + oneHalf) >> 16
		cbB[i] = (yccCbB*x + oneHalf) >> 16
		crG[i] = yccCrG * x
		cbG[i] = yccCbG*x + oneHalf
	}
}

// sampleLimit[x+384] = clamp(x, 0, 255): libjpeg's sample_range_limit for
// the colour converter, whose sums stay within [-384, 639] (the &1023 at
// each use only drops the bounds check).
var sampleLimit = func() (t [1024]byte) {
	for i := range t {
		t[i] = clamp8(i - 384)
	}
	return t
}()

// colorSpace is libjpeg's guess of the coded colour space
// (jdapimin.c default_decompress_parms): a JFIF marker means YCbCr, then
// the Adobe APP14 transform flag (0: RGB or CMYK, 1: YCbCr, 2 or other:
// YCbCr or YCCK), then for 3 components the ids ('R','G','B' means RGB);
// 4 components without an Adobe marker are CMYK.
func (d *decoder) colorSpace() int {
	switch len(d.comp) {
	case 1:
		return csGray
	case 3:
		if d.sawJFIF {
			return csYCbCr
		}
		if d.sawAdobe {
			if d.adobeXform == 0 {
				return csRGB
			}
			return csYCbCr
		}
		if d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B' {
			return csRGB
		}
		return csYCbCr
	}
	if d.sawAdobe && d.adobeXform != 0 {
		return csYCCK // transform 2; libjpeg warns and assumes YCCK for 1
	}
	return csCMYK
}

// yccRow converts one row to RGB (jdcolor.c ycc_rgb_convert) into 4-byte
// RGBA pixels with A = 255.
func yccRow(dst, y, cb, cr []byte) { yccPixels(dst[:4*len(y)], 4, y, cb, cr) }

// yccRowRGB is yccRow writing packed 3-byte RGB pixels.
func yccRowRGB(dst, y, cb, cr []byte) { yccPixels(dst[:3*len(y)], 3, y, cb, cr) }

// yccPixels converts one row into pixels of px bytes (3: RGB, 4: RGBA
// with A = 255).
func yccPixels(dst []byte, px int, y, cb, cr []byte) {
	cb, cr = cb[:len(y)], cr[:len(y)]
	for i, yy := range y {
		Y, b, r := int32(yy)+384, cb[i], cr[i]
		p := dst[px*i : px*i+px : px*i+px]
		p[0] = sampleLimit[(Y+crR[r])&1023]
		p[1] = sampleLimit[(Y+(cbG[b]+crG[r])>>16)&1023]
		p[2] = sampleLimit[(Y+cbB[b])&1023]
		if px == 4 {
			p[3] = 255
		}
	}
}

// rgbRowRGB interleaves three planes into packed 3-byte RGB pixels.
func rgbRowRGB(dst, r, g, b []byte) {
	dst = dst[:3*len(r)]
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		p := dst[3*i : 3*i+3 : 3*i+3]
		p[0], p[1], p[2] = r[i], g[i], b[i]
	}
}

// rgbRow copies three planes into RGBA pixels (jdcolor.c rgb_rgb_convert).
func rgbRow(dst, r, g, b []byte) {
	dst = dst[:4*len(r)]
	g, b = g[:len(r)], b[:len(r)]
	for i := range r {
		p := dst[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = r[i], g[i], b[i], 255
	}
}

// cmykRow writes what Pillow returns for a CMYK JPEG: libjpeg's CMYK
// (a plain copy, jdcolor.c null_convert) inverted by Pillow's "CMYK;I"
// unpacker.
func cmykRow(dst, c, m, y, k []byte) {
	dst = dst[:4*len(c)]
	m, y, k = m[:len(c)], y[:len(c)], k[:len(c)]
	for i := range c {
		p := dst[4*i : 4*i+4 : 4*i+4]
		p[0], p[1], p[2], p[3] = 255-c[i], 255-m[i], 255-y[i], 255-k[i]
	}
}

// ycckRow writes what Pillow returns for a YCCK JPEG: jdcolor.c
// ycck_cmyk_convert gives C = 255-clamp(R) (R, G, B as in yccRow) and K
// unchanged, which Pillow's "CMYK;I" unpacker inverts to R, G, B, 255-K.
func ycckRow(dst, y, cb, cr, k []byte) {
	dst = dst[:4*len(y)]
	cb, cr, k = cb[:len(y)], cr[:len(y)], k[:len(y)]
	for i, yy := range y {
		Y, b, r := int32(yy)+384, cb[i], cr[i]
		p := dst[4*i : 4*i+4 : 4*i+4]
		p[0] = sampleLimit[(Y+crR[r])&1023]
		p[1] = sampleLimit[(Y+(cbG[b]+crG[r])>>16)&1023]
		p[2] = sampleLimit[(Y+cbB[b])&1023]
		p[3] = 255 - k[i]
	}
}

// examineApp records the JFIF APP0 and Adobe APP14 markers that drive
// libjpeg's colour-space guess (jdmarker.c examine_app0, examine_app14).
func (d *decoder) examineApp(m byte, p []byte) {
	if m == mAPP0 && len(p) >= 14 && string(p[:5]) == "JFIF\x00" {
		d.sawJFIF = true
	}
	if m == mAPPE && len(p) >= 12 && string(p[:5]) == "Adobe" {
		d.sawAdobe = true
		d.adobeXform = p[11]
	}
}
