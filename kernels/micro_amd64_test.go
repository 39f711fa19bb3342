//go:build !purego

package kernels

import (
	"fmt"
	"testing"
)

// BenchmarkMicroKernel times the micro-kernels alone on cache-resident
// strips: the ceiling the packed driver can reach.
func BenchmarkMicroKernel(b *testing.B) {
	for _, arch := range []*microArch{avx512Arch, avx2Arch, portableArch} {
		for _, kc := range []int{128, 256, 384} {
			if arch == portableArch && kc > gemmKC { // its strip buffer holds gemmKC rows
				continue
			}
			b.Run(fmt.Sprintf("%s/kc=%d", arch.name, kc), func(b *testing.B) {
				a := make([]float32, kc*arch.mr)
				bb := make([]float32, kc*arch.nr)
				c := make([]float32, arch.mr*arch.nr)
				rb := make([]float32, arch.mr)
				cb := make([]float32, arch.nr)
				for i := 0; i < b.N; i++ {
					arch.gemm(arch.mr, arch.nr, kc, a, bb, arch.nr, c, arch.nr, rb, cb, 0)
				}
				b.ReportMetric(2*float64(arch.mr*arch.nr*kc)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
