package kernels

import (
	"math/rand"
	"testing"
)

// TestTransposeInto checks transposeInto (with the block kernel where the
// CPU has one) against the scalar loop, bit for bit, on shapes with and
// without full 16×16 blocks, and that nothing past each row's m columns
// of dst is written.
func TestTransposeInto(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	for _, s := range []struct{ m, p int }{{16, 16}, {16, 49}, {32, 225}, {48, 15}, {20, 33}, {7, 5}, {64, 1024}} {
		src := randSlice(rng, s.m*s.p)
		ld := s.m + 3
		got, want := make([]float32, s.p*ld), make([]float32, s.p*ld)
		for i := range got {
			got[i], want[i] = guard, guard
		}
		transposeInto(got, ld, src, s.m, s.p)
		transposeWith(nil, want, ld, src, s.m, s.p)
		if i := sameBits(got, want); i >= 0 {
			t.Fatalf("%+v: dst[%d] = %v, want %v", s, i, got[i], want[i])
		}
		for r := 0; r < s.p; r++ {
			for o := 0; o < s.m; o++ {
				if want[r*ld+o] != src[o*s.p+r] {
					t.Fatalf("%+v: scalar loop wrong at (%d, %d)", s, r, o)
				}
			}
			for _, v := range got[r*ld+s.m : (r+1)*ld] {
				if v != guard {
					t.Fatalf("%+v: row %d written past column %d", s, r, s.m)
				}
			}
		}
	}
}

// TestIm2colRows checks the active im2colRows against the portable loop,
// bit for bit, for rows of 1 to 140 floats and every run [lo, hi) of a
// few, and that nothing past the rows is written.
func TestIm2colRows(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	for _, ow := range []int{1, 5, 7, 13, 15, 16, 17, 27, 32, 55, 64, 100, 128, 140} {
		for _, run := range [][2]int{{0, ow}, {1, ow}, {0, ow - 1}, {2, ow - 2}, {ow / 2, ow}} {
			lo, hi := run[0], run[1]
			if lo >= hi {
				continue
			}
			rows, lds := 3, hi-lo+5
			src := randSlice(rng, (rows-1)*lds+hi-lo)
			got, want := make([]float32, rows*ow+guardLen), make([]float32, rows*ow+guardLen)
			for i := range got {
				got[i], want[i] = guard, guard
			}
			im2colRows.Get()(got[:rows*ow], src, lds, rows, ow, lo, hi)
			im2colRowsGo(want[:rows*ow], src, lds, rows, ow, lo, hi)
			if i := sameBits(got, want); i >= 0 {
				t.Fatalf("ow %d run [%d, %d): dst[%d] = %v, want %v", ow, lo, hi, i, got[i], want[i])
			}
		}
	}
}

// TestIm2colMasks checks im2colMasks against its definition lane by lane.
func TestIm2colMasks(t *testing.T) {
	for ow := 1; ow <= 128; ow++ {
		for lo := 0; lo < ow; lo += 3 {
			for hi := lo + 1; hi <= ow; hi += 5 {
				m, chunks := im2colMasks(ow, lo, hi)
				if chunks != (ow+15)/16 {
					t.Fatalf("ow %d: %d chunks", ow, chunks)
				}
				for x := 0; x < 16*chunks; x++ {
					k, l := x/16, uint(x%16)
					if got, want := m[2*k]>>l&1 == 1, x >= lo && x < hi && x < ow; got != want {
						t.Fatalf("ow %d [%d, %d): load lane %d = %v", ow, lo, hi, x, got)
					}
					if got, want := m[2*k+1]>>l&1 == 1, x < ow; got != want {
						t.Fatalf("ow %d: store lane %d = %v", ow, x, got)
					}
				}
			}
		}
	}
}
