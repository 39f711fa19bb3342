package trainplot

import (
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/train"
)

// WritePNG writes a PNG of the two panels side by side (wider than high),
// with no temporary file left, also for curves without validation points.
func TestWritePNG(t *testing.T) {
	var c train.Curves
	for s := 1; s <= 120; s++ {
		c.StepLoss = append(c.StepLoss, train.Point{X: float64(s), Y: 5 / float64(s)})
		c.StepTop1 = append(c.StepTop1, train.Point{X: float64(s), Y: float64(s) / 200})
		if s%40 == 0 {
			c.EpochLoss = append(c.EpochLoss, train.Point{X: float64(s), Y: 5 / float64(s)})
			c.EpochTop1 = append(c.EpochTop1, train.Point{X: float64(s), Y: float64(s) / 200})
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "curves.png")
	if err := WritePNG(path, &c); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width <= cfg.Height || cfg.Height < 100 {
		t.Errorf("image %dx%d, want a wide one", cfg.Width, cfg.Height)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("folder holds %d files, want curves.png only", len(es))
	}
}
