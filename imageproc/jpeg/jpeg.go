// Package jpeg decodes JPEG images exactly as libjpeg-turbo does under PIL.
//
// TEMPORARY STUB: delegates to image/jpeg until the exact decoder lands.
package jpeg

import (
	"image"
	stdjpeg "image/jpeg"
	"io"
)

// Decode decodes a JPEG into PIL's mode for it: *image.Gray ("L"),
// *image.RGBA with A=255 ("RGB"), or *image.CMYK ("CMYK", PIL's values).
func Decode(r io.Reader) (image.Image, error) { return stdjpeg.Decode(r) }

// DecodeConfig returns the dimensions and colour model without decoding.
func DecodeConfig(r io.Reader) (image.Config, error) { return stdjpeg.DecodeConfig(r) }
