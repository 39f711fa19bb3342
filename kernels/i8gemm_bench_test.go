package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// i8BenchShapes are AlexNet's GEMMs: conv2 and conv3 as im2col (M output
// positions, N output channels, K = in·kh·kw) and FC6 at batch 1 and 64.
var i8BenchShapes = []struct {
	name    string
	m, n, k int
	fc      bool // a linear layer: the float32 weights are stored N×K
}{
	{"conv2", 729, 192, 1600, false},
	{"conv3", 169, 384, 1728, false},
	{"fc6b1", 1, 4096, 9216, true},
	{"fc6b64", 64, 4096, 9216, true},
}

// reportGOPS reports 2·M·N·K operations per iteration in GOPS.
func reportGOPS(b *testing.B, m, n, k int) {
	b.ReportMetric(2*float64(m*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GOPS")
}

// BenchmarkI8Gemm runs I8Gemm on AlexNet's shapes, per variant (the naive
// loop is the twin) and with 1 and 2 threads, in GOPS.
func BenchmarkI8Gemm(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range i8BenchShapes {
		g, _, _, _ := newI8Gemm(rng, i8Case{m: s.m, n: s.n, k: s.k, trans: s.fc})
		b.Run(s.name, func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				for _, threads := range []int{1, 2} {
					b.Run(fmt.Sprintf("thr%d", threads), func(b *testing.B) {
						g.Threads = threads
						for b.Loop() {
							if err := I8Gemm(g); err != nil {
								b.Fatal(err)
							}
						}
						reportGOPS(b, s.m, s.n, s.k)
					})
				}
			})
		})
	}
}

// BenchmarkI8GemmSgemm runs the float32 Sgemm of the same shapes, for
// comparison, with the selected variant.
func BenchmarkI8GemmSgemm(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range i8BenchShapes {
		g := &Gemm{M: s.m, N: s.n, K: s.k, A: randSlice(rng, s.m*s.k), LDA: s.k,
			B: randSlice(rng, s.k*s.n), LDB: s.n, C: make([]float32, s.m*s.n), LDC: s.n}
		if s.fc {
			g.TransB, g.LDB = true, s.k
		}
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/thr%d", s.name, threads), func(b *testing.B) {
				g.Threads = threads
				for b.Loop() {
					if err := Sgemm(g); err != nil {
						b.Fatal(err)
					}
				}
				reportGOPS(b, s.m, s.n, s.k)
			})
		}
	}
}
