package model

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// cancelAfter is a context whose Err is nil for its first n calls and
// context.Canceled from then on; calls counts them.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// ForwardContext gives Forward's logits bit for bit while ctx lives, and
// once ctx is done before module k it returns ctx.Err() and no logits
// without asking ctx again (no module after k runs).
func TestForwardContext(t *testing.T) {
	m := narrow(t)
	for i, p := range m.Parameters() {
		for j := range p.T.Data {
			p.T.Data[j] = float32(math.Sin(float64(7*i+j))) * 0.4
		}
	}
	x := tensor.New(2, 3, 67, 67)
	for i := range x.Data {
		x.Data[i] = float32(math.Cos(float64(i) * 0.37))
	}
	want, err := m.Forward(x)
	got, errCtx := m.ForwardContext(context.Background(), x)
	if err := errors.Join(err, errCtx); err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(got.Shape, want.Shape) {
		t.Fatalf("ForwardContext shape %v, Forward %v", got.Shape, want.Shape)
	}
	nonzero := false
	for i, v := range got.Data {
		if math.Float32bits(v) != math.Float32bits(want.Data[i]) {
			t.Fatalf("logit %d: ForwardContext %v, Forward %v", i, v, want.Data[i])
		}
		nonzero = nonzero || v != 0
	}
	if !nonzero {
		t.Fatal("all logits are zero: the test compares nothing")
	}
	modules := len(m.Modules())
	for _, k := range []int{0, 1, 5, modules - 1} {
		ctx := &cancelAfter{Context: context.Background(), n: k}
		y, err := m.ForwardContext(ctx, x)
		if !errors.Is(err, context.Canceled) || y != nil {
			t.Errorf("cancelled before module %d: %v, %v; want nil, context.Canceled", k, y, err)
		}
		if ctx.calls != k+1 {
			t.Errorf("cancelled before module %d: ctx.Err called %d times, want %d", k, ctx.calls, k+1)
		}
	}
	var se *tensor.ShapeError
	for _, x := range []*tensor.Tensor{nil, tensor.New(1, 1, 80, 80), tensor.New(3, 67, 67)} {
		if _, err := m.ForwardContext(context.Background(), x); !errors.As(err, &se) {
			t.Errorf("ForwardContext(%v): err = %v, want *tensor.ShapeError", x, err)
		}
	}
}
