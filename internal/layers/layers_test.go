// Package layers holds the test that keeps the module's dependencies
// pointing one way: tensor and kernels at the bottom, cmd/alexnet at the top.
package layers

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/alexnet-go/alexnet/"

// forbidden lists, per package, the module packages it must not depend on
// (directly or not).
var forbidden = map[string][]string{
	"tensor":         {"kernels", "nn", "model", "weights", "imageproc", "predict", "dataset", "eval", "imagenet", "train"},
	"kernels":        {"tensor", "nn", "model", "weights", "imageproc", "predict", "dataset", "eval", "imagenet", "train"},
	"nn":             {"model", "weights", "imageproc", "predict", "dataset", "eval", "train"},
	"model":          {"weights", "imageproc", "predict", "dataset", "eval", "train"},
	"weights":        {"kernels", "nn", "model", "imageproc", "predict", "dataset", "eval"},
	"imageproc":      {"kernels", "nn", "model", "weights", "predict", "dataset", "eval"},
	"imageproc/jpeg": {"tensor", "kernels", "imageproc", "predict"},
	"dataset":        {"kernels", "nn", "model", "imageproc", "predict", "eval"},
	"predict":        {"dataset", "eval"},
	"train":          {"eval", "predict", "serve"},
	"serve":          {"dataset", "eval", "train"}, // the lower ones would be import cycles
	"eval":           {"train", "serve"},
	"quant":          {"nn", "model", "imageproc", "predict", "dataset", "eval", "train", "serve"},
	"qmodel":         {"imageproc", "predict", "dataset", "eval", "train", "serve"},
}

// everywhere lists what no package above may depend on: the root package
// (the embeddable API sits on top of them all) and the test helpers.
var everywhere = []string{"", "internal/testutil"}

func TestDependenciesPointOneWay(t *testing.T) {
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
		if err != nil {
			t.Skipf("go list unavailable: %v", err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[strings.TrimSuffix(strings.TrimPrefix(d+"/", module), "/")] = true // the root package is ""
		}
		for _, b := range append(bad, everywhere...) {
			if deps[b] {
				t.Errorf("%s depends on %q", pkg, b)
			}
		}
	}
}
