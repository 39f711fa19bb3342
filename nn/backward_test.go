package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/tensor"
)

// Backward fixtures: testdata/gen/train.py (PyTorch 1.13).
const backwardFixtures = "../testdata/train/ops"

// opTol bounds each op's gradients against PyTorch's: max |ours - torch|
// over max |torch|, per tensor.
const opTol = 1e-5

func loadBackward(t *testing.T, file string) *tensor.Tensor {
	return loadFrom(t, backwardFixtures, file)
}

func newBackwardLayer(t *testing.T, c opCase) Backwarder {
	t.Helper()
	l, ok := newLayer(t, c, backwardFixtures).(Backwarder)
	if !ok {
		t.Fatalf("%s: %T has no Backward", c.Name, l)
	}
	return l
}

// TestBackwardMatchesPyTorch runs every case of testdata/train/ops with
// every registered Sgemm implementation: Forward, then Backward twice with
// one Grads, comparing dx with PyTorch's each time and the parameter
// gradients after the first call and, doubled, after the second (they
// accumulate), all to opTol relative, logging the largest error.
func TestBackwardMatchesPyTorch(t *testing.T) {
	cases := readCases(t, backwardFixtures)
	testutil.ForEachVariant(t, func(t *testing.T) {
		for _, c := range cases {
			t.Run(c.Name, func(t *testing.T) { testBackwardCase(t, c) })
		}
	})
}

func testBackwardCase(t *testing.T, c opCase) {
	l := newBackwardLayer(t, c)
	x, dy, wantDx := loadBackward(t, c.Files["x"]), loadBackward(t, c.Files["dy"]), loadBackward(t, c.Files["dx"])
	g := NewGrads()
	var worst float64
	for run := 1; run <= 2; run++ {
		var dx *tensor.Tensor
		var err error
		if d, ok := l.(*Dropout); ok {
			noise, err := d.NoiseFromMask(loadBackward(t, c.Files["mask"]))
			if err != nil {
				t.Fatal(err)
			}
			y, err := d.ForwardTrain(x, noise)
			if err != nil {
				t.Fatal(err)
			}
			for i := range y.Data {
				if y.Data[i] != x.Data[i]*noise.Data[i] {
					t.Fatalf("ForwardTrain: y[%d] = %v, want %v", i, y.Data[i], x.Data[i]*noise.Data[i])
				}
			}
			dx, err = d.BackwardTrain(noise, dy, g)
			if err != nil {
				t.Fatal(err)
			}
		} else {
			y, err := l.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			if dx, err = l.Backward(x, y, dy, g); err != nil {
				t.Fatal(err)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if !tensor.SameShape(dx.Shape, x.Shape) {
			t.Fatalf("dx shape %v, want %v", dx.Shape, x.Shape)
		}
		e := numcmp.RelMaxDiff(dx.Data, wantDx.Data)
		if e > opTol {
			t.Errorf("run %d: dx relative error %.3g > %g", run, e, opTol)
		}
		worst = max(worst, e)
		for _, p := range l.Params() {
			want := loadBackward(t, c.Files["grad."+p.Name])
			got := g.Get(p.T)
			if got == nil {
				t.Fatalf("no gradient for %s", p.Name)
			}
			scaled := make([]float32, len(want.Data))
			for i, v := range want.Data {
				scaled[i] = float32(run) * v
			}
			e := numcmp.RelMaxDiff(got.Data, scaled)
			if e > opTol {
				t.Errorf("run %d: grad %s relative error %.3g > %g", run, p.Name, e, opTol)
			}
			worst = max(worst, e)
		}
	}
	t.Logf("max relative error %.3g", worst)
}

func TestDropoutNoise(t *testing.T) {
	d := &Dropout{P: 0.5}
	a, err := d.Noise([]int{100, 1000}, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := d.Noise([]int{100, 1000}, rand.New(rand.NewPCG(1, 2)))
	kept := 0
	for i, v := range a.Data {
		if v != b.Data[i] {
			t.Fatal("same seed, different noise")
		}
		switch v {
		case 2:
			kept++
		case 0:
		default:
			t.Fatalf("noise value %v, want 0 or 2", v)
		}
	}
	if f := float64(kept) / float64(len(a.Data)); math.Abs(f-0.5) > 0.005 {
		t.Errorf("kept fraction %.4f, want 0.5", f)
	}
	for _, c := range []struct {
		p    float32
		want float32
	}{{0, 1}, {1, 0}} {
		n, err := (&Dropout{P: c.p}).Noise([]int{50}, rand.New(rand.NewPCG(3, 4)))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range n.Data {
			if v != c.want {
				t.Fatalf("p=%v: noise %v, want all %v", c.p, v, c.want)
			}
		}
	}
	var ce *ConfigError
	if _, err := (&Dropout{P: 1.5}).Noise([]int{2}, rand.New(rand.NewPCG(1, 1))); !errors.As(err, &ce) {
		t.Errorf("p=1.5: err = %v, want *ConfigError", err)
	}
}

func TestBackwardErrors(t *testing.T) {
	conv, _ := NewConv2d(3, 4, 3, 1, 1, 1)
	conv.ReLU = true
	lin, _ := NewLinear(6, 2)
	x := tensor.New(2, 3, 5, 5)
	y, _ := conv.Forward(x)
	var se *tensor.ShapeError
	if _, err := conv.Backward(x, y, tensor.New(2, 4, 5, 4), NewGrads()); !errors.As(err, &se) {
		t.Errorf("conv, wrong dy: err = %v, want *tensor.ShapeError", err)
	}
	if _, err := conv.Backward(x, nil, y, NewGrads()); !errors.As(err, &se) {
		t.Errorf("conv with ReLU, nil y: err = %v, want *tensor.ShapeError", err)
	}
	var ce *ConfigError
	if _, err := lin.Backward(tensor.New(1, 6), nil, tensor.New(1, 2), nil); !errors.As(err, &ce) {
		t.Errorf("linear, nil Grads: err = %v, want *ConfigError", err)
	}
	if _, err := (&ReLU{}).Backward(tensor.New(2, 2), nil, tensor.New(2, 3), nil); !errors.As(err, &se) {
		t.Errorf("relu, wrong dy: err = %v, want *tensor.ShapeError", err)
	}
}

// TestDropoutNoiseStream checks Noise against the branching loop it
// replaces, drawing from generators of one seed: the same noise, bit for
// bit, for P of 0, 1/2 and 1.
func TestDropoutNoiseStream(t *testing.T) {
	for _, p := range []float32{0, 0.5, 0.9, 1} {
		d := &Dropout{P: p}
		got, err := d.Noise([]int{3, 1000}, rand.New(rand.NewPCG(4, 5)))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := d.scale()
		rng := rand.New(rand.NewPCG(4, 5))
		for i, v := range got.Data {
			var want float32
			if rng.Float32() < 1-p {
				want = s
			}
			if math.Float32bits(v) != math.Float32bits(want) {
				t.Fatalf("p %v: noise[%d] = %v, want %v", p, i, v, want)
			}
		}
	}
}

func TestGrads(t *testing.T) {
	p := tensor.New(2, 3)
	g := NewGrads()
	if g.Get(p) != nil {
		t.Fatal("Get before any Backward is not nil")
	}
	gp := g.Of(p)
	if !tensor.SameShape(gp.Shape, p.Shape) || g.Of(p) != gp || g.Get(p) != gp {
		t.Fatal("Of does not keep one gradient of p's shape")
	}
	gp.Data[4] = 3
	g.Zero()
	if gp.Data[4] != 0 || g.Get(p) != gp {
		t.Fatal("Zero does not clear the gradient in place")
	}
	big := tensor.New(3, 40000) // longer than kernels.ElementGrain
	gb := g.Of(big)
	for i := range gb.Data {
		gb.Data[i] = 1
	}
	gp.Data[1] = 2
	g.ZeroThreads(3)
	for i, v := range gb.Data {
		if v != 0 || g.Get(big) != gb {
			t.Fatalf("ZeroThreads left %v at %d", v, i)
		}
	}
	if gp.Data[1] != 0 {
		t.Fatal("ZeroThreads does not clear a small gradient")
	}
	var zero Grads
	if zero.Of(p) == nil {
		t.Fatal("zero Grads unusable")
	}
}

// TestSequentialBackwardChain runs a small net of every layer type forward
// and backward layer by layer and checks the first layer's weight gradient
// against central differences of the loss L = Σ dy·y.
func TestSequentialBackwardChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	conv, _ := NewConv2d(2, 4, 3, 1, 1, 2)
	lrn, _ := NewLocalResponseNorm(3, 0.5, 0.75, 1)
	pool, _ := NewMaxPool2d(2, 2)
	avg, _ := NewAdaptiveAvgPool2d(3, 3)
	lin, _ := NewLinear(36, 5)
	layers := []Backwarder{conv, &ReLU{}, lrn, pool, avg, Flatten{}, lin}
	for _, l := range layers {
		for _, p := range l.Params() {
			for i := range p.T.Data {
				p.T.Data[i] = float32(rng.NormFloat64() * 0.5)
			}
		}
	}
	x := tensor.New(2, 2, 8, 8)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	dy := tensor.New(2, 5)
	for i := range dy.Data {
		dy.Data[i] = float32(rng.NormFloat64())
	}
	loss := func() float64 {
		h := x
		for _, l := range layers {
			var err error
			if h, err = l.Forward(h); err != nil {
				t.Fatal(err)
			}
		}
		var s float64
		for i, v := range h.Data {
			s += float64(v) * float64(dy.Data[i])
		}
		return s
	}
	loss()
	xs, ys := make([]*tensor.Tensor, len(layers)), make([]*tensor.Tensor, len(layers))
	h := x
	for i, l := range layers {
		xs[i] = h
		h, _ = l.Forward(h)
		ys[i] = h
	}
	g := NewGrads()
	d := dy
	for i := len(layers) - 1; i >= 0; i-- {
		var err error
		if d, err = layers[i].Backward(xs[i], ys[i], d, g); err != nil {
			t.Fatal(err)
		}
	}
	gw := g.Get(conv.Weight)
	const step = 1e-2
	var worst, scale float64
	for i := range conv.Weight.Data {
		v := conv.Weight.Data[i]
		conv.Weight.Data[i] = v + step
		conv.ParamsChanged()
		lp := loss()
		conv.Weight.Data[i] = v - step
		conv.ParamsChanged()
		lm := loss()
		conv.Weight.Data[i] = v
		conv.ParamsChanged()
		fd := (lp - lm) / (2 * step)
		worst = max(worst, math.Abs(fd-float64(gw.Data[i])))
		scale = max(scale, math.Abs(float64(gw.Data[i])))
	}
	// Central differences of a float32 net in steps of 1e-2 are good to
	// ~1e-5 of the gradient's scale, ~1e-3 where a step crosses a ReLU or
	// max-pool kink.
	if worst/scale > 5e-3 {
		t.Errorf("conv weight gradient vs central differences: max abs diff %.3g, relative %.3g", worst, worst/scale)
	}
	t.Logf("conv weight gradient vs central differences: max abs diff %.3g, relative %.3g", worst, worst/scale)
}
