// Package tensor holds the dense float32 tensor the engine computes with.
//
// A Tensor is a shape and a row-major (C-contiguous) []float32 of exactly
// the product of the shape's dimensions. Image batches are NCHW, as in
// PyTorch. A Tensor is not safe for concurrent mutation.
package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a row-major float32 array with a shape.
type Tensor struct {
	Shape []int
	Data  []float32
}

// New returns a zero tensor of the given shape.
func New(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: alloc(Numel(shape))}
}

// FromData wraps data in a tensor of the given shape. It returns a
// *ShapeError when len(data) does not equal the shape's element count.
func FromData(data []float32, shape ...int) (*Tensor, error) {
	if n := Numel(shape); n != len(data) {
		return nil, &ShapeError{Op: "tensor.FromData", Got: shape, Msg: fmt.Sprintf("%d elements for %d values", n, len(data))}
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: data}, nil
}

// Numel is the number of elements of a shape (1 for a scalar shape).
func Numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// Len is the number of elements of t.
func (t *Tensor) Len() int { return len(t.Data) }

// Dim is the number of dimensions of t.
func (t *Tensor) Dim() int { return len(t.Shape) }

// Clone returns a deep copy of t.
func (t *Tensor) Clone() *Tensor {
	return &Tensor{Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)}
}

// Reshape returns a tensor sharing t's data with a new shape of the same
// element count.
func (t *Tensor) Reshape(shape ...int) (*Tensor, error) {
	if Numel(shape) != len(t.Data) {
		return nil, &ShapeError{Op: "tensor.Reshape", Got: t.Shape, Want: shape, Msg: "element count differs"}
	}
	return &Tensor{Shape: append([]int(nil), shape...), Data: t.Data}, nil
}

// Row returns the i-th slice along the first dimension, sharing data:
// for t of shape (N, ...) the result has shape (...).
func (t *Tensor) Row(i int) *Tensor {
	inner := Numel(t.Shape[1:])
	return &Tensor{Shape: append([]int(nil), t.Shape[1:]...), Data: t.Data[i*inner : (i+1)*inner]}
}

// SameShape reports whether a and b have identical shapes.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Stack stacks tensors of one shape S into a tensor of shape (len(ts), S...).
func Stack(ts []*Tensor) (*Tensor, error) {
	if len(ts) == 0 {
		return nil, &ShapeError{Op: "tensor.Stack", Msg: "no tensors"}
	}
	s := ts[0].Shape
	out := New(append([]int{len(ts)}, s...)...)
	n := len(ts[0].Data)
	for i, t := range ts {
		if !SameShape(t.Shape, s) {
			return nil, &ShapeError{Op: "tensor.Stack", Got: t.Shape, Want: s, Msg: fmt.Sprintf("tensor %d", i)}
		}
		copy(out.Data[i*n:], t.Data)
	}
	return out, nil
}

// ShapeString formats a shape as PyTorch prints it, e.g. "[64, 3, 11, 11]".
func ShapeString(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		parts[i] = fmt.Sprint(d)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// ShapeError reports a shape that an operation cannot take.
type ShapeError struct {
	Op   string
	Got  []int
	Want []int
	Msg  string
}

func (e *ShapeError) Error() string {
	s := e.Op + ": shape " + ShapeString(e.Got)
	if e.Want != nil {
		s += ", want " + ShapeString(e.Want)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}
