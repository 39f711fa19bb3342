// Package golibs benchmarks our SGEMM beside gonum's (the Go library the
// issue measured at 6.3 GFLOP/s on 1 thread, 10.3 on 2, for 2048³), side
// by side in one run:
//
//	go test ./bench/golibs -bench . -benchtime 5x
package golibs

import (
	"fmt"
	"math/rand"
	"runtime"
	"testing"

	"github.com/alexnet-go/alexnet/kernels"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

const n = 2048

func operands() (a, b, c []float32) {
	rng := rand.New(rand.NewSource(1))
	a, b, c = make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = rng.Float32()-0.5, rng.Float32()-0.5
	}
	return a, b, c
}

func report(b *testing.B) {
	b.ReportMetric(2*float64(n)*n*n*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkSgemm2048 times C = A·B for 2048×2048 matrices: ours (the
// active implementation, and the portable "blocked" one) and gonum's
// Sgemm, with GOMAXPROCS 1 and 2 (gonum splits work over GOMAXPROCS).
func BenchmarkSgemm2048(b *testing.B) {
	x, y, z := operands()
	for _, threads := range []int{1, 2} {
		for _, impl := range []string{kernels.ActiveSgemm(), "blocked"} {
			b.Run(fmt.Sprintf("ours-%s/threads=%d", impl, threads), func(b *testing.B) {
				defer kernels.UseSgemm(kernels.ActiveSgemm())
				if err := kernels.UseSgemm(impl); err != nil {
					b.Fatal(err)
				}
				g := &kernels.Gemm{M: n, N: n, K: n, A: x, LDA: n, B: y, LDB: n, C: z, LDC: n, Threads: threads}
				for i := 0; i < b.N; i++ {
					if err := kernels.Sgemm(g); err != nil {
						b.Fatal(err)
					}
				}
				report(b)
			})
		}
		b.Run(fmt.Sprintf("gonum/threads=%d", threads), func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(threads))
			var impl gonum.Implementation
			for i := 0; i < b.N; i++ {
				impl.Sgemm(blas.NoTrans, blas.NoTrans, n, n, n, 1, x, n, y, n, 0, z, n)
			}
			report(b)
		})
	}
}
