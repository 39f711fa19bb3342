package imageproc

import (
	"encoding/binary"
	"image"
)

// gifFrame is what PIL uses of a GIF's first frame that image/gif does not
// report: the logical screen size (PIL's image size), the frame's raw
// colour table (image/gif zeroes the transparent entry, PIL keeps its RGB)
// and the transparent index (PIL's fill for the screen outside the frame).
type gifFrame struct {
	screen      image.Rectangle
	palette     []byte // 3 bytes per entry, the local table if any, else the global one
	transparent int    // -1 when the frame has none
}

// scanGIF walks the GIF block structure (GIF89a spec sections 18-23) up to
// the first image descriptor. ok is false when the stream ends first; the
// decoder then reports the error.
func scanGIF(b []byte) (f gifFrame, ok bool) {
	f.transparent = -1
	if len(b) < 13 {
		return f, false
	}
	f.screen = image.Rect(0, 0, int(binary.LittleEndian.Uint16(b[6:])), int(binary.LittleEndian.Uint16(b[8:])))
	i := 13
	if b[10]&0x80 != 0 {
		n := 3 << (b[10]&7 + 1)
		if i+n > len(b) {
			return f, false
		}
		f.palette = b[i : i+n]
		i += n
	}
	for i < len(b) {
		switch b[i] {
		case 0x21: // extension: label, then sub-blocks
			if i+2 >= len(b) {
				return f, false
			}
			if b[i+1] == 0xF9 && i+7 < len(b) && b[i+2] == 4 {
				if b[i+3]&1 != 0 {
					f.transparent = int(b[i+6])
				} else {
					f.transparent = -1
				}
			}
			i += 2
			for i < len(b) && b[i] != 0 {
				i += int(b[i]) + 1
			}
			i++
		case 0x2C: // image descriptor
			if i+10 > len(b) {
				return f, false
			}
			if fl := b[i+9]; fl&0x80 != 0 {
				n := 3 << (fl&7 + 1)
				if i+10+n > len(b) {
					return f, false
				}
				f.palette = b[i+10 : i+10+n]
			}
			return f, true
		default:
			return f, false
		}
	}
	return f, false
}

// gifToRGB renders PIL's first frame: mode "P" on the logical screen, the
// area outside the frame filled with the transparent index (else index 0),
// every index looked up in the frame's raw colour table. Indices past the
// table's end are black.
func gifToRGB(m *image.Paletted, f gifFrame) *RGB {
	out := NewRGB(f.screen.Dx(), f.screen.Dy())
	lookup := func(idx int) (uint8, uint8, uint8) {
		if 3*idx+2 < len(f.palette) {
			return f.palette[3*idx], f.palette[3*idx+1], f.palette[3*idx+2]
		}
		return 0, 0, 0
	}
	fill := max(f.transparent, 0)
	fr, fg, fb := lookup(fill)
	inner := m.Rect.Intersect(f.screen)
	for y := 0; y < out.H; y++ {
		row := out.Pix[3*y*out.W : 3*(y+1)*out.W]
		for x := 0; x < out.W; x++ {
			r, g, b := fr, fg, fb
			if (image.Point{x, y}).In(inner) {
				r, g, b = lookup(int(m.Pix[m.PixOffset(x, y)]))
			}
			row[3*x], row[3*x+1], row[3*x+2] = r, g, b
		}
	}
	return out
}
