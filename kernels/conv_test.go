package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestConvImpls checks ConvBatch against Conv2dNaive for every registered
// implementation's architecture, over the geometries of TestIm2colConv plus
// AlexNet-shaped ones larger than the packing blocks, with ReLU, several
// images, thread counts and guards after y.
func TestConvImpls(t *testing.T) {
	geoms := append(convGeoms[:len(convGeoms):len(convGeoms)],
		convCase{ConvGeom{C: 3, H: 67, W: 70, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 1, 17},
		convCase{ConvGeom{C: 40, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 2, 30},
		convCase{ConvGeom{C: 24, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 1, 16},
	)
	cpuvariant.ForEach(t, func(t *testing.T) {
		impl := ActiveSgemm()
		rng := rand.New(rand.NewSource(3))
		for _, tc := range geoms {
			for _, threads := range []int{1, 2, 3} {
				batch := 3 // whole images per goroutine
				if threads == 2 {
					batch = 1 // columns split across goroutines
				}
				g := tc.g
				relu := threads != 2
				name := fmt.Sprintf("%s/%+v/groups=%d/threads=%d", impl, g, tc.groups, threads)
				cin := g.C / tc.groups
				k := cin * g.KH * g.KW
				w := randSlice(rng, tc.cout*k)
				bias := randSlice(rng, tc.cout)
				x := randSlice(rng, batch*g.C*g.H*g.W)
				n := g.OH() * g.OW()
				y := make([]float32, batch*tc.cout*n+guardLen)
				for i := range y {
					y[i] = guard
				}
				gc := g
				gc.C = cin
				cw := PackConvWeights(w, tc.cout, k, tc.groups)
				if !cw.Current() {
					t.Fatalf("%s: weights not packed for the active implementation", name)
				}
				ConvBatch(gc, cw, bias, x, y, batch, relu, threads)
				ref := make([]float32, tc.cout*n)
				for b := 0; b < batch; b++ {
					Conv2dNaive(g, tc.groups, tc.cout, x[b*g.C*g.H*g.W:], w, bias, ref)
					if relu {
						ReLU(ref, ref)
					}
					if d := maxAbsDiff(y[b*tc.cout*n:(b+1)*tc.cout*n], ref); d > 1e-4 {
						t.Errorf("%s: image %d: max abs diff %g vs Conv2dNaive", name, b, d)
					}
				}
				for i := batch * tc.cout * n; i < len(y); i++ {
					if y[i] != guard {
						t.Fatalf("%s: guard y[%d] overwritten with %v", name, i, y[i])
					}
				}
			}
		}
	})
}

// alexnetConvs are torchvision AlexNet's five convolutions at 224×224.
var alexnetConvs = []struct {
	name string
	g    ConvGeom
	cout int
}{
	{"conv1", ConvGeom{C: 3, H: 224, W: 224, KH: 11, KW: 11, SH: 4, SW: 4, PH: 2, PW: 2}, 64},
	{"conv2", ConvGeom{C: 64, H: 27, W: 27, KH: 5, KW: 5, SH: 1, SW: 1, PH: 2, PW: 2}, 192},
	{"conv3", ConvGeom{C: 192, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 384},
	{"conv4", ConvGeom{C: 384, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 256},
	{"conv5", ConvGeom{C: 256, H: 13, W: 13, KH: 3, KW: 3, SH: 1, SW: 1, PH: 1, PW: 1}, 256},
}

// BenchmarkConv times each AlexNet convolution on one thread for every
// registered architecture (ReLU fused), per image, with as many images per
// GEMM as ConvBatch uses.
func BenchmarkConv(b *testing.B) {
	defer UseSgemm(ActiveSgemm())
	for _, impl := range SgemmImpls() {
		if impl == "naive" {
			continue
		}
		for _, c := range alexnetConvs {
			b.Run(impl+"/"+c.name, func(b *testing.B) {
				if err := UseSgemm(impl); err != nil {
					b.Fatal(err)
				}
				k := c.g.C * c.g.KH * c.g.KW
				n := c.g.OH() * c.g.OW()
				nb := imagesPerGemm(n, activeArch().nr)
				w := make([]float32, c.cout*k)
				x := make([]float32, nb*c.g.C*c.g.H*c.g.W)
				y := make([]float32, nb*c.cout*n)
				bias := make([]float32, c.cout)
				cw := PackConvWeights(w, c.cout, k, 1)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					Conv(c.g, cw, bias, x, y, nb, true, 1)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nb)/1e6, "ms/image")
				b.ReportMetric(2*float64(nb*c.cout*n*k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkIm2colPacker times packing one image's whole im2col into
// panels, per AlexNet convolution, in ns per packed element.
func BenchmarkIm2colPacker(b *testing.B) {
	for _, c := range alexnetConvs {
		b.Run(c.name, func(b *testing.B) {
			arch := activeArch()
			x := make([]float32, c.g.C*c.g.H*c.g.W)
			k, n := c.g.C*c.g.KH*c.g.KW, c.g.OH()*c.g.OW()
			var ci convInput
			ci.prepare(arch, c.g, x)
			pack := ci.packer()
			buf := make([]float32, arch.kc*panelLD(arch, arch.nc))
			for i := 0; i < b.N; i++ {
				for jc := 0; jc < n; jc += arch.nc {
					nc := min(arch.nc, n-jc)
					for pc := 0; pc < k; pc += arch.kc {
						pack(buf, panelLD(arch, nc), pc, min(arch.kc, k-pc), jc, nc)
					}
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(k*n), "ns/elem")
		})
	}
}
