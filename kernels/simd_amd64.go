//go:build !purego

package kernels

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run -C _asm ./gen -pkg kernels -out ../simd_amd64.s -stubs ../simd_decl_amd64.go
//go:generate go run -C _asm ./genconsts -set kernels -out ../simd_consts_amd64.go

// The tile sizes of the generated kernels, avx512MR, avx2MR, avx512DotM,
// avx512DotN, avx2DotM and avx2DotN, are in simd_consts_amd64.go, written
// from kernels/_asm/internal/consts, which the generator reads.

type gemmAsm func(kc int, a, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)
type gemmRawAsm func(kc int, a *float32, lda int, b *float32, ldb int, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)
type gemmOffAsm func(kc int, a, b *float32, offs *int32, c *float32, ldc int, rb, cb *float32, flags int, mask uint32)
type dotAsm func(k int, x *float32, ldx int, w *float32, ldw int, out *float32, ldo int)

var (
	avx512Gemms = [...]gemmAsm{avx512Gemm1, avx512Gemm2, avx512Gemm3, avx512Gemm4, avx512Gemm5,
		avx512Gemm6, avx512Gemm7, avx512Gemm8, avx512Gemm9, avx512Gemm10, avx512Gemm11,
		avx512Gemm12, avx512Gemm13, avx512Gemm14}
	avx2Gemms      = [...]gemmAsm{avx2Gemm1, avx2Gemm2, avx2Gemm3, avx2Gemm4, avx2Gemm5, avx2Gemm6}
	avx512GemmRaws = [...]gemmRawAsm{avx512GemmRaw1, avx512GemmRaw2, avx512GemmRaw3, avx512GemmRaw4,
		avx512GemmRaw5, avx512GemmRaw6, avx512GemmRaw7, avx512GemmRaw8, avx512GemmRaw9, avx512GemmRaw10,
		avx512GemmRaw11, avx512GemmRaw12, avx512GemmRaw13, avx512GemmRaw14}
	avx512GemmOffs = [...]gemmOffAsm{avx512GemmOff1, avx512GemmOff2, avx512GemmOff3, avx512GemmOff4,
		avx512GemmOff5, avx512GemmOff6, avx512GemmOff7, avx512GemmOff8, avx512GemmOff9, avx512GemmOff10,
		avx512GemmOff11, avx512GemmOff12, avx512GemmOff13, avx512GemmOff14}
	avx2GemmRaws = [...]gemmRawAsm{avx2GemmRaw1, avx2GemmRaw2, avx2GemmRaw3, avx2GemmRaw4, avx2GemmRaw5, avx2GemmRaw6}
	avx512Dots   = [avx512DotM][avx512DotN]dotAsm{
		{avx512Dot1x1, avx512Dot1x2, avx512Dot1x3, avx512Dot1x4},
		{avx512Dot2x1, avx512Dot2x2, avx512Dot2x3, avx512Dot2x4},
		{avx512Dot3x1, avx512Dot3x2, avx512Dot3x3, avx512Dot3x4},
		{avx512Dot4x1, avx512Dot4x2, avx512Dot4x3, avx512Dot4x4},
		{avx512Dot5x1, avx512Dot5x2, avx512Dot5x3, avx512Dot5x4},
		{avx512Dot6x1, avx512Dot6x2, avx512Dot6x3, avx512Dot6x4},
	}
	avx2Dots = [avx2DotM][avx2DotN]dotAsm{
		{avx2Dot1x1, avx2Dot1x2, avx2Dot1x3, avx2Dot1x4},
		{avx2Dot2x1, avx2Dot2x2, avx2Dot2x3, avx2Dot2x4},
		{avx2Dot3x1, avx2Dot3x2, avx2Dot3x3, avx2Dot3x4},
	}
)

var (
	avx512Arch = &microArch{name: "avx512", mr: avx512MR, nr: 32, kc: 256, nc: 512,
		gemm: avx512Gemm, gemmRaw: avx512GemmRaw, gemmOff: avx512GemmOff, copyRows: avx512CopyRowsChecked, dot: dotFunc(avx512Dots[:]), dotM: avx512DotM, dotN: avx512DotN, lanes: 16}
	avx2Arch = &microArch{name: "avx2", mr: avx2MR, nr: 16, kc: 256, nc: 512,
		gemm: avx2Gemm, gemmRaw: avx2GemmRaw, dot: dotFunc(avx2Dots[:]), dotM: avx2DotM, dotN: avx2DotN, lanes: 8}
)

// avx512Gemm is microArch.gemm for the AVX-512 14×32 kernels: partial
// columns are masked in the kernel.
func avx512Gemm(m, n, kc int, a, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int) {
	_, _, _, _ = a[kc*avx512MR-1], b[(kc-1)*ldb+31], rb[m-1], cb[31]
	avx512Gemms[m-1](kc, &a[0], &b[0], ldb, &c[0], ldc, &rb[0], &cb[0], flags, uint32(1<<n-1))
}

// avx512GemmOff is microArch.gemmOff for the AVX-512 kernels, after
// checking that every row of b it reads (32 floats from each offset, the
// masked lanes included) lies in b and that c holds the tile.
func avx512GemmOff(m, n, kc int, a, b []float32, rows *offsetRows, p0 int, c []float32, ldc int, rb, cb []float32, flags int) {
	_, _, _, _, _ = a[kc*avx512MR-1], rows.offs[p0+kc-1], rb[m-1], cb[31], c[(m-1)*ldc+n-1]
	_ = b[rows.max+31]
	avx512GemmOffs[m-1](kc, &a[0], &b[0], &rows.offs[p0], &c[0], ldc, &rb[0], &cb[0], flags, uint32(1<<n-1))
}

// avx512GemmRaw is microArch.gemmRaw for the AVX-512 kernels.
func avx512GemmRaw(m, n, kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int) {
	_, _, _, _ = a[(m-1)*lda+kc-1], b[(kc-1)*ldb+31], rb[m-1], cb[31]
	avx512GemmRaws[m-1](kc, &a[0], lda, &b[0], ldb, &c[0], ldc, &rb[0], &cb[0], flags, uint32(1<<n-1))
}

// avx2GemmRaw is microArch.gemmRaw for the AVX2 kernels.
func avx2GemmRaw(m, n, kc int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int) {
	_, _, _, _ = a[(m-1)*lda+kc-1], b[(kc-1)*ldb+15], rb[m-1], cb[15]
	if n == 16 {
		avx2GemmRaws[m-1](kc, &a[0], lda, &b[0], ldb, &c[0], ldc, &rb[0], &cb[0], flags, 0)
		return
	}
	var t [avx2MR * 16]float32
	for i := 0; i < m; i++ {
		copy(t[i*16:i*16+n], c[i*ldc:i*ldc+n])
	}
	avx2GemmRaws[m-1](kc, &a[0], lda, &b[0], ldb, &t[0], 16, &rb[0], &cb[0], flags, 0)
	for i := 0; i < m; i++ {
		copy(c[i*ldc:i*ldc+n], t[i*16:i*16+n])
	}
}

// avx512CopyRowsChecked is microArch.copyRows: avx512CopyRows after
// checking that d and src hold what it reads and writes.
func avx512CopyRowsChecked(d, src []float32, step, ow, ox, n int) {
	if n == 0 {
		return
	}
	last := ox + n - 1 // src index of the last element copied
	if first := ow - ox; n > first {
		rows := (n - first + ow - 1) / ow
		last = rows*step + (n - first - (rows-1)*ow) - 1
	}
	_, _ = d[n-1], src[last]
	avx512CopyRows(&d[0], &src[0], step, ow, ox, n)
}

func init() {
	avx512Arch.wino[4] = winoKernels{avx512WinoInputChecked, avx512WinoOutputChecked}
	avx512Arch.wino[6] = winoKernels{avx512WinoInput6Checked, avx512WinoOutput6Checked}
}

// avx512WinoInputChecked is winoInputFunc for α = 4: avx512WinoInput after
// checking the extent of what it reads and writes.
func avx512WinoInputChecked(v []float32, xiStride int, src []float32, rowStride, phase, n int, _ []float32) {
	_, _ = v[15*xiStride+n-1], src[3*rowStride+phase+n]
	avx512WinoInput(&v[0], xiStride, &src[0], rowStride, phase, uint32(1)<<n-1)
}

// avx512WinoInput6Checked is winoInputFunc for α = 6.
func avx512WinoInput6Checked(v []float32, xiStride int, src []float32, rowStride, phase, n int, tmp []float32) {
	_, _, _ = v[35*xiStride+n-1], src[5*rowStride+phase+n+1], tmp[36*16-1]
	avx512WinoInput6(&v[0], xiStride, &src[0], rowStride, phase, uint32(1)<<n-1, &tmp[0])
}

// winoOutputArgs checks what a Winograd output kernel touches (the GEMM
// results are read as whole vectors) and returns its column masks.
func winoOutputArgs(nx int, m []float32, xiStride int, out []float32, ow int, bias []float32, flags, cols int) uint32 {
	_, _, _ = m[(nx-1)*xiStride+15], out[cols-1], bias[0]
	if flags&2 != 0 {
		_ = out[ow+cols-1]
	}
	lo, hi := min(cols, 16), max(cols-16, 0)
	return uint32(1)<<lo - 1 | (uint32(1)<<hi-1)<<16
}

// avx512WinoOutputChecked is winoOutputFunc for α = 4.
func avx512WinoOutputChecked(m []float32, xiStride int, out []float32, ow int, bias []float32, flags, cols int) {
	mask := winoOutputArgs(16, m, xiStride, out, ow, bias, flags, cols)
	avx512WinoOutput(&m[0], xiStride, &out[0], ow, &bias[0], flags, mask)
}

// avx512WinoOutput6Checked is winoOutputFunc for α = 6.
func avx512WinoOutput6Checked(m []float32, xiStride int, out []float32, ow int, bias []float32, flags, cols int) {
	mask := winoOutputArgs(36, m, xiStride, out, ow, bias, flags, cols)
	avx512WinoOutput6(&m[0], xiStride, &out[0], ow, &bias[0], flags, mask)
}

// avx2Gemm is microArch.gemm for the AVX2 6×16 kernels: partial columns go
// through a full tile on the stack.
func avx2Gemm(m, n, kc int, a, b []float32, ldb int, c []float32, ldc int, rb, cb []float32, flags int) {
	_, _, _, _ = a[kc*avx2MR-1], b[(kc-1)*ldb+15], rb[m-1], cb[15]
	if n == 16 {
		avx2Gemms[m-1](kc, &a[0], &b[0], ldb, &c[0], ldc, &rb[0], &cb[0], flags, 0)
		return
	}
	var t [avx2MR * 16]float32
	for i := 0; i < m; i++ {
		copy(t[i*16:i*16+n], c[i*ldc:i*ldc+n])
	}
	avx2Gemms[m-1](kc, &a[0], &b[0], ldb, &t[0], 16, &rb[0], &cb[0], flags, 0)
	for i := 0; i < m; i++ {
		copy(c[i*ldc:i*ldc+n], t[i*16:i*16+n])
	}
}

// dotFunc adapts a table of generated dot kernels to microArch.dot.
func dotFunc[T ~[4]dotAsm](table []T) func(m, n, k int, x []float32, ldx int, w []float32, ldw int, out []float32, ldo int) {
	return func(m, n, k int, x []float32, ldx int, w []float32, ldw int, out []float32, ldo int) {
		_, _, _ = x[(m-1)*ldx+k-1], w[(n-1)*ldw+k-1], out[(m-1)*ldo+n-1]
		table[m-1][n-1](k, unsafe.SliceData(x), ldx, unsafe.SliceData(w), ldw, &out[0], ldo)
	}
}

func init() {
	registerArch(avx2Arch, cpu.X86.HasAVX2 && cpu.X86.HasFMA)
	registerArch(avx512Arch, cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ && cpu.X86.HasBMI2)
}
