// Package nn holds the layers of AlexNet, each a thin shape-checking
// wrapper over package kernels: Forward passes, and Backward passes that
// add parameter gradients to a *Grads. Dropout is the identity in Forward,
// with a training mode in ForwardTrain; BatchNorm2d uses its running
// statistics in Forward and the batch's in ForwardTrain.
//
// A layer's Forward returns a tensor owned by the layer: its buffer is
// reused, and overwritten, by the layer's next Forward call. Copy a result
// (Tensor.Clone) to keep it. Layers are not safe for concurrent use.
// Bad input shapes give a *tensor.ShapeError, bad hyperparameters a
// *ConfigError; nothing panics on user input.
package nn

import (
	"fmt"

	"github.com/alexnet-go/alexnet/tensor"
)

// Layer is one module of a network.
type Layer interface {
	// Forward computes the layer's output for x.
	Forward(x *tensor.Tensor) (*tensor.Tensor, error)
	// OutputShape is the shape Forward returns for an input of shape in,
	// or the error it would return.
	OutputShape(in []int) ([]int, error)
	// Params lists the layer's parameters by local name ("weight",
	// "bias"), in PyTorch's state_dict order; nil if it has none.
	Params() []Param
}

// Param is a named parameter tensor.
type Param struct {
	Name string
	T    *tensor.Tensor
}

// Bufferer is implemented by layers with state beside their parameters
// that a state_dict holds (BatchNorm2d's running statistics): Buffers
// lists it by local name, in state_dict order after Params.
type Bufferer interface {
	Buffers() []Param
}

// MACer is implemented by layers whose cost is multiply-adds (Conv2d and
// Linear); MACs is the count for an input of shape in, which must be valid.
type MACer interface {
	MACs(in []int) int64
}

// Threader is implemented by layers that can split work over goroutines.
type Threader interface {
	SetThreads(n int)
}

// ConfigError reports a layer hyperparameter a layer cannot take.
type ConfigError struct {
	Layer string
	Msg   string
}

// Error implements error.
func (e *ConfigError) Error() string { return "nn." + e.Layer + ": " + e.Msg }

// validated returns l if its hyperparameters are valid, else its
// validate error: the constructors' check, which Forward repeats where a
// field set after construction could break it.
func validated[L interface{ validate() error }](l L) (L, error) {
	if err := l.validate(); err != nil {
		var zero L
		return zero, err
	}
	return l, nil
}

// reuse returns *buf if it has the given shape, else a new tensor of that
// shape stored in *buf.
func reuse(buf **tensor.Tensor, shape []int) *tensor.Tensor {
	if *buf == nil || !tensor.SameShape((*buf).Shape, shape) {
		*buf = tensor.New(shape...)
	}
	return *buf
}

// forwardOut checks x for l's Forward (its data matches its shape, and
// l.OutputShape accepts that shape), then runs the layer's further checks
// in order, and returns *buf resized to the output shape (reuse).
func forwardOut(op string, l Layer, x *tensor.Tensor, buf **tensor.Tensor, checks ...func() error) (*tensor.Tensor, error) {
	if err := checkData(op, x); err != nil {
		return nil, err
	}
	shape, err := l.OutputShape(x.Shape)
	if err != nil {
		return nil, err
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return reuse(buf, shape), nil
}

// checkNCHW checks that in is (N, C, H, W) with positive dimensions and,
// when c > 0, C == c.
func checkNCHW(op string, in []int, c int) error {
	if len(in) != 4 {
		return &tensor.ShapeError{Op: op, Got: in, Msg: "want (N, C, H, W)"}
	}
	for _, d := range in {
		if d < 1 {
			return &tensor.ShapeError{Op: op, Got: in, Msg: "zero or negative dimension"}
		}
	}
	if c > 0 && in[1] != c {
		return &tensor.ShapeError{Op: op, Got: in, Msg: fmt.Sprintf("want %d channels", c)}
	}
	return nil
}

// checkData checks that x's data matches its shape.
func checkData(op string, x *tensor.Tensor) error {
	if x == nil {
		return &tensor.ShapeError{Op: op, Msg: "nil tensor"}
	}
	if tensor.Numel(x.Shape) != len(x.Data) {
		return &tensor.ShapeError{Op: op, Got: x.Shape, Msg: fmt.Sprintf("%d values for the shape", len(x.Data))}
	}
	return nil
}
