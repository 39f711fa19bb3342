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
}

func TestDependenciesPointOneWay(t *testing.T) {
	for pkg, bad := range forbidden {
		out, err := exec.Command("go", "list", "-deps", module+pkg).Output()
		if err != nil {
			t.Skipf("go list unavailable: %v", err)
		}
		deps := map[string]bool{}
		for _, d := range strings.Fields(string(out)) {
			deps[strings.TrimPrefix(d, module)] = true
		}
		for _, b := range bad {
			if deps[b] {
				t.Errorf("%s depends on %s", pkg, b)
			}
		}
	}
}
