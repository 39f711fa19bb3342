package serve

import "github.com/alexnet-go/alexnet/imageproc"

// checkPixels reads the header of data (imageproc.DecodeConfig, whose
// errors name the upload as name) and returns a *PixelLimitError when
// width*height exceeds limit, before any pixel memory is allocated.
func checkPixels(data []byte, name string, limit int64) (imageproc.Config, error) {
	c, err := imageproc.DecodeConfig(data, name)
	if err != nil {
		return c, err
	}
	if c.Width < 0 || c.Height < 0 || c.Pixels() > limit {
		return c, &PixelLimitError{Format: c.Format, Width: c.Width, Height: c.Height, Limit: limit}
	}
	return c, nil
}
