//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

//go:generate go run -C _asm ./geni8 -pkg kernels -out ../i8_amd64.s -stubs ../i8_decl_amd64.go
//go:generate go run -C _asm ./genconsts -set i8 -out ../i8_consts_amd64.go

// The tile sizes of the generated int8 kernels, i8Avx512MR, i8Avx512NP and
// i8Avx2MR, are in i8_consts_amd64.go, written from
// kernels/_asm/internal/consts, which the generator reads.

type (
	i8Avx512Asm func(kg int, a *uint8, lda int, b *int8, ps int, c *int32, ldc int, accum int, mask uint32)
	i8Avx2Asm   func(kg int, a *uint8, lda int, b *int8, c *int32, ldc int, accum int)
)

var (
	i8Avx512Gemms = [i8Avx512MR][i8Avx512NP]i8Avx512Asm{
		{i8Avx512Gemm1x1, i8Avx512Gemm1x2, i8Avx512Gemm1x3, i8Avx512Gemm1x4},
		{i8Avx512Gemm2x1, i8Avx512Gemm2x2, i8Avx512Gemm2x3, i8Avx512Gemm2x4},
		{i8Avx512Gemm3x1, i8Avx512Gemm3x2, i8Avx512Gemm3x3, i8Avx512Gemm3x4},
		{i8Avx512Gemm4x1, i8Avx512Gemm4x2, i8Avx512Gemm4x3, i8Avx512Gemm4x4},
		{i8Avx512Gemm5x1, i8Avx512Gemm5x2, i8Avx512Gemm5x3, i8Avx512Gemm5x4},
		{i8Avx512Gemm6x1, i8Avx512Gemm6x2, i8Avx512Gemm6x3, i8Avx512Gemm6x4},
	}
	i8Avx2Gemms = [i8Avx2MR]i8Avx2Asm{i8Avx2Gemm1, i8Avx2Gemm2, i8Avx2Gemm3, i8Avx2Gemm4}

	i8Avx512Arch = &i8Arch{name: "avx512", mr: i8Avx512MR, np: i8Avx512NP, tile: i8Avx512Tile}
	i8Avx2Arch   = &i8Arch{name: "avx2", mr: i8Avx2MR, np: 1, tile: i8Avx2Tile}
)

// b2i converts accum for the generated kernels.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// i8Avx512Tile is i8Arch.tile for the VPDPBUSD kernels: ⌈n/16⌉ panels, the
// columns of the last past n masked off.
func i8Avx512Tile(m, n, kg int, a []uint8, lda int, b []int8, ps int, c []int32, ldc int, accum bool) {
	np := (n + i8Panel - 1) / i8Panel
	_, _, _ = a[(m-1)*lda+4*kg-1], b[(np-1)*ps+64*kg-1], c[(m-1)*ldc+n-1]
	mask := uint32(1)<<(n-(np-1)*i8Panel) - 1
	i8Avx512Gemms[m-1][np-1](kg, &a[0], lda, &b[0], ps, &c[0], ldc, b2i(accum), mask)
}

// i8Avx2Tile is i8Arch.tile for the AVX2 kernels (one panel): a partial
// panel goes through a full tile on the stack.
func i8Avx2Tile(m, n, kg int, a []uint8, lda int, b []int8, _ int, c []int32, ldc int, accum bool) {
	_, _, _ = a[(m-1)*lda+4*kg-1], b[64*kg-1], c[(m-1)*ldc+n-1]
	if n == i8Panel {
		i8Avx2Gemms[m-1](kg, &a[0], lda, &b[0], &c[0], ldc, b2i(accum))
		return
	}
	var t [i8Avx2MR * i8Panel]int32
	for i := 0; i < m; i++ {
		copy(t[i*i8Panel:i*i8Panel+n], c[i*ldc:i*ldc+n])
	}
	i8Avx2Gemms[m-1](kg, &a[0], lda, &b[0], &t[0], i8Panel, b2i(accum))
	for i := 0; i < m; i++ {
		copy(c[i*ldc:i*ldc+n], t[i*i8Panel:i*i8Panel+n])
	}
}

func init() {
	i8Variants.Register(cpuvariant.AVX2, cpu.X86.HasAVX2, i8ArchImpl(i8Avx2Arch))
	i8Variants.Register(cpuvariant.AVX512, cpu.X86.HasAVX512F && cpu.X86.HasAVX512VNNI, i8ArchImpl(i8Avx512Arch))
}
