package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// TestMaxPool2dCeil: with Ceil, a 3/2 pool of a 6×7 map is 3×3 (floor:
// 2×3), each output the maximum of its window's part inside the input,
// as torch.nn.MaxPool2d(3, 2, ceil_mode=True) computes; the gradient goes
// to that maximum. Where ceil and floor agree (7 wide) nothing changes.
func TestMaxPool2dCeil(t *testing.T) {
	l, err := NewMaxPool2d(3, 2)
	if err != nil {
		t.Fatal(err)
	}
	l.Ceil = true
	rng := rand.New(rand.NewPCG(1, 2))
	x := tensor.New(2, 3, 6, 7)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	y, err := l.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.SameShape(y.Shape, []int{2, 3, 3, 3}) {
		t.Fatalf("output %v, want (2, 3, 3, 3)", y.Shape)
	}
	dy := tensor.New(y.Shape...)
	for i := range dy.Data {
		dy.Data[i] = float32(i + 1)
	}
	dx, err := l.Backward(x, y, dy, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := tensor.New(x.Shape...)
	for p := 0; p < 6; p++ {
		for oy := 0; oy < 3; oy++ {
			for ox := 0; ox < 3; ox++ {
				m, at := float32(math.Inf(-1)), 0
				for iy := 2 * oy; iy < min(2*oy+3, 6); iy++ {
					for ix := 2 * ox; ix < min(2*ox+3, 7); ix++ {
						if v := x.Data[(p*6+iy)*7+ix]; v > m {
							m, at = v, (p*6+iy)*7+ix
						}
					}
				}
				o := (p*3+oy)*3 + ox
				if y.Data[o] != m {
					t.Fatalf("y[%d] = %v, want %v", o, y.Data[o], m)
				}
				want.Data[at] += dy.Data[o]
			}
		}
	}
	for i := range want.Data {
		if dx.Data[i] != want.Data[i] {
			t.Fatalf("dx[%d] = %v, want %v", i, dx.Data[i], want.Data[i])
		}
	}
}
