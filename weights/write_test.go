package weights

import (
	"archive/zip"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// fixtureSubset is the part of the fixture a narrow AlexNet-like module
// (see loadStateDictPy) holds.
var fixtureSubset = []string{
	"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
	"classifier.6.weight", "classifier.6.bias",
}

func fixtureStateDict(t *testing.T, names []string) *StateDict {
	t.Helper()
	sd := NewStateDict()
	for _, name := range names {
		a := expected(t, name)
		if err := sd.Add(name, &tensor.Tensor{Shape: a.Shape, Data: a.F32}); err != nil {
			t.Fatal(err)
		}
	}
	return sd
}

func TestWritePTHRoundTrip(t *testing.T) {
	sd := fixtureStateDict(t, fixtureNames)
	path := filepath.Join(t.TempDir(), "round.pth")
	if err := Save(path, sd); err != nil {
		t.Fatal(err)
	}
	back, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, back, fixtureNames)
}

func TestWritePTHAlignment(t *testing.T) {
	var buf bytes.Buffer
	if err := WritePTH(&buf, "a", fixtureStateDict(t, fixtureSubset)); err != nil {
		t.Fatal(err)
	}
	zr := mustZip(t, buf.Bytes())
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		if off%64 != 0 {
			t.Errorf("%s: data at offset %d, not 64-byte aligned", f.Name, off)
		}
	}
}

func TestWriteSafetensorsRoundTrip(t *testing.T) {
	sd := fixtureStateDict(t, fixtureNames)
	sd.Metadata = map[string]string{"format": "pt"}
	path := filepath.Join(t.TempDir(), "round.safetensors")
	if err := Save(path, sd); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if n := int(b[0]) | int(b[1])<<8; n%8 != 0 {
		t.Errorf("header length %d is not a multiple of 8", n)
	}
	back, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkAgainstFixture(t, back, fixtureNames)
	if back.Metadata["format"] != "pt" {
		t.Errorf("metadata %v", back.Metadata)
	}
}

// loadStateDictPy loads argv[1] with torch.load into a module whose
// state_dict keys are fixtureSubset, with strict load_state_dict, and
// checks every value against the fixture's .npy files bit for bit.
const loadStateDictPy = `
import sys, numpy as np, torch
from torch import nn
m = nn.Module()
m.features = nn.Sequential(nn.Conv2d(3, 8, 11), nn.ReLU(), nn.MaxPool2d(3), nn.Conv2d(8, 16, 5))
m.classifier = nn.Sequential(*[nn.Identity() for _ in range(6)], nn.Linear(64, 10))
sd = torch.load(sys.argv[1])
m.load_state_dict(sd, strict=True)
for k, v in m.state_dict().items():
    want = torch.from_numpy(np.load(sys.argv[2] + "/" + k + ".npy"))
    assert torch.equal(v, want), k
print("ok", len(sd))
`

func TestWritePTHLoadsInTorch(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import torch, numpy").Run(); err != nil {
		t.Skipf("no %s with torch and numpy: %v", py, err)
	}
	path := filepath.Join(t.TempDir(), "narrow.pth")
	if err := Save(path, fixtureStateDict(t, fixtureSubset)); err != nil {
		t.Fatal(err)
	}
	exp, _ := filepath.Abs(filepath.Join(testdata, "expected"))
	out, err := exec.Command(py, "-c", loadStateDictPy, path, exp).CombinedOutput()
	if err != nil || !bytes.HasPrefix(out, []byte("ok 6")) {
		t.Fatalf("torch.load + load_state_dict: %v\n%s", err, out)
	}
}

func mustZip(t *testing.T, b []byte) *zip.Reader {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}
