package kernels

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// i8Guard is written around A, B's pack and C, and in the gaps between
// their rows; every kernel must leave it there.
const i8Guard = 0x5a

// i8Case is one int8 product of the conformance suite: its sizes, the
// padding of A's and C's rows, threads and Accumulate, and how A and B
// are filled (fill(i) for the i-th value; nil: random).
type i8Case struct {
	m, n, k, padA, padC, threads int
	accum, trans                 bool
	fillA                        func(i int) uint8
	fillB                        func(i int) int8
}

func (c i8Case) String() string {
	return fmt.Sprintf("M%dN%dK%d/padA%d/padC%d/thr%d/acc=%v/trans=%v", c.m, c.n, c.k, c.padA, c.padC, c.threads, c.accum, c.trans)
}

// newI8Gemm builds c's product with guard values around (and between the
// rows of) A, B's packed data and C.
func newI8Gemm(rng *rand.Rand, c i8Case) (g *GemmI8, aBuf []uint8, bBuf []int8, cBuf []int32) {
	const gw = 64
	lda, ldc := c.k+c.padA, c.n+c.padC
	aBuf = make([]uint8, 2*gw+max(c.m*lda, 0))
	for i := range aBuf {
		aBuf[i] = i8Guard
	}
	for i := 0; i < c.m; i++ {
		for p := 0; p < c.k; p++ {
			v := uint8(rng.Intn(256))
			if c.fillA != nil {
				v = c.fillA(i*c.k + p)
			}
			aBuf[gw+i*lda+p] = v
		}
	}
	b := make([]int8, c.k*c.n)
	for i := range b {
		b[i] = int8(rng.Intn(256) - 128)
		if c.fillB != nil {
			b[i] = c.fillB(i)
		}
	}
	ldb := c.n
	if c.trans {
		ldb = c.k
	}
	pb := PackI8(b, max(ldb, 1), c.trans, c.k, c.n)
	bBuf = make([]int8, 2*gw+len(pb.data))
	for i := range bBuf {
		bBuf[i] = i8Guard
	}
	copy(bBuf[gw:], pb.data)
	pb.data = bBuf[gw : gw+len(pb.data) : gw+len(pb.data)]
	cBuf = make([]int32, 2*gw+c.m*ldc)
	for i := range cBuf {
		cBuf[i] = i8Guard
	}
	for i := 0; i < c.m; i++ {
		for j := 0; j < c.n; j++ {
			cBuf[gw+i*ldc+j] = int32(rng.Uint32())
		}
	}
	return &GemmI8{M: c.m, N: c.n, K: c.k, A: aBuf[gw : gw+max(c.m*lda-c.padA, 0)], LDA: max(lda, 1), B: pb,
		C: cBuf[gw : gw+max(c.m*ldc-c.padC, 0)], LDC: max(ldc, 1), Accumulate: c.accum, Threads: c.threads}, aBuf, bBuf, cBuf
}

// runI8Case runs c through I8Gemm and checks C bit for bit against
// I8GemmNaive on copies, and that A, B's pack and every guard are
// untouched.
func runI8Case(t *testing.T, rng *rand.Rand, c i8Case) []int32 {
	t.Helper()
	g, aBuf, bBuf, cBuf := newI8Gemm(rng, c)
	aWant, bWant, cWant := slices.Clone(aBuf), slices.Clone(bBuf), slices.Clone(cBuf)
	want := *g
	want.C = cWant[64 : 64+len(g.C)]
	I8GemmNaive(&want)
	if err := I8Gemm(g); err != nil {
		t.Fatalf("%v: %v", c, err)
	}
	if !slices.Equal(aBuf, aWant) || !slices.Equal(bBuf, bWant) {
		t.Fatalf("%v: A or B's pack (or their guards) written", c)
	}
	if i := firstDiff(cBuf, cWant); i >= 0 {
		t.Fatalf("%v: C buffer [%d] (offset %d from C) = %d, want %d", c, i, i-64, cBuf[i], cWant[i])
	}
	return g.C
}

func firstDiff[T comparable](a, b []T) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestI8GemmVariants runs the conformance suite over every variant:
// bit-identical int32 results to I8GemmNaive over a sweep of M (1-20, 64,
// 130), N (1-70, 257), K (0-40, 300, 9216), padded rows, threads 1-3,
// Accumulate and transposed packing, with guards around every buffer.
func TestI8GemmVariants(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		for _, c := range i8Sweep() {
			runI8Case(t, rng, c)
		}
	})
}

// i8Sweep lists the conformance cases.
func i8Sweep() []i8Case {
	var cs []i8Case
	for m := 1; m <= 20; m++ {
		for n := 1; n <= 70; n++ {
			k := 1 + (7*m+3*n)%40
			cs = append(cs, i8Case{m: m, n: n, k: k, padA: (m + n) % 3, padC: n % 2, threads: 1 + n%3, accum: (m+n)%2 == 0, trans: m%2 == 0})
		}
	}
	for k := 0; k <= 40; k++ {
		for _, mn := range [][2]int{{1, 1}, {3, 17}, {7, 64}, {13, 33}} {
			cs = append(cs, i8Case{m: mn[0], n: mn[1], k: k, padA: k % 5, padC: 3, threads: 1 + k%3, accum: k%2 == 1})
		}
	}
	for _, d := range [][3]int{{64, 257, 300}, {130, 70, 300}, {64, 65, 1601}, {130, 257, 37}, {3, 257, 9216}, {20, 40, 9216}} {
		for threads := 1; threads <= 3; threads++ {
			cs = append(cs, i8Case{m: d[0], n: d[1], k: d[2], padA: threads - 1, padC: 2 - threads%2, threads: threads, accum: threads == 2, trans: threads == 3})
		}
	}
	return cs
}

// TestI8GemmExtremes checks the largest sums each variant computes
// against their values: A = 255 everywhere times B = -128 or 127
// everywhere over K = 9216 (255·(-128)·9216 = -300810240, 255·127·9216 =
// 298460160), and K = 65793, the largest K whose sums cannot overflow.
func TestI8GemmExtremes(t *testing.T) {
	a255 := func(int) uint8 { return 255 }
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		for _, c := range []struct {
			k    int
			b    int8
			want int32
		}{{9216, -128, -300810240}, {9216, 127, 298460160}, {9215, -128, -300777600}, {65793, -128, -2147483520}} {
			b := c.b
			cs := i8Case{m: 7, n: 67, k: c.k, padA: 1, padC: 1, threads: 2, fillA: a255, fillB: func(int) int8 { return b }}
			got := runI8Case(t, rng, cs)
			for i := 0; i < cs.m; i++ {
				for j := 0; j < cs.n; j++ {
					if v := got[i*(cs.n+1)+j]; v != c.want {
						t.Fatalf("%v B=%d: C[%d,%d] = %d, want %d", cs, c.b, i, j, v, c.want)
					}
				}
			}
		}
	})
}

// TestI8GemmActive checks that each variant selected runs its own code:
// "blocked" the portable Go kernel, "naive" the literal loop, and the
// SIMD variants their kernels.
func TestI8GemmActive(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		v, im := cpuvariant.Active(), i8Variants.Get()
		if ActiveI8Gemm() != v {
			t.Fatalf("ActiveI8Gemm() = %s with %s selected", ActiveI8Gemm(), v)
		}
		switch {
		case v == cpuvariant.Naive && im.arch != nil:
			t.Errorf("naive runs the %s kernel", im.arch.name)
		case v == cpuvariant.Portable && im.arch != portableI8Arch:
			t.Errorf("blocked does not run the portable kernel")
		case v != cpuvariant.Naive && (im.arch == nil || im.arch.name != v):
			t.Errorf("%s runs %+v", v, im.arch)
		}
	})
}

// TestPackI8 checks the packed layout (At, the zero padding past K and N)
// and the column sums, for B stored K×N and N×K.
func TestPackI8(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const k, n = 7, 19
	b := make([]int8, k*n)
	for i := range b {
		b[i] = int8(rng.Intn(256) - 128)
	}
	for _, trans := range []bool{false, true} {
		ldb := n
		if trans {
			ldb = k
		}
		p := PackI8(b, ldb, trans, k, n)
		if len(p.data) != 2*2*64 {
			t.Fatalf("trans=%v: %d packed bytes, want 2 panels of 2 groups", trans, len(p.data))
		}
		var nonzero int
		for _, v := range p.data {
			if v != 0 {
				nonzero++
			}
		}
		for j := 0; j < n; j++ {
			var s int32
			for q := 0; q < k; q++ {
				v := b[q*n+j]
				if trans {
					v = b[j*k+q]
				}
				if p.At(q, j) != v {
					t.Fatalf("trans=%v: At(%d, %d) = %d, want %d", trans, q, j, p.At(q, j), v)
				}
				if v != 0 {
					nonzero--
				}
				s += int32(v)
			}
			if p.ColSum[j] != s {
				t.Errorf("trans=%v: ColSum[%d] = %d, want %d", trans, j, p.ColSum[j], s)
			}
		}
		if nonzero != 0 {
			t.Errorf("trans=%v: %d nonzero bytes in the padding", trans, nonzero)
		}
	}
}

// TestI8GemmArgErrors checks that I8Gemm rejects inconsistent operands
// with an *ArgError.
func TestI8GemmArgErrors(t *testing.T) {
	p := PackI8(make([]int8, 6), 3, false, 2, 3)
	good := GemmI8{M: 2, N: 3, K: 2, A: make([]uint8, 4), LDA: 2, B: p, C: make([]int32, 6), LDC: 3}
	if err := I8Gemm(&good); err != nil {
		t.Fatalf("valid operands: %v", err)
	}
	for name, mut := range map[string]func(g *GemmI8){
		"negative M": func(g *GemmI8) { g.M = -1 },
		"nil B":      func(g *GemmI8) { g.B = nil },
		"B's K":      func(g *GemmI8) { g.K, g.LDA = 3, 3 },
		"short A":    func(g *GemmI8) { g.A = g.A[:3] },
		"LDA < K":    func(g *GemmI8) { g.LDA = 1 },
		"short C":    func(g *GemmI8) { g.C = g.C[:5] },
	} {
		g := good
		mut(&g)
		var e *ArgError
		if err := I8Gemm(&g); !errors.As(err, &e) || e.Func != "I8Gemm" {
			t.Errorf("%s: err = %v, want an *ArgError", name, err)
		}
	}
}
