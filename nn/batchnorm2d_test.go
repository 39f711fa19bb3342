package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/tensor"
)

// BatchNorm2d fixtures: testdata/gen/batchnorm.py (PyTorch 1.13).
const bnFixtures = "../testdata/nn/batchnorm"

// Tolerances against PyTorch, max |ours - torch| over max |torch| per
// tensor: outputs and running statistics, and gradients.
const (
	bnFwdTol  = 1e-5
	bnGradTol = 1e-4
)

// TestBatchNorm2dMatchesPyTorch runs each case of testdata/nn/batchnorm
// through PyTorch's sequence: ForwardTrain on x, Backward twice with one
// Grads (the parameter gradients accumulate), ForwardTrain on x2 (reusing
// the output buffer), then Forward in eval mode, comparing every output,
// gradient and running statistic and logging the largest differences.
func TestBatchNorm2dMatchesPyTorch(t *testing.T) {
	for _, c := range readCases(t, bnFixtures) {
		t.Run(c.Name, func(t *testing.T) { testBatchNormCase(t, c) })
	}
}

// bnCase is one case of testdata/nn/batchnorm with its layer, loaded
// with the case's parameters and running statistics.
type bnCase struct {
	t       *testing.T
	c       opCase
	l       *BatchNorm2d
	tracked int64 // the fixture's num_batches_tracked before training
}

// ld reads the case's tensor k.
func (b *bnCase) ld(k string) *tensor.Tensor { return loadFrom(b.t, bnFixtures, b.c.Files[k]) }

// cmp compares got with the case's tensor want to tol relative, logging
// the differences.
func (b *bnCase) cmp(what string, got []float32, want string, tol float64) {
	b.t.Helper()
	w := b.ld(want)
	if len(got) != len(w.Data) {
		b.t.Fatalf("%s: %d values, want %d", what, len(got), len(w.Data))
	}
	e := numcmp.RelMaxDiff(got, w.Data)
	if e > tol {
		b.t.Errorf("%s: relative error %.3g > %g", what, e, tol)
	}
	b.t.Logf("%-13s max abs diff %.3g, relative %.3g", what, numcmp.MaxAbsDiff(got, w.Data), e)
}

// cmpStats compares y and the running statistics with the fixture's
// tensors of suffix n ("1" after the first ForwardTrain, "2" after the
// second).
func (b *bnCase) cmpStats(yName string, y *tensor.Tensor, n string) {
	b.t.Helper()
	b.cmp(yName, y.Data, yName, bnFwdTol)
	b.cmp("running_mean"+n, b.l.RunningMean.Data, "running_mean"+n, bnFwdTol)
	b.cmp("running_var"+n, b.l.RunningVar.Data, "running_var"+n, bnFwdTol)
}

func newBNCase(t *testing.T, c opCase) *bnCase {
	l, err := NewBatchNorm2d(int(c.Attrs["c"]))
	if err != nil {
		t.Fatal(err)
	}
	b := &bnCase{t: t, c: c, l: l, tracked: int64(c.Attrs["num_batches_tracked"])}
	l.Eps, l.Momentum, l.ReLU = c.Attrs["eps"], c.Attrs["momentum"], c.Attrs["relu"] != 0
	l.NumBatchesTracked = b.tracked
	for _, p := range append(l.Params(), l.Buffers()...) {
		copy(p.T.Data, b.ld(p.Name).Data)
	}
	return b
}

func testBatchNormCase(t *testing.T, c opCase) {
	b := newBNCase(t, c)
	l := b.l
	x, x2, dy := b.ld("x"), b.ld("x2"), b.ld("dy")
	if shape, err := l.OutputShape(x.Shape); err != nil || !tensor.SameShape(shape, x.Shape) {
		t.Fatalf("OutputShape = %v, %v; want %v", shape, err, x.Shape)
	}

	y, err := l.ForwardTrain(x)
	if err != nil {
		t.Fatal(err)
	}
	b.cmpStats("y", y, "1")
	g := NewGrads()
	b.backwardTwice(x, y, dy, g)

	y2, err := l.ForwardTrain(x2)
	if err != nil {
		t.Fatal(err)
	}
	if y2 != y {
		t.Error("second ForwardTrain did not reuse the output buffer")
	}
	b.cmpStats("y2", y2, "2")
	if l.NumBatchesTracked != b.tracked+2 {
		t.Errorf("NumBatchesTracked %d, want %d", l.NumBatchesTracked, b.tracked+2)
	}
	b.eval(x, dy, g)
}

// backwardTwice runs Backward twice with g, comparing dx and the
// parameter gradients after the first call and dx and the doubled
// (accumulated) gradients after the second.
func (b *bnCase) backwardTwice(x, y, dy *tensor.Tensor, g *Grads) {
	t, l := b.t, b.l
	for run := 1; run <= 2; run++ {
		dx, err := l.Backward(x, y, dy, g)
		if err != nil {
			t.Fatal(err)
		}
		if !tensor.SameShape(dx.Shape, x.Shape) {
			t.Fatalf("dx shape %v, want %v", dx.Shape, x.Shape)
		}
		if run == 1 {
			b.cmp("dx", dx.Data, "dx", bnGradTol)
			b.cmp("grad.weight", g.Get(l.Weight).Data, "grad.weight", bnGradTol)
			b.cmp("grad.bias", g.Get(l.Bias).Data, "grad.bias", bnGradTol)
			continue
		}
		if e := numcmp.RelMaxDiff(dx.Data, b.ld("dx").Data); e > bnGradTol {
			t.Errorf("second Backward: dx relative error %.3g", e)
		}
		for _, p := range l.Params() {
			want := b.ld("grad." + p.Name)
			for i := range want.Data {
				want.Data[i] *= 2
			}
			if e := numcmp.RelMaxDiff(g.Get(p.T).Data, want.Data); e > bnGradTol {
				t.Errorf("second Backward: grad %s not accumulated, relative error %.3g", p.Name, e)
			}
		}
	}
}

// eval runs Forward in eval mode from PyTorch's running statistics, so
// that it compares Forward alone, and checks that Backward then fails.
func (b *bnCase) eval(x, dy *tensor.Tensor, g *Grads) {
	t, l := b.t, b.l
	copy(l.RunningMean.Data, b.ld("running_mean2").Data)
	copy(l.RunningVar.Data, b.ld("running_var2").Data)
	ye, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	b.cmp("y_eval", ye.Data, "y_eval", bnFwdTol)
	var ce *ConfigError
	if _, err := l.Backward(x, ye, dy, g); !errors.As(err, &ce) {
		t.Errorf("Backward after Forward: err = %v, want *ConfigError", err)
	}
}

func randTensor(rng *rand.Rand, scale, shift float64, shape ...int) *tensor.Tensor {
	x := tensor.New(shape...)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64()*scale + shift)
	}
	return x
}

// TestBatchNorm2dThreads checks that ForwardTrain, Backward and Forward
// give the same bits with 1 and 3 goroutines, on a batch large enough to
// be split.
func TestBatchNorm2dThreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x, dy := randTensor(rng, 2, 0.5, 4, 6, 64, 64), randTensor(rng, 1, 0, 4, 6, 64, 64)
	w, b := randTensor(rng, 1, 0, 6), randTensor(rng, 1, 0, 6)
	type result struct{ y, dx, dw, db, rm, rv, ye []float32 }
	run := func(threads int) result {
		l, _ := NewBatchNorm2d(6)
		l.ReLU = true
		l.SetThreads(threads)
		copy(l.Weight.Data, w.Data)
		copy(l.Bias.Data, b.Data)
		y, err := l.ForwardTrain(x)
		if err != nil {
			t.Fatal(err)
		}
		g := NewGrads()
		dx, err := l.Backward(x, y, dy, g)
		if err != nil {
			t.Fatal(err)
		}
		r := result{y: y.Clone().Data, dx: dx.Data, dw: g.Get(l.Weight).Data, db: g.Get(l.Bias).Data,
			rm: l.RunningMean.Data, rv: l.RunningVar.Data}
		ye, err := l.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		r.ye = ye.Data
		return r
	}
	a, b3 := run(1), run(3)
	for _, q := range []struct {
		name string
		a, b []float32
	}{{"y", a.y, b3.y}, {"dx", a.dx, b3.dx}, {"grad.weight", a.dw, b3.dw}, {"grad.bias", a.db, b3.db},
		{"running_mean", a.rm, b3.rm}, {"running_var", a.rv, b3.rv}, {"y_eval", a.ye, b3.ye}} {
		for i := range q.a {
			if math.Float32bits(q.a[i]) != math.Float32bits(q.b[i]) {
				t.Fatalf("%s[%d]: %v with 1 thread, %v with 3", q.name, i, q.a[i], q.b[i])
			}
		}
	}
}

func TestBatchNorm2dDefaults(t *testing.T) {
	l, err := NewBatchNorm2d(2)
	if err != nil {
		t.Fatal(err)
	}
	if l.Eps != 1e-5 || l.Momentum != 0.1 || l.NumBatchesTracked != 0 || l.ReLU {
		t.Errorf("defaults %+v", l)
	}
	for _, p := range []struct {
		t    *tensor.Tensor
		want float32
	}{{l.Weight, 1}, {l.Bias, 0}, {l.RunningMean, 0}, {l.RunningVar, 1}} {
		if !tensor.SameShape(p.t.Shape, []int{2}) || p.t.Data[0] != p.want || p.t.Data[1] != p.want {
			t.Errorf("tensor %v %v, want (2) of %v", p.t.Shape, p.t.Data, p.want)
		}
	}
	var names []string
	for _, p := range append(l.Params(), l.Buffers()...) {
		names = append(names, p.Name)
	}
	if len(names) != 4 || names[0] != "weight" || names[1] != "bias" || names[2] != "running_mean" || names[3] != "running_var" {
		t.Errorf("Params and Buffers %v", names)
	}
}

func TestBatchNorm2dErrors(t *testing.T) {
	var ce *ConfigError
	var se *tensor.ShapeError
	if _, err := NewBatchNorm2d(0); !errors.As(err, &ce) {
		t.Errorf("NewBatchNorm2d(0): err = %v, want *ConfigError", err)
	}
	if _, err := (&BatchNorm2d{}).Forward(tensor.New(1, 1, 2, 2)); !errors.As(err, &ce) {
		t.Errorf("zero BatchNorm2d: err = %v, want *ConfigError", err)
	}
	l, _ := NewBatchNorm2d(3)
	for i, x := range []*tensor.Tensor{
		tensor.New(2, 4, 3, 3),     // wrong channels
		tensor.New(2, 3, 9),        // not 4-D
		nil,                        // no tensor
		{Shape: []int{2, 3, 2, 2}}, // data missing
		tensor.New(2, 3, 0, 2),     // empty
	} {
		if _, err := l.Forward(x); !errors.As(err, &se) {
			t.Errorf("Forward case %d: err = %v, want *tensor.ShapeError", i, err)
		}
		if _, err := l.ForwardTrain(x); !errors.As(err, &se) {
			t.Errorf("ForwardTrain case %d: err = %v, want *tensor.ShapeError", i, err)
		}
	}
	if _, err := l.ForwardTrain(tensor.New(1, 3, 1, 1)); !errors.As(err, &se) {
		t.Errorf("ForwardTrain with one value per channel: err = %v, want *tensor.ShapeError", err)
	}
	x := tensor.New(2, 3, 4, 4)
	if _, err := l.Backward(x, nil, x, NewGrads()); !errors.As(err, &ce) {
		t.Errorf("Backward before any forward: err = %v, want *ConfigError", err)
	}
	y, err := l.ForwardTrain(x)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Backward(x, y, y, nil); !errors.As(err, &ce) {
		t.Errorf("Backward with nil Grads: err = %v, want *ConfigError", err)
	}
	if _, err := l.Backward(x, y, tensor.New(2, 3, 4, 3), NewGrads()); !errors.As(err, &se) {
		t.Errorf("Backward with wrong dy: err = %v, want *tensor.ShapeError", err)
	}
	small := tensor.New(2, 3, 2, 2)
	if _, err := l.Backward(small, nil, small, NewGrads()); !errors.As(err, &se) {
		t.Errorf("Backward on another shape than ForwardTrain's: err = %v, want *tensor.ShapeError", err)
	}
	l.ReLU = true
	if _, err := l.Backward(x, nil, y, NewGrads()); !errors.As(err, &se) {
		t.Errorf("Backward with ReLU, nil y: err = %v, want *tensor.ShapeError", err)
	}
	l.ReLU = false
	if _, err := l.Forward(x); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Backward(x, y, y, NewGrads()); !errors.As(err, &ce) {
		t.Errorf("Backward after Forward: err = %v, want *ConfigError", err)
	}
	l.RunningVar = tensor.New(4)
	if _, err := l.Forward(x); !errors.As(err, &se) {
		t.Errorf("running_var of 4 channels: err = %v, want *tensor.ShapeError", err)
	}
}
