package imageproc

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/tensor"
)

// Fixtures come from testdata/gen/imageproc.py (PIL 9.4, torchvision 0.14).
const fixtureDir = "../testdata/imageproc"

// refCase is one image's reference values: sha256 prefixes of the uint8
// HWC arrays after convert("RGB"), Resize(256) and CenterCrop(224), and of
// the little-endian float32 CHW tensor after ToTensor + Normalize.
type refCase struct {
	File       string `json:"file"`
	Format     string `json:"format"`
	Note       string `json:"note"`
	Exact      bool   `json:"exact"`
	Size       [2]int `json:"size"`
	RGB        string `json:"rgb"`
	ResizeSize [2]int `json:"resize_size"`
	Resize     string `json:"resize"`
	Crop       string `json:"crop"`
	Tensor     string `json:"tensor"`
}

type fixtures struct {
	Formats    []refCase `json:"formats"`
	Resize     []refCase `json:"resize"`
	CenterCrop []struct {
		Src    string `json:"src"`
		Height int    `json:"height"`
		Width  int    `json:"width"`
		File   string `json:"file"`
	} `json:"centercrop"`
	Photos []refCase `json:"photos"`
	Tiny   []refCase `json:"tiny"`
}

func loadFixtures(t testing.TB) *fixtures {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f fixtures
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return &f
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:8])
}

func tensorHash(t *tensor.Tensor) string {
	b := make([]byte, 4*len(t.Data))
	for i, v := range t.Data {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return hash(b)
}

// loadRGB reads an (H,W,3) uint8 .npy as an *RGB.
func loadRGB(t testing.TB, name string) *RGB {
	t.Helper()
	a, err := npy.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Shape) != 3 || a.Shape[2] != 3 || a.U8 == nil {
		t.Fatalf("%s: shape %v, want (H,W,3) uint8", name, a.Shape)
	}
	return &RGB{W: a.Shape[1], H: a.Shape[0], Pix: a.U8}
}

// pixDiff returns the largest absolute byte difference between a and b
// and how many bytes differ; sizes must match.
func pixDiff(a, b *RGB) (worst, n int) {
	for i := range a.Pix {
		d := int(a.Pix[i]) - int(b.Pix[i])
		if d != 0 {
			n++
			worst = max(worst, d, -d)
		}
	}
	return worst, n
}

// stages checks the hashes of Resize(256), CenterCrop(224) and the
// normalized tensor computed from img against c; it returns the crop.
func stages(t *testing.T, name string, img *RGB, c refCase) *RGB {
	t.Helper()
	rs := Resize(img, 256)
	if rs.W != c.ResizeSize[0] || rs.H != c.ResizeSize[1] {
		t.Errorf("%s: Resize(256) gives %dx%d, torchvision %dx%d", name, rs.W, rs.H, c.ResizeSize[0], c.ResizeSize[1])
		return nil
	}
	if got := hash(rs.Pix); got != c.Resize {
		t.Errorf("%s: Resize(256) hash %s, torchvision %s", name, got, c.Resize)
	}
	cr := CenterCrop(rs, 224)
	if got := hash(cr.Pix); got != c.Crop {
		t.Errorf("%s: CenterCrop(224) hash %s, torchvision %s", name, got, c.Crop)
	}
	if got := tensorHash(Normalize(ToTensor(cr), ImageNetMean, ImageNetStd)); got != c.Tensor {
		t.Errorf("%s: normalized tensor hash %s, torchvision %s", name, got, c.Tensor)
	}
	return cr
}
