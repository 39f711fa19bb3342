package kernels

import (
	"fmt"
	"math"
	"math/rand"
	"slices"
	"testing"
	"unsafe"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// TestQ8Variants checks that every variant runs its own q8 kernels, the
// portable ones for "blocked" and "naive".
func TestQ8Variants(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		want := cpuvariant.Active()
		if want == cpuvariant.Naive || want == cpuvariant.Portable {
			want = "portable"
		}
		if got := q8Variants.Get().name; got != want {
			t.Errorf("variant %s runs the %s q8 kernels", cpuvariant.Active(), got)
		}
	})
}

// guardedBytes returns n bytes that end where readable memory ends where
// the platform allows it (see guardedSlice).
func guardedBytes(t testing.TB, n int) []uint8 {
	f := guardedSlice(t, (n+3)/4)
	if len(f) == 0 {
		return []uint8{}
	}
	b := unsafe.Slice((*uint8)(unsafe.Pointer(&f[0])), 4*len(f))
	return b[len(b)-n:]
}

// guardedInt32s is guardedSlice for int32s.
func guardedInt32s(t testing.TB, n int) []int32 {
	f := guardedSlice(t, n)
	if len(f) == 0 {
		return []int32{}
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&f[0])), n)
}

// q8Guard is how many guard elements surround an output buffer.
const q8Guard = 67

// guardedOut returns n elements of a buffer whose other elements are
// random guard values, the whole buffer (to compare with a reference run
// on a copy) and a check that the guards are intact.
func guardedOut[T any](rng *rand.Rand, n int, fill func(*rand.Rand) T) (out, buf []T, intact func() bool) {
	buf = make([]T, n+2*q8Guard)
	for i := range buf {
		buf[i] = fill(rng)
	}
	before := slices.Clone(buf)
	return buf[q8Guard : q8Guard+n], buf, func() bool {
		return bitsEqual(buf[:q8Guard], before[:q8Guard]) && bitsEqual(buf[q8Guard+n:], before[q8Guard+n:])
	}
}

// bitsEqual compares a and b bit for bit (NaNs included).
func bitsEqual[T any](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 {
		return true
	}
	size := int(unsafe.Sizeof(a[0])) * len(a)
	return string(unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), size)) == string(unsafe.Slice((*byte)(unsafe.Pointer(&b[0])), size))
}

func randByte(rng *rand.Rand) uint8 { return uint8(rng.Intn(256)) }

func randF32Guard(rng *rand.Rand) float32 { return math.Float32frombits(rng.Uint32()) }

// q8Lengths are the lengths the tests sweep: every remainder of the
// vectors and unrolled steps, and a few longer runs.
func q8Lengths() []int {
	var ns []int
	for n := 0; n <= 70; n++ {
		ns = append(ns, n)
	}
	return append(ns, 127, 128, 255, 256, 257, 1027)
}

// quantizeInputs returns n floats for QuantizeU8 with inv: products in
// and past the clamp range, ties (k + 0.5 before rounding), ±0, ±Inf,
// NaNs, huge and subnormal values.
func quantizeInputs(rng *rand.Rand, x []float32, inv float32) {
	special := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.Float32frombits(0xffc00002), math.Float32frombits(0x7f800003),
		math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 1e10, -1e10, 3e9, -3e9}
	for i := range x {
		switch r := rng.Intn(100); {
		case r < 10:
			x[i] = special[rng.Intn(len(special))]
		case r < 40: // a tie, or its neighbour where k+0.5 is not a product
			x[i] = float32((float64(rng.Intn(600)-300) + 0.5) / float64(inv))
		case r < 50:
			x[i] = float32(rng.Intn(600)-300) / inv
		default:
			x[i] = float32(rng.NormFloat64()*150) / inv
		}
	}
}

// TestQuantizeU8Impls compares every variant of QuantizeU8 with its
// portable loop bit for bit over lengths 0 to 70 and longer, unaligned
// operands, scales, zero points and ranges (out-of-contract ranges run the
// portable loop), with guard bytes around dst.
func TestQuantizeU8Impls(t *testing.T) {
	params := []struct {
		inv            float32
		zp, qmin, qmax int32
	}{
		{1 / 0.02, 0, 0, 255}, {0.5, 128, 0, 255}, {4, 10, 0, 255}, {1 / 0.0173, 37, 37, 255},
		{2, 255, 0, 255}, {1, 3, 2, 200}, {1 / 3.0, 0, 0, 0}, {float32(math.Inf(1)), 5, 0, 255},
		{0, 9, 0, 255}, {float32(math.NaN()), 9, 0, 255}, {-0.25, 100, 0, 255},
		{1, 300, 0, 255}, {1, 0, -5, 255}, {1, 2, 3, 250}, // outside the contract
	}
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(1))
		for _, p := range params {
			for _, n := range q8Lengths() {
				x := guardedSlice(t, n)
				quantizeInputs(rng, x, p.inv)
				dst, buf, intact := guardedOut(rng, n, randByte)
				want := slices.Clone(buf)
				quantizeGo(want[q8Guard:q8Guard+n], x, p.inv, p.zp, p.qmin, p.qmax)
				QuantizeU8(dst, x, p.inv, p.zp, p.qmin, p.qmax)
				if !intact() {
					t.Fatalf("%+v n=%d: guard bytes overwritten", p, n)
				}
				if i := slices.Compare(buf, want); i != 0 {
					for j := range x {
						if dst[j] != want[q8Guard+j] {
							t.Fatalf("%+v n=%d: dst[%d] = %d, want %d (x = %v, x·inv = %v)", p, n, j, dst[j], want[q8Guard+j], x[j], x[j]*p.inv)
						}
					}
				}
			}
		}
	})
}

// TestMaxU8Impls compares every variant of MaxU8 with its portable loop
// over lengths 0 to 300 and longer, with dst apart from, a or b, and
// guard bytes around dst.
func TestMaxU8Impls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(2))
		lengths := []int{1152, 4099}
		for n := 0; n <= 300; n++ {
			lengths = append(lengths, n)
		}
		for _, n := range lengths {
			a, b := guardedBytes(t, n), guardedBytes(t, n+rng.Intn(3)) // b may be longer
			for i := range a {
				a[i] = randByte(rng)
			}
			for i := range b {
				b[i] = randByte(rng)
				if rng.Intn(4) == 0 && i < n {
					b[i] = a[i]
				}
			}
			want := make([]uint8, n)
			maxU8Go(want, a, b)
			dst, _, intact := guardedOut(rng, n, randByte)
			MaxU8(dst, a, b)
			if !intact() || !slices.Equal(dst, want) {
				t.Fatalf("n=%d: MaxU8 = %v, want %v (guards intact: %v)", n, dst, want, intact())
			}
			for _, alias := range []string{"a", "b"} {
				buf := make([]uint8, n+2*q8Guard)
				for i := range buf {
					buf[i] = randByte(rng)
				}
				d, other := buf[q8Guard:q8Guard+n], b[:n]
				copy(d, a)
				if alias == "b" {
					copy(d, b)
					other = a
				}
				want := slices.Concat(buf[:q8Guard], want, buf[q8Guard+n:])
				MaxU8(d, d, other)
				if !slices.Equal(buf, want) {
					t.Fatalf("n=%d, dst = %s: MaxU8 differs from the portable loop", n, alias)
				}
			}
		}
	})
}

// requantCase is a RequantizeU8 or DequantizeF32 problem: m×n sums in c
// (row stride ldc) into rows ldd apart.
type requantCase struct {
	m, n, ldc, ldd int
	c              []int32
	r              Requant
}

func (rc requantCase) String() string {
	r := rc.r
	return fmt.Sprintf("m=%d n=%d ldc=%d ldd=%d ZeroA=%d ZeroOut=%d ReLU=%v bias=%v prepared=%v",
		rc.m, rc.n, rc.ldc, rc.ldd, r.ZeroA, r.ZeroOut, r.ReLU, r.Bias != nil, r.prep != nil)
}

// requantCases returns problems of every n from 0 to 70 and longer, with
// strides past n, random sums and column sums (int32 extremes included,
// whose differences wrap), biases or none, zero points (ZeroOut outside
// [0, 255], and scales of 0, NaN or Inf, running the portable loop; for
// DequantizeF32 they give NaN and -0 sums), the ReLU or
// none, prepared or not; and problems built to hit ties (x·mult = k+0.5).
func requantCases(rng *rand.Rand, t testing.TB) []requantCase {
	var cases []requantCase
	zeroOuts := []int32{0, 0, 7, 128, 255, 300, -3}
	ns := q8Lengths()
	for k, n := range ns {
		m := 1 + rng.Intn(4)
		if n > 256 {
			m = 2
		}
		rc := requantCase{m: m, n: n, ldc: n + rng.Intn(5), ldd: n + rng.Intn(9)}
		rc.c = guardedInt32s(t, max((m-1)*rc.ldc+n, 0))
		tie := k%5 == 4
		for i := range rc.c {
			switch r := rng.Intn(100); {
			case r < 3:
				rc.c[i] = []int32{math.MinInt32, math.MaxInt32, math.MinInt32 + 1, 1 << 24, 1<<24 + 1}[rng.Intn(5)]
			case r < 20 || tie:
				rc.c[i] = int32(rng.Intn(2001) - 1000)
			default:
				rc.c[i] = rng.Int31() >> rng.Intn(31) * int32(1-2*rng.Intn(2))
			}
		}
		r := &rc.r
		r.ReLU = rng.Intn(2) == 0
		r.ZeroOut = zeroOuts[rng.Intn(len(zeroOuts))]
		if rng.Intn(3) == 0 {
			r.OutMax = 127 // fbgemm's reduce_range
			r.ZeroOut = min(r.ZeroOut, 127)
		}
		r.Scale = make([]float32, n)
		if rng.Intn(2) == 0 {
			r.ZeroA = int32(rng.Intn(256))
			r.ColSum = make([]int32, n)
			for j := range r.ColSum {
				r.ColSum[j] = rng.Int31() >> rng.Intn(31) * int32(1-2*rng.Intn(2))
				if tie {
					r.ColSum[j] = int32(rng.Intn(201) - 100)
				}
			}
		}
		if rng.Intn(3) > 0 {
			r.Bias = make([]float32, n)
		}
		r.OutScale = float32(math.Ldexp(1, -rng.Intn(12)))
		for j := range n {
			switch {
			case tie: // mult = 1/2 or bq = 1/2 with mult = 1
				r.Scale[j] = r.OutScale * float32(1+rng.Intn(2)) / 2
				if r.Bias != nil {
					r.Bias[j] = r.Scale[j] * float32(rng.Intn(5)-2) / 2
				}
			default:
				r.Scale[j] = float32(rng.ExpFloat64() * 1e-4)
				if r.Bias != nil {
					r.Bias[j] = float32(rng.NormFloat64())
				}
			}
		}
		if n > 0 && k%7 == 6 { // bq or mult Inf or NaN
			j := rng.Intn(n)
			r.Scale[j] = 0 // with Bias -0, -0 sums where acc < 0
			if r.Bias != nil {
				r.Bias[j] = float32(math.Copysign(0, -1))
			}
			r.Scale[rng.Intn(n)] = float32(math.NaN())
			r.Scale[rng.Intn(n)] = float32(math.Inf(1))
		}
		if rng.Intn(2) == 0 {
			r.Prepare()
		}
		cases = append(cases, rc)
	}
	return cases
}

// TestRequantizeU8Impls compares every variant of RequantizeU8 with its
// portable loop bit for bit (see requantCases), the bytes between rows
// and the guard bytes around the rows untouched.
func TestRequantizeU8Impls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(3))
		for _, rc := range requantCases(rng, t) {
			size := max((rc.m-1)*rc.ldd+rc.n, 0)
			dst, buf, intact := guardedOut(rng, size, randByte)
			want := slices.Clone(buf)
			lo, hi := int32(0), int32(255)
			if rc.r.ReLU {
				lo = max(rc.r.ZeroOut, 0)
			}
			if rc.r.OutMax > 0 {
				hi = rc.r.OutMax
			}
			if rc.m > 0 && rc.n > 0 {
				requantGo(want[q8Guard:], rc.ldd, rc.c, rc.ldc, rc.m, rc.n, rc.r.terms(), rc.r.ZeroOut, lo, hi)
			}
			RequantizeU8(dst, rc.ldd, rc.c, rc.ldc, rc.m, rc.n, &rc.r)
			if !intact() {
				t.Fatalf("%v: guard bytes overwritten", rc)
			}
			if !slices.Equal(buf, want) {
				for k := range dst {
					if dst[k] != want[q8Guard+k] {
						i, j := k/rc.ldd, k%rc.ldd
						t.Fatalf("%v: dst[%d, %d] = %d, want %d", rc, i, j, dst[k], want[q8Guard+k])
					}
				}
			}
		}
	})
}

// TestDequantizeF32Impls compares every variant of DequantizeF32 with
// its portable loop bit for bit (see requantCases), the floats between
// rows and the guards around the rows untouched.
func TestDequantizeF32Impls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(4))
		for _, rc := range requantCases(rng, t) {
			size := max((rc.m-1)*rc.ldd+rc.n, 0)
			dst, buf, intact := guardedOut(rng, size, randF32Guard)
			want := slices.Clone(buf)
			if rc.m > 0 && rc.n > 0 {
				dequantGo(want[q8Guard:], rc.ldd, rc.c, rc.ldc, rc.m, rc.n, rc.r.terms(), rc.r.ReLU)
			}
			DequantizeF32(dst, rc.ldd, rc.c, rc.ldc, rc.m, rc.n, &rc.r)
			if !intact() {
				t.Fatalf("%v: guards overwritten", rc)
			}
			if !bitsEqual(buf, want) {
				k := firstBitDiff(dst, want[q8Guard:q8Guard+size])
				t.Fatalf("%v: dst[%d, %d] = %v, want %v", rc, k/rc.ldd, k%rc.ldd, dst[k], want[q8Guard+k])
			}
		}
	})
}

// im2colCase is an Im2colU8 problem: n windows of k rows of kc bytes.
type im2colCase struct{ ldd, step, row, kc, k, n, off int }

func (c im2colCase) String() string {
	return fmt.Sprintf("kc=%d k=%d n=%d step=%d row=%d ldd=%d dst at +%d", c.kc, c.k, c.n, c.step, c.row, c.ldd, c.off)
}

// im2colCases returns problems of every kc from 1 to 70 and the rows of
// AlexNet's convolutions, each with every k from 1 to 11: windows
// overlapping (step < kc, as conv1's) or apart, rows overlapping or
// apart, dst's rows adjacent or with bytes between them, at every
// alignment.
func im2colCases(rng *rand.Rand) []im2colCase {
	var cases []im2colCase
	kcs := q8Lengths()[1:71]
	kcs = append(kcs, 127, 128, 320, 576, 1152)
	for _, kc := range kcs {
		for k := 1; k <= 11; k++ {
			c := im2colCase{kc: kc, k: k, n: 1 + rng.Intn(6), off: rng.Intn(64)}
			c.ldd = k * kc
			if rng.Intn(3) > 0 {
				c.ldd += 1 + rng.Intn(70)
			}
			c.step = rng.Intn(2 * kc)
			c.row = kc + rng.Intn(kc+3)
			if rng.Intn(4) == 0 {
				c.row = rng.Intn(kc)
			}
			cases = append(cases, c)
		}
	}
	return cases
}

// TestIm2colU8Impls compares every variant of Im2colU8 with its portable
// loop byte for byte (see im2colCases): src ends where readable memory
// ends, so that a read past it faults, and the bytes of dst's buffer
// outside its rows (the guards before and after, and those between rows)
// must stay as they were.
func TestIm2colU8Impls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(5))
		for _, c := range im2colCases(rng) {
			src := guardedBytes(t, (c.n-1)*c.step+(c.k-1)*c.row+c.kc)
			for i := range src {
				src[i] = randByte(rng)
			}
			size := c.off + (c.n-1)*c.ldd + c.k*c.kc
			out, buf, intact := guardedOut(rng, size, randByte)
			want := slices.Clone(buf)
			im2colU8Go(want[q8Guard+c.off:], c.ldd, src, c.step, c.row, c.kc, c.k, c.n)
			Im2colU8(out[c.off:], c.ldd, src, c.step, c.row, c.kc, c.k, c.n)
			if !intact() {
				t.Fatalf("%v: guard bytes overwritten", c)
			}
			if i := firstByteDiff(buf, want); i >= 0 {
				i -= q8Guard + c.off
				p, j := i/c.ldd, i%c.ldd
				t.Fatalf("%v: dst[%d] (window %d, byte %d of its row) = %d, want %d", c, i, p, j, buf[q8Guard+c.off+i], want[q8Guard+c.off+i])
			}
		}
	})
}

// firstByteDiff returns the first index where a and b differ, or -1.
func firstByteDiff(a, b []uint8) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// TestIm2colU8Panics checks that Im2colU8 panics on a dst or src one
// byte short, on ldd < k·kc and on a negative stride, and does nothing
// when n, k or kc is 0.
func TestIm2colU8Panics(t *testing.T) {
	const ldd, step, row, kc, k, n = 40, 8, 50, 13, 3, 4
	dstLen, srcLen := (n-1)*ldd+k*kc, (n-1)*step+(k-1)*row+kc
	cpuvariant.ForEach(t, func(t *testing.T) {
		for _, c := range []struct {
			name                     string
			dst, src                 int
			ldd, step, row, kc, k, n int
		}{
			{"dst short", dstLen - 1, srcLen, ldd, step, row, kc, k, n},
			{"src short", dstLen, srcLen - 1, ldd, step, row, kc, k, n},
			{"ldd < k·kc", dstLen, srcLen, k*kc - 1, step, row, kc, k, n},
			{"step < 0", dstLen, srcLen, ldd, -1, row, kc, k, n},
			{"row < 0", dstLen, srcLen, ldd, step, -1, kc, k, n},
			{"overflow", dstLen, srcLen, ldd, math.MaxInt / 2, row, kc, k, n},
		} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%s: Im2colU8 did not panic", c.name)
					}
				}()
				Im2colU8(make([]uint8, c.dst), c.ldd, make([]uint8, c.src), c.step, c.row, c.kc, c.k, c.n)
			}()
		}
		Im2colU8(make([]uint8, dstLen), ldd, make([]uint8, srcLen), step, row, kc, k, n)
		for _, z := range [][3]int{{0, k, n}, {kc, 0, n}, {kc, k, 0}} {
			Im2colU8(nil, ldd, nil, step, row, z[0], z[1], z[2])
		}
	})
}

// TestInterleave3U8Impls compares every variant of Interleave3U8 with a
// direct loop, for every length up to 100 and a 224-pixel row, the planes
// ending at unreadable memory and dst between guard bytes.
func TestInterleave3U8Impls(t *testing.T) {
	cpuvariant.ForEach(t, func(t *testing.T) {
		rng := rand.New(rand.NewSource(5))
		lengths := []int{224, 1000}
		for n := 0; n <= 100; n++ {
			lengths = append(lengths, n)
		}
		for _, n := range lengths {
			planes := [3][]uint8{}
			for c := range planes {
				planes[c] = guardedBytes(t, n)
				for i := range planes[c] {
					planes[c][i] = randByte(rng)
				}
			}
			dst, _, intact := guardedOut(rng, 3*n, randByte)
			Interleave3U8(dst, planes[0], planes[1], planes[2])
			if !intact() {
				t.Fatalf("n=%d: guard bytes overwritten", n)
			}
			for i := range 3 * n {
				if want := planes[i%3][i/3]; dst[i] != want {
					t.Fatalf("n=%d: dst[%d] = %d, want %d (plane %d, pixel %d)", n, i, dst[i], want, i%3, i/3)
				}
			}
		}
	})
}
