package tensor

import (
	"errors"
	"slices"
	"testing"
	"unsafe"
)

func TestFromDataAndReshape(t *testing.T) {
	x, err := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	if err != nil || x.Dim() != 2 || x.Len() != 6 {
		t.Fatalf("FromData: %v %v", x, err)
	}
	var se *ShapeError
	if _, err := FromData([]float32{1, 2}, 3); !errors.As(err, &se) {
		t.Errorf("FromData with 2 values for shape [3]: err = %v", err)
	}
	y, err := x.Reshape(3, 2)
	if err != nil || y.Data[5] != 6 || !SameShape(y.Shape, []int{3, 2}) {
		t.Fatalf("Reshape: %v %v", y, err)
	}
	y.Data[0] = 9
	if x.Data[0] != 9 {
		t.Error("Reshape copied the data")
	}
	if _, err := x.Reshape(4); !errors.As(err, &se) {
		t.Errorf("Reshape to 4 elements: err = %v", err)
	}
	if r := x.Row(1); !SameShape(r.Shape, []int{3}) || r.Data[0] != 4 {
		t.Errorf("Row(1) = %v", r)
	}
	c := x.Clone()
	c.Data[1] = -1
	if x.Data[1] != 2 {
		t.Error("Clone shares data")
	}
}

func TestStack(t *testing.T) {
	a, _ := FromData([]float32{1, 2}, 2)
	b, _ := FromData([]float32{3, 4}, 2)
	s, err := Stack([]*Tensor{a, b})
	if err != nil || !SameShape(s.Shape, []int{2, 2}) || s.Data[2] != 3 {
		t.Fatalf("Stack = %v, %v", s, err)
	}
	var se *ShapeError
	if _, err := Stack([]*Tensor{a, New(3)}); !errors.As(err, &se) {
		t.Errorf("Stack of mixed shapes: err = %v", err)
	}
	if _, err := Stack(nil); !errors.As(err, &se) {
		t.Errorf("Stack(nil): err = %v", err)
	}
}

func TestShapeString(t *testing.T) {
	if s := ShapeString([]int{64, 3, 11, 11}); s != "[64, 3, 11, 11]" {
		t.Errorf("ShapeString = %q", s)
	}
	e := &ShapeError{Op: "op", Got: []int{1}, Want: []int{2}, Msg: "why"}
	if e.Error() != "op: shape [1], want [2]: why" {
		t.Errorf("Error() = %q", e.Error())
	}
}

// New's large tensors start on a huge-page boundary, and every tensor is
// zeroed and exactly its size.
func TestNewAlignment(t *testing.T) {
	for _, shape := range [][]int{{3}, {1024, 1023}, {4096, 9216}, {1000, 4096}} {
		x := New(shape...)
		if len(x.Data) != Numel(shape) || cap(x.Data) != Numel(shape) {
			t.Errorf("%v: len %d cap %d, want %d", shape, len(x.Data), cap(x.Data), Numel(shape))
		}
		if slices.ContainsFunc(x.Data, func(v float32) bool { return v != 0 }) {
			t.Errorf("%v: not zeroed", shape)
		}
		if a := uintptr(unsafe.Pointer(&x.Data[0])); 4*len(x.Data) >= hugeMin && a%hugeAlign != 0 {
			t.Errorf("%v: data at %#x, not on a %d-byte boundary", shape, a, hugeAlign)
		}
	}
}
