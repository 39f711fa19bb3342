package weights

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/pickle"
)

const testdata = "../testdata/weights"

// fixtureNames is the key order of the state dict in testdata/gen/weights.py.
var fixtureNames = []string{
	"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
	"classifier.6.weight", "classifier.6.bias", "extra.transposed", "extra.sliced",
	"extra.half", "extra.bfloat16", "extra.double", "extra.num_batches_tracked",
}

// expected reads the float32 values PyTorch wrote for name.
func expected(t *testing.T, name string) *npy.Array {
	t.Helper()
	return testutil.ReadNpy(t, filepath.Join(testdata, "expected", name+".npy"))
}

// checkAgainstFixture compares every tensor of sd bit for bit with the
// .npy PyTorch wrote, and the key order with the saved dict's.
func checkAgainstFixture(t *testing.T, sd *StateDict, names []string) {
	t.Helper()
	if strings.Join(sd.Names, ",") != strings.Join(names, ",") {
		t.Fatalf("names %v, want %v", sd.Names, names)
	}
	for _, name := range names {
		want := expected(t, name)
		got := sd.Get(name)
		if !tensor.SameShape(got.Shape, want.Shape) {
			t.Errorf("%s: shape %v, want %v", name, got.Shape, want.Shape)
			continue
		}
		for i := range want.F32 {
			if got.Data[i] != want.F32[i] {
				t.Errorf("%s[%d] = %v, want %v", name, i, got.Data[i], want.F32[i])
				break
			}
		}
	}
}

func TestLoadZipPTH(t *testing.T) {
	sd, err := Load(filepath.Join(testdata, "small.pth"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, sd, fixtureNames)
}

func TestLoadLegacyPTH(t *testing.T) {
	sd, err := Load(filepath.Join(testdata, "small_legacy.pth"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, sd, fixtureNames)
}

func TestLoadWrappedCheckpoint(t *testing.T) {
	sd, err := Load(filepath.Join(testdata, "wrapped.pth"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, sd, []string{"classifier.6.weight", "classifier.6.bias"})
}

// TestMaliciousPTH loads a zip .pth whose pickle is
// GLOBAL 'os system', BINUNICODE 'echo pwned > /tmp/alexnet-pwned',
// TUPLE1, REDUCE: it must fail naming the global, and run nothing.
func TestMaliciousPTH(t *testing.T) {
	os.Remove("/tmp/alexnet-pwned")
	path := filepath.Join(testdata, "evil.pth")
	_, err := Load(path, nil)
	var ge *pickle.GlobalError
	if !errors.As(err, &ge) || ge.Module != "os" || ge.Name != "system" {
		t.Fatalf("err = %v, want a *pickle.GlobalError for os.system", err)
	}
	want := "weights " + path + ": pickle: global os.system is not allowed"
	if err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	if _, err := os.Stat("/tmp/alexnet-pwned"); err == nil {
		t.Error("/tmp/alexnet-pwned exists")
	}
}

// readFixture returns the bytes of a file of testdata/weights.
func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTruncatedFilesFail(t *testing.T) {
	for _, name := range []string{"small.pth", "small_legacy.pth", "small.safetensors"} {
		b := readFixture(t, name)
		for _, n := range []int{0, 1, 9, 100, len(b) / 2, len(b) - 1} {
			path := filepath.Join(t.TempDir(), name)
			if err := os.WriteFile(path, b[:n], 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(path, nil)
			if err == nil {
				t.Errorf("%s truncated to %d bytes: no error", name, n)
				continue
			}
			if !strings.HasPrefix(err.Error(), "weights "+path+": ") {
				t.Errorf("%s truncated to %d: error %q does not name the file", name, n, err)
			}
		}
	}
}

// TestStorageTooShort rewrites small.pth with data/0 (the storage of
// features.0.weight) cut short.
func TestStorageTooShort(t *testing.T) {
	b := readFixture(t, "small.pth")
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		if f.Name == "small/data/0" {
			data = data[:len(data)-4]
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		w.Write(data)
	}
	zw.Close()
	path := filepath.Join(t.TempDir(), "short.pth")
	os.WriteFile(path, out.Bytes(), 0o644)
	_, err = Load(path, nil)
	want := "weights " + path + `: tensor "features.0.weight": storage too short`
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v, want prefix %q", err, want)
	}
}

func TestMaxElements(t *testing.T) {
	_, err := Load(filepath.Join(testdata, "small.pth"), &Options{MaxElements: 1000})
	var le *LimitError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *LimitError", err)
	}
}

// TestLoadParameters reads nn.Parameter values saved directly, which
// torch.save writes as _rebuild_parameter(_rebuild_tensor_v2(...), True,
// OrderedDict()).
func TestLoadParameters(t *testing.T) {
	sd, err := Load(filepath.Join(testdata, "params.pth"), nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, sd, []string{"features.0.bias", "classifier.6.bias"})
}
