package model

import (
	"context"

	"github.com/alexnet-go/alexnet/tensor"
)

// ForwardContext is Forward, checking ctx before each module (the
// modules Profile times, in the same order): once ctx is done it stops
// and returns ctx.Err() and no logits, without running the modules left.
// Otherwise it computes what Forward computes for x (N,3,H,W), the same
// logits bit for bit; only its errors name the module ("features.3")
// rather than the Sequential and its layer.
//
// A forward pass of the full-size model takes tens of milliseconds per
// image; ForwardContext lets a caller (a request whose client left, a
// deadline) give the rest of them back.
func (m *AlexNet) ForwardContext(ctx context.Context, x *tensor.Tensor) (*tensor.Tensor, error) {
	if err := checkInput("model.ForwardContext", x); err != nil {
		return nil, err
	}
	return m.Walk(x, func(int, Module, *tensor.Tensor) error { return ctx.Err() }, nil)
}

// checkInput returns a *tensor.ShapeError naming op unless x is a batch
// of 3-channel images, (N, 3, H, W).
func checkInput(op string, x *tensor.Tensor) error {
	if x != nil && len(x.Shape) == 4 && x.Shape[1] == 3 {
		return nil
	}
	var got []int
	if x != nil {
		got = x.Shape
	}
	return &tensor.ShapeError{Op: op, Got: got, Msg: "want (N, 3, H, W)"}
}
