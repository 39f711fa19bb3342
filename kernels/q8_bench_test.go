package kernels

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// q8BenchShapes are requantization problems of the int8 layers: m rows of
// n output channels per call.
var q8BenchShapes = []struct{ m, n int }{{169, 384}, {55, 64}, {13, 4096}}

// benchRequant returns a prepared Requant of n columns with a zero point
// and a bias, and m×n sums.
func benchRequant(rng *rand.Rand, m, n int, relu bool) (*Requant, []int32) {
	r := &Requant{ZeroA: 3, ColSum: make([]int32, n), Scale: make([]float32, n), Bias: make([]float32, n),
		OutScale: 0.05, ZeroOut: 7, ReLU: relu}
	for j := range n {
		r.ColSum[j] = int32(rng.Intn(20001) - 10000)
		r.Scale[j] = float32(rng.ExpFloat64() * 1e-4)
		r.Bias[j] = float32(rng.NormFloat64())
	}
	r.Prepare()
	c := make([]int32, m*n)
	for i := range c {
		c[i] = int32(rng.Intn(200001) - 100000)
	}
	return r, c
}

// BenchmarkRequantizeU8 runs RequantizeU8 per variant (the portable loop is
// the twin) on q8BenchShapes, in bytes of sums per second.
func BenchmarkRequantizeU8(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range q8BenchShapes {
		r, c := benchRequant(rng, s.m, s.n, true)
		dst := make([]uint8, s.m*s.n)
		b.Run(fmt.Sprintf("%dx%d", s.m, s.n), func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				b.SetBytes(int64(4 * len(c)))
				for b.Loop() {
					RequantizeU8(dst, s.n, c, s.n, s.m, s.n, r)
				}
			})
		})
	}
}

// BenchmarkDequantizeF32 runs DequantizeF32 per variant on q8BenchShapes.
func BenchmarkDequantizeF32(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, s := range q8BenchShapes {
		r, c := benchRequant(rng, s.m, s.n, true)
		dst := make([]float32, s.m*s.n)
		b.Run(fmt.Sprintf("%dx%d", s.m, s.n), func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				b.SetBytes(int64(4 * len(c)))
				for b.Loop() {
					DequantizeF32(dst, s.n, c, s.n, s.m, s.n, r)
				}
			})
		})
	}
}

// BenchmarkQuantizeU8 runs QuantizeU8 per variant on an input image
// (3×224×224) and a 224×224 plane, in bytes of floats per second.
func BenchmarkQuantizeU8(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{150528, 50176} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		dst := make([]uint8, n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					QuantizeU8(dst, x, 1/0.0187, 114, 0, 255)
				}
			})
		})
	}
}

// BenchmarkMaxU8 runs MaxU8 per variant on vectors of channels (64 and
// 1152 bytes) and a longer one, in bytes of dst per second.
func BenchmarkMaxU8(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{64, 1152, 65536} {
		a, c, dst := make([]uint8, n), make([]uint8, n), make([]uint8, n)
		for i := range a {
			a[i], c[i] = uint8(rng.Intn(256)), uint8(rng.Intn(256))
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				b.SetBytes(int64(n))
				for b.Loop() {
					MaxU8(dst, a, c)
				}
			})
		})
	}
}

// im2colBenchShapes are Im2colU8 calls of AlexNet's int8 convolutions:
// the windows of 4 output rows of conv1 (11×11×3, stride 4, over 224+2·2
// padded columns), of 8 of conv2 (5×5×64 over 27+2·2) and all of conv4's
// (3×3×384 over 13+2), into rows of k·k·C bytes rounded up to 4.
var im2colBenchShapes = []struct {
	name                     string
	ldd, step, row, kc, k, n int
}{
	{"conv1", 364, 12, 228 * 3, 33, 11, 220},
	{"conv2", 1600, 64, 31 * 64, 320, 5, 216},
	{"conv4", 3456, 384, 15 * 384, 1152, 3, 169},
}

// BenchmarkIm2colU8 runs Im2colU8 per variant on im2colBenchShapes, in
// bytes of dst written per second.
func BenchmarkIm2colU8(b *testing.B) {
	for _, s := range im2colBenchShapes {
		dst := make([]uint8, s.n*s.ldd)
		src := make([]uint8, (s.n-1)*s.step+(s.k-1)*s.row+s.kc)
		b.Run(s.name, func(b *testing.B) {
			cpuvariant.ForEach(b, func(b *testing.B) {
				b.SetBytes(int64(s.n * s.k * s.kc))
				for b.Loop() {
					Im2colU8(dst, s.ldd, src, s.step, s.row, s.kc, s.k, s.n)
				}
			})
		})
	}
}
