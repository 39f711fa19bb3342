package explain

import (
	"errors"
	"math"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil/narrowmodel"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// narrow loads the narrow fixture model testdata/model/<name> and the
// first image of its input batch, (1,3,H,W).
func narrow(t testing.TB, name string) (*model.AlexNet, *tensor.Tensor) {
	t.Helper()
	m, _, x := narrowmodel.Load(t, name)
	one := tensor.New(1, 3, x.Shape[2], x.Shape[3])
	copy(one.Data, x.Data)
	return m, one
}

// TestSaliencyFiniteDifferences checks the gradient saliency (the tape's
// backward pass through every layer) against central differences of the
// class's logit at a few pixels, on both architectures: within 2% of the
// largest saliency (float32 logits differenced over a step of 1e-2).
func TestSaliencyFiniteDifferences(t *testing.T) {
	for _, name := range []string{"tv_narrow", "orig_narrow"} {
		t.Run(name, func(t *testing.T) {
			m, x := narrow(t, name)
			r, err := Explain(m, x, Options{Method: Saliency})
			if err != nil {
				t.Fatal(err)
			}
			h, w := x.Shape[2], x.Shape[3]
			if r.Map.Shape[0] != h || r.Map.Shape[1] != w {
				t.Fatalf("map %v, want %d×%d", r.Map.Shape, h, w)
			}
			top := 0.0
			for _, v := range r.Map.Data {
				top = max(top, float64(v))
			}
			const step = 1e-2
			for _, p := range [][2]int{{h / 2, w / 2}, {h / 3, w / 4}, {h * 3 / 4, w * 2 / 3}, {100, 120}} {
				best := 0.0
				for c := range 3 {
					i := (c*h+p[0])*w + p[1]
					d := 0.0
					for _, s := range []float64{1, -1} {
						xs := x.Clone()
						xs.Data[i] += float32(s * step)
						y, err := m.Forward(xs)
						if err != nil {
							t.Fatal(err)
						}
						d += s * float64(y.Data[r.Class]) / (2 * step)
					}
					best = max(best, math.Abs(d))
				}
				if got := float64(r.Map.Data[p[0]*w+p[1]]); math.Abs(got-best) > 0.02*top {
					t.Errorf("pixel %v: saliency %g, central difference %g (largest saliency %g)", p, got, best, top)
				}
			}
		})
	}
}

// TestBadOptions: an unknown layer lists the valid ones, a class out of
// range and an unknown method are typed errors.
func TestBadOptions(t *testing.T) {
	m, x := narrow(t, "tv_narrow")
	var le *LayerError
	if _, err := Explain(m, x, Options{Layer: "features.99"}); !errors.As(err, &le) || len(le.Valid) == 0 || le.Valid[0] != "features.0" {
		t.Errorf("unknown layer: %v", err)
	}
	var ce *ClassError
	if _, err := Explain(m, x, Options{Class: ClassIndex(10)}); !errors.As(err, &ce) || ce.NumClasses != 10 {
		t.Errorf("class 10 of 10: %v", err)
	}
	if _, err := Explain(m, x, Options{Class: ClassIndex(-1)}); !errors.As(err, &ce) {
		t.Errorf("class -1: %v", err)
	}
	r, err := Explain(m, x, Options{Class: ClassIndex(7)})
	if err != nil || r.Class != 7 {
		t.Errorf("class 7: %v, %v", r, err)
	}
	var oe *OptionError
	if _, err := Explain(m, x, Options{Method: "lime"}); !errors.As(err, &oe) {
		t.Errorf("unknown method: %v", err)
	}
	if got := DefaultLayer(m); got != "features.11" {
		t.Errorf("default layer %q, want features.11", got)
	}
}
