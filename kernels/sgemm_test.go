package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

const guard = float32(-12345.5) // written around every C region; must survive

// TestSgemmImpls runs the conformance suite over every registered
// implementation, one line each.
func TestSgemmImpls(t *testing.T) {
	for _, name := range SgemmImpls() {
		t.Run(name, func(t *testing.T) { testSgemm(t, SgemmImpl(name)) })
	}
}

// testSgemm checks fn against SgemmNaive over a sweep of sizes (1, odd,
// primes, larger than every block), transpositions, epilogues, padded
// leading dimensions and thread counts, with guard values around C and in
// the gaps between its rows.
func testSgemm(t *testing.T, fn SgemmFunc) {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	type dims struct{ m, n, k int }
	sizes := []dims{
		{1, 1, 1}, {1, 7, 3}, {2, 2, 0}, {3, 4, 1}, {5, 13, 17}, {7, 1, 29},
		{8, 37, 300}, {9, 5, 2}, {13, 31, 257}, {37, 41, 43}, {150, 9, 61},
		{4, 2053, 11}, {97, 131, 513}, {11, 6, 3}, {151, 2051, 7},
		{17, 35, 4500}, // K over every block depth (raw-A path: 3 blocks)
	}
	for _, d := range sizes {
		for v := 0; v < 8; v++ {
			transA, transB := v&1 != 0, v&2 != 0
			accum := v&4 != 0
			for _, threads := range []int{1, 3} {
				relu := (d.m+v+threads)%2 == 0
				rowBias := v%3 == 0
				name := fmt.Sprintf("M%dN%dK%d/tA=%v/tB=%v/acc=%v/relu=%v/bias=%v/thr=%d",
					d.m, d.n, d.k, transA, transB, accum, relu, rowBias, threads)
				g := randGemm(rng, d.m, d.n, d.k, transA, transB, 1+v%3)
				g.Accumulate, g.ReLU, g.Threads = accum, relu, threads
				if rowBias {
					g.RowBias = randSlice(rng, d.m)
				} else {
					g.ColBias = randSlice(rng, d.n)
				}
				if err := g.check(); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				want := *g
				want.C = append([]float32(nil), g.C...)
				SgemmNaive(&want)
				fn(g)
				compareC(t, name, g, want.C)
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()*2 - 1
	}
	return s
}

// randGemm builds operands whose leading dimensions exceed their widths by
// pad, so that row gaps are exercised; C is surrounded by guard values.
func randGemm(rng *rand.Rand, m, n, k int, transA, transB bool, pad int) *Gemm {
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	g := &Gemm{M: m, N: n, K: k, TransA: transA, TransB: transB,
		LDA: ac + pad, LDB: bc + pad, LDC: n + pad}
	g.A = randSlice(rng, ar*g.LDA)
	g.B = randSlice(rng, br*g.LDB)
	buf := make([]float32, m*g.LDC+2*guardLen)
	for i := range buf {
		buf[i] = guard
	}
	g.C = buf[guardLen : guardLen+m*g.LDC]
	for i := 0; i < m; i++ {
		copy(g.C[i*g.LDC:i*g.LDC+n], randSlice(rng, n))
	}
	return g
}

const guardLen = 16

func compareC(t *testing.T, name string, g *Gemm, want []float32) {
	t.Helper()
	full := g.C[:cap(g.C)]
	full = full[:len(g.C)+guardLen]
	for i := len(g.C); i < len(full); i++ {
		if full[i] != guard {
			t.Fatalf("%s: guard after C overwritten at +%d: %v", name, i-len(g.C), full[i])
		}
	}
	tol := 1e-5 * float64(g.K+1)
	for i := 0; i < g.M; i++ {
		for j := 0; j < g.LDC; j++ {
			got, w := g.C[i*g.LDC+j], want[i*g.LDC+j]
			if j >= g.N {
				if got != guard {
					t.Fatalf("%s: gap C[%d,%d] overwritten: %v", name, i, j, got)
				}
				continue
			}
			if math.Abs(float64(got-w)) > tol {
				t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, got, w)
			}
		}
	}
}

func TestSgemmArgErrors(t *testing.T) {
	a := make([]float32, 6)
	cases := []Gemm{
		{M: -1, N: 1, K: 1, A: a, LDA: 1, B: a, LDB: 1, C: a, LDC: 1},
		{M: 2, N: 3, K: 3, A: a, LDA: 2, B: a, LDB: 3, C: a, LDC: 3}, // LDA < K
		{M: 3, N: 3, K: 3, A: a, LDA: 3, B: a, LDB: 3, C: a, LDC: 3}, // A too short
		{M: 2, N: 3, K: 1, A: a, LDA: 1, B: a, LDB: 3, C: a, LDC: 3, RowBias: a},
	}
	for i, g := range cases {
		err := Sgemm(&g)
		if _, ok := err.(*ArgError); !ok {
			t.Errorf("case %d: err = %v, want *ArgError", i, err)
		}
	}
}

func TestUseSgemm(t *testing.T) {
	defer UseSgemm(cpuvariant.Active())
	if err := UseSgemm("naive"); err != nil || ActiveSgemm() != "naive" {
		t.Fatalf("UseSgemm(naive) = %v, active %q", err, ActiveSgemm())
	}
	if err := UseSgemm("nope"); err == nil {
		t.Fatal("UseSgemm(nope) succeeded")
	}
}

// AlexNet-shaped products: conv layers per image (Cout × Cin*k*k · OH*OW)
// and the fully connected layers at batch 8 (B transposed).
var benchSizes = []struct {
	name    string
	m, n, k int
	transB  bool
}{
	{"conv1_64x3025x363", 64, 3025, 363, false},
	{"conv2_192x729x1600", 192, 729, 1600, false},
	{"conv4_256x169x3456", 256, 169, 3456, false},
	{"fc7_b8_8x4096x4096", 8, 4096, 4096, true},
	{"fc6_b64_64x4096x9216", 64, 4096, 9216, true},
	{"fc6_b1_1x4096x9216", 1, 4096, 9216, true},
	{"fc6_b8_8x4096x9216", 8, 4096, 9216, true},
}

func benchSgemm(b *testing.B, fn SgemmFunc, threads int) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewSource(1))
			g := randGemm(rng, s.m, s.n, s.k, false, s.transB, 0)
			g.Threads = threads
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				fn(g)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

func BenchmarkSgemmBlocked1(b *testing.B) { benchSgemm(b, SgemmBlocked, 1) }
func BenchmarkSgemmBlocked2(b *testing.B) { benchSgemm(b, SgemmBlocked, 2) }
func BenchmarkSgemmNaive(b *testing.B)    { benchSgemm(b, SgemmNaive, 1) }

// BenchmarkSgemm runs every registered implementation but the naive one
// side by side, on 1 and 2 threads.
func BenchmarkSgemm(b *testing.B) {
	for _, name := range SgemmImpls() {
		if name == "naive" {
			continue
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) { benchSgemm(b, SgemmImpl(name), threads) })
		}
	}
}
