//go:build !purego

package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestGemmOffKernel checks avx512GemmOff against the loop of
// microArch.gemmOff for every tile height, partial widths, depths around
// the unroll of four and every flag, with NaN guards around the C tile
// that the kernel must leave alone.
func TestGemmOffKernel(t *testing.T) {
	if !cpu.X86.HasAVX512F || !cpu.X86.HasAVX512DQ || !cpu.X86.HasBMI2 {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewSource(12))
	const ldc, mr = 41, avx512MR
	nan := float32(math.NaN())
	for m := 1; m <= mr; m++ {
		for _, n := range []int{1, 17, 32} {
			for _, kc := range []int{1, 3, 4, 7, 182} {
				for flags := 0; flags < 4; flags++ {
					name := fmt.Sprintf("m=%d/n=%d/kc=%d/flags=%d", m, n, kc, flags)
					a := randSlice(rng, kc*mr)
					b := randSlice(rng, 1000)
					rows := &offsetRows{offs: make([]int32, kc+2)}
					for p := range rows.offs {
						o := rng.Intn(len(b) - 32)
						rows.offs[p] = int32(o)
						rows.max = max(rows.max, o)
					}
					rb, cb := randSlice(rng, mr), randSlice(rng, 32)
					c := make([]float32, (mr+1)*ldc)
					for i := range c {
						c[i] = nan
					}
					c0 := randSlice(rng, m*ldc)
					want := make([]float32, len(c))
					copy(want, c)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							c[i*ldc+j] = c0[i*ldc+j]
							s := rb[i] + cb[j]
							if flags&gemmAccum != 0 {
								s = c0[i*ldc+j]
							}
							for p := 0; p < kc; p++ {
								s += a[p*mr+i] * b[int(rows.offs[2+p])+j]
							}
							if flags&gemmReLU != 0 {
								s = max(s, 0)
							}
							want[i*ldc+j] = s
						}
					}
					avx512GemmOff(m, n, kc, a, b, rows, 2, c, ldc, rb, cb, flags)
					for i := range c {
						g, w := c[i], want[i]
						if math.IsNaN(float64(w)) {
							if !math.IsNaN(float64(g)) {
								t.Fatalf("%s: wrote c[%d] outside the tile", name, i)
							}
							continue
						}
						if math.Abs(float64(g-w)) > 1e-4*(1+math.Abs(float64(w))) {
							t.Fatalf("%s: c[%d] = %g, want %g", name, i, g, w)
						}
					}
				}
			}
		}
	}
}
