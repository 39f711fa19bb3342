package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// TestBackwardInput: the input-only gradients of Conv2d and Linear, with
// and without their fused ReLU, equal Backward's dx bit for bit, and leave
// no parameter gradient; a WithoutReLU copy computes the pre-ReLU output.
func TestBackwardInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	conv, err := NewConv2d(3, 5, 3, 2, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	conv.Weight, conv.Bias = randTensor(rng, 0.3, 0, 5, 3, 3, 3), randTensor(rng, 0.1, 0, 5)
	lin, err := NewLinear(7, 4)
	if err != nil {
		t.Fatal(err)
	}
	lin.Weight, lin.Bias = randTensor(rng, 0.3, 0, 4, 7), randTensor(rng, 0.1, 0, 4)
	type layer interface {
		Layer
		Backward(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error)
		BackwardInput(x, y, dy *tensor.Tensor, g *Grads) (*tensor.Tensor, error)
	}
	for _, relu := range []bool{false, true} {
		conv.ReLU, lin.ReLU = relu, relu
		for _, c := range []struct {
			l layer
			x *tensor.Tensor
		}{{conv, randTensor(rng, 1, 0, 2, 3, 9, 8)}, {lin, randTensor(rng, 1, 0, 3, 7)}} {
			y, err := c.l.Forward(c.x)
			if err != nil {
				t.Fatal(err)
			}
			y = y.Clone()
			dy := randTensor(rng, 1, 0, y.Shape...)
			full, in := NewGrads(), NewGrads()
			want, err := c.l.Backward(c.x, y, dy, full)
			if err != nil {
				t.Fatal(err)
			}
			got, err := c.l.BackwardInput(c.x, y, dy, in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.Data, want.Data) {
				t.Errorf("%T relu=%v: BackwardInput differs from Backward's dx", c.l, relu)
			}
			for _, p := range c.l.Params() {
				if in.Get(p.T) != nil {
					t.Errorf("%T: BackwardInput added a gradient for %s", c.l, p.Name)
				}
			}
		}
	}
	conv.ReLU = true
	x := randTensor(rng, 1, 0, 1, 3, 6, 6)
	pre, err := conv.WithoutReLU().Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	post, err := conv.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	negative := false
	for i, v := range pre.Data {
		negative = negative || v < 0
		if float32(math.Max(float64(v), 0)) != post.Data[i] {
			t.Fatalf("relu(WithoutReLU output) %v, Forward %v", v, post.Data[i])
		}
	}
	if !negative || !conv.ReLU {
		t.Error("WithoutReLU: no negative output, or it changed the layer")
	}
}

// TestLinearBackwardInputBatch1: at batch 1 (kernels.GemvT) the input
// gradient equals Backward's (Sgemm) within float32 rounding: 1e-5 of the
// largest |dx|.
func TestLinearBackwardInputBatch1(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	lin, err := NewLinear(300, 50)
	if err != nil {
		t.Fatal(err)
	}
	lin.Weight, lin.Bias, lin.ReLU = randTensor(rng, 0.3, 0, 50, 300), randTensor(rng, 0.1, 0, 50), true
	x := randTensor(rng, 1, 0, 1, 300)
	y, err := lin.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	y = y.Clone()
	dy := randTensor(rng, 1, 0, 1, 50)
	want, err := lin.Backward(x, y, dy, NewGrads())
	if err != nil {
		t.Fatal(err)
	}
	got, err := lin.BackwardInput(x, y, dy, NewGrads())
	if err != nil {
		t.Fatal(err)
	}
	top := 0.0
	for _, v := range want.Data {
		top = max(top, math.Abs(float64(v)))
	}
	for i, v := range got.Data {
		if math.Abs(float64(v-want.Data[i])) > 1e-5*top {
			t.Fatalf("dx[%d] = %v, Backward's %v", i, v, want.Data[i])
		}
	}
}

// TestBatchNormBackwardInputEval compares the eval-mode input gradient
// with central differences of Forward (in float64 from float32 outputs:
// within 1e-3 relative), with and without the fused ReLU (away from its
// kink, where the difference straddles it).
func TestBatchNormBackwardInputEval(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	bn, err := NewBatchNorm2d(3)
	if err != nil {
		t.Fatal(err)
	}
	bn.Weight, bn.Bias = randTensor(rng, 1, 0, 3), randTensor(rng, 1, 0, 3)
	bn.RunningMean, bn.RunningVar = randTensor(rng, 1, 0, 3), randTensor(rng, 0.5, 1, 3)
	for _, relu := range []bool{false, true} {
		bn.ReLU = relu
		x := randTensor(rng, 1, 0, 2, 3, 4, 4)
		y, err := bn.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		y = y.Clone()
		dy := randTensor(rng, 1, 0, y.Shape...)
		dx, err := bn.BackwardInputEval(x, y, dy, NewGrads())
		if err != nil {
			t.Fatal(err)
		}
		pre, err := bn.WithoutReLU().Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		const h = 1e-2
		for i := range x.Data {
			if relu && math.Abs(float64(pre.Data[i])) < 0.1 {
				continue
			}
			num := 0.0
			for _, s := range []float64{1, -1} {
				xs := x.Clone()
				xs.Data[i] += float32(s * h)
				ys, err := bn.Forward(xs)
				if err != nil {
					t.Fatal(err)
				}
				for j, v := range ys.Data {
					num += s * float64(v) * float64(dy.Data[j]) / (2 * h)
				}
			}
			if d := math.Abs(num - float64(dx.Data[i])); d > 1e-3*math.Max(1, math.Abs(num)) {
				t.Errorf("relu=%v dx[%d] = %v, central difference %v", relu, i, dx.Data[i], num)
			}
		}
	}
}
