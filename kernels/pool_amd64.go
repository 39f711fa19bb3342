//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./genpool -pkg kernels -out ../pool_amd64.s -stubs ../pool_decl_amd64.go

// The assembly pooling and LRN row kernels and the stride-2
// deinterleave, where the CPU has them.
func init() {
	deinterleave2Vec.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F, avx512Deinterleave2)
	poolVariants.Register(cpuvariant.AVX2, cpu.X86.HasAVX2,
		&poolImpl{"avx2", avx2PoolHMax, avx2PoolVMax, avx2PoolLRN, argmaxGo})
	poolVariants.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ, // DQ: VFPCLASSPS
		&poolImpl{"avx512", avx512PoolHMax, avx512PoolVMax, avx512PoolLRN, avx512PoolArgmaxRow})
}

// avx512Masks packs the opmasks of a row's last vector of t < 16 outputs
// at stride s for the AVX-512 kernels: the outputs, and at stride 2 the
// low and high halves of a pair of vectors: floats 0 to 2t-2 where each
// window column is read from a pair of its own (k = 0), 0 to 2t+k-3 where
// one pair holds all k columns (the unrolled kernels, k 2 or 3).
func avx512Masks(s, t, k int) uint64 {
	m := uint64(1)<<t - 1
	if s == 2 && t > 0 {
		e := 2*t - 1
		if k > 0 {
			e = 2*t + k - 2
		}
		m |= (uint64(1)<<min(e, 16) - 1) << 16
		m |= (uint64(1)<<max(e-16, 0) - 1) << 32
	}
	return m
}

// avx2Masks[s-1][t] are avx512Masks(s, t, 0) for the 8-lane AVX2 kernels as
// VMASKMOVPS vectors, followed by the high-half mask of a full stride-2
// vector (7 lanes).
var avx2Masks = func() (ms [2][8][4][8]int32) {
	lanes := func(v *[8]int32, c int) {
		for i := range c {
			v[i] = -1
		}
	}
	for s := 1; s <= 2; s++ {
		for t := range 8 {
			m := &ms[s-1][t]
			lanes(&m[0], t)
			if s == 2 && t > 0 {
				lanes(&m[1], min(2*t-1, 8))
				lanes(&m[2], max(2*t-9, 0))
			}
			lanes(&m[3], 7)
		}
	}
	return ms
}()

type (
	hmax512 func(x *float32, ldx, rows, n, kw int, out *float32, ldo int, masks uint64)
	vmax512 func(x *float32, ldx, rows, n, kh, sh int, out *float32, ldo int, masks uint64)
	hmax2   func(x *float32, ldx, rows, n, kw int, out *float32, ldo int, masks *[4][8]int32)
	vmax2   func(x *float32, ldx, rows, n, kh, sh int, out *float32, ldo int, masks *[4][8]int32)
)

// The generated window-maximum kernels, [stride-1][unrolled] for hmax:
// index 2 and 3 for windows of 2 and 3, 0 for any other.
var (
	avx512HMaxes = [2][4]hmax512{{avx512HMax1, nil, avx512HMax1K2, avx512HMax1K3}, {avx512HMax2, nil, avx512HMax2K2, avx512HMax2K3}}
	avx512VMaxes = [4]vmax512{avx512VMax, nil, avx512VMaxK2, avx512VMaxK3}
	avx2HMaxes   = [2][4]hmax2{{avx2HMax1, nil, avx2HMax1K2, avx2HMax1K3}, {avx2HMax2, nil, avx2HMax2K2, avx2HMax2K3}}
	avx2VMaxes   = [4]vmax2{avx2VMax, nil, avx2VMaxK2, avx2VMaxK3}
)

// unrolled is the index of the kernel for a window of k in the tables above.
func unrolled(k int) int {
	if k == 2 || k == 3 {
		return k
	}
	return 0
}

// avx512PoolHMax is poolImpl.hmax for AVX-512 (strides 1 and 2; the portable
// loop otherwise).
func avx512PoolHMax(x []float32, ldx, rows, n, kw, sw int, out []float32, ldo int) {
	if hmaxVec(x, ldx, rows, n, kw, sw, out, ldo) {
		k := unrolled(kw)
		avx512HMaxes[sw-1][k](&x[0], ldx, rows, n, kw, &out[0], ldo, avx512Masks(sw, n%16, k))
	}
}

// avx2PoolHMax is poolImpl.hmax for AVX2 (strides 1 and 2; the portable loop
// otherwise).
func avx2PoolHMax(x []float32, ldx, rows, n, kw, sw int, out []float32, ldo int) {
	if hmaxVec(x, ldx, rows, n, kw, sw, out, ldo) {
		avx2HMaxes[sw-1][unrolled(kw)](&x[0], ldx, rows, n, kw, &out[0], ldo, &avx2Masks[sw-1][n%8])
	}
}

// hmaxVec reports whether a vector hmax kernel is to run on these
// operands, after checking that x and out hold what it reads and writes:
// not for an empty output, nor at strides above 2, which it runs through
// the portable loop.
func hmaxVec(x []float32, ldx, rows, n, kw, sw int, out []float32, ldo int) bool {
	if rows <= 0 || n <= 0 {
		return false
	}
	_, _ = x[(rows-1)*ldx+(n-1)*sw+kw-1], out[(rows-1)*ldo+n-1]
	if sw > 2 {
		hmaxGo(x, ldx, rows, n, kw, sw, out, ldo)
		return false
	}
	return true
}

// avx512PoolVMax is poolImpl.vmax for AVX-512.
func avx512PoolVMax(x []float32, ldx, rows, n, kh, sh int, out []float32, ldo int) {
	if vmaxVec(x, ldx, rows, n, kh, sh, out, ldo) {
		avx512VMaxes[unrolled(kh)](&x[0], ldx, rows, n, kh, sh, &out[0], ldo, avx512Masks(1, n%16, 0))
	}
}

// avx2PoolVMax is poolImpl.vmax for AVX2.
func avx2PoolVMax(x []float32, ldx, rows, n, kh, sh int, out []float32, ldo int) {
	if vmaxVec(x, ldx, rows, n, kh, sh, out, ldo) {
		avx2VMaxes[unrolled(kh)](&x[0], ldx, rows, n, kh, sh, &out[0], ldo, &avx2Masks[0][n%8])
	}
}

// vmaxVec reports whether a vector vmax kernel is to run on these
// operands (not for an empty output), after checking that x and out hold
// what it reads and writes.
func vmaxVec(x []float32, ldx, rows, n, kh, sh int, out []float32, ldo int) bool {
	if rows <= 0 || n <= 0 {
		return false
	}
	_, _ = x[((rows-1)*sh+kh-1)*ldx+n-1], out[(rows-1)*ldo+n-1]
	return true
}

// avx512PoolLRN is poolImpl.lrn075 for AVX-512.
func avx512PoolLRN(x []float32, ld, cnt int, xc, y []float32, n int, rsize, alpha, k float32) {
	if n <= 0 {
		return
	}
	_, _, _ = x[(cnt-1)*ld+n-1], xc[n-1], y[n-1]
	avx512LRN075(&x[0], ld, cnt, &xc[0], &y[0], n, rsize, alpha, k, avx512Masks(1, n%16, 0))
}

// avx2PoolLRN is poolImpl.lrn075 for AVX2.
func avx2PoolLRN(x []float32, ld, cnt int, xc, y []float32, n int, rsize, alpha, k float32) {
	if n <= 0 {
		return
	}
	_, _, _ = x[(cnt-1)*ld+n-1], xc[n-1], y[n-1]
	avx2LRN075(&x[0], ld, cnt, &xc[0], &y[0], n, rsize, alpha, k, &avx2Masks[0][n%8])
}

// avx512PoolArgmaxRow is poolImpl.argmax for AVX-512.
func avx512PoolArgmaxRow(x []float32, ldx int, y []float32, n, kh, kw, sw int, idx []int32) {
	if n <= 0 {
		return
	}
	_, _, _ = x[(kh-1)*ldx+(n-1)*sw+kw-1], y[n-1], idx[n-1]
	avx512PoolArgmax(&x[0], ldx, &y[0], n, kh, kw, sw, &idx[0])
}
