// Package refdata reads the reference fixtures under testdata/ (JSON and
// .npy files that the scripts of testdata/gen write from PyTorch) for
// tests, failing the test on any error.
package refdata

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/alexnet-go/alexnet/internal/npy"
)

// JSON decodes the JSON file at path into v.
func JSON(t testing.TB, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// Npy reads the .npy file at path.
func Npy(t testing.TB, path string) *npy.Array {
	t.Helper()
	a, err := npy.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
