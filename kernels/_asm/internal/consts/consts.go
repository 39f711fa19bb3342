// Package consts holds the constants that the generators and the Go code
// of the module both use, in one place: the generators read them here,
// and the command genconsts writes them into the Go packages as generated
// files (Files), so that the assembly and the Go code it serves cannot
// disagree.
package consts

// Tiles are the tile sizes of one ISA's SGEMM micro-kernels and
// dot-product (GEMV) kernels in kernels/_asm/gen.
type Tiles struct {
	MR         int // rows of the SGEMM tile (two vectors of columns)
	DotM, DotN int // rows of x and of w of the largest dot kernel
}

// AVX512Tiles and AVX2Tiles are the tile sizes of the AVX-512 and the
// AVX2 kernels.
var (
	AVX512Tiles = Tiles{MR: 14, DotM: 6, DotN: 4}
	AVX2Tiles   = Tiles{MR: 6, DotM: 3, DotN: 4}
)

// I8Tiles are the tile sizes of one ISA's int8 GEMM micro-kernels in
// kernels/_asm/geni8: MR rows by NP panels of 16 int32 columns.
type I8Tiles struct {
	MR, NP int
}

// AVX512I8Tiles and AVX2I8Tiles are the tile sizes of the VPDPBUSD
// (AVX-512 VNNI) and the AVX2 int8 kernels.
var (
	AVX512I8Tiles = I8Tiles{MR: 6, NP: 4}
	AVX2I8Tiles   = I8Tiles{MR: 4, NP: 1}
)

// Fixed-point constants of the islow inverse DCT of jidctint.c:
// FIX(x) = round(x * 2^ConstBits).
const (
	ConstBits = 13
	Pass1Bits = 2

	Fix0_298631336 = 2446
	Fix0_390180644 = 3196
	Fix0_541196100 = 4433
	Fix0_765366865 = 6270
	Fix0_899976223 = 7373
	Fix1_175875602 = 9633
	Fix1_501321110 = 12299
	Fix1_847759065 = 15137
	Fix1_961570560 = 16069
	Fix2_053119869 = 16819
	Fix2_562915447 = 20995
	Fix3_072711026 = 25172
)

// WinoAT4 and WinoAT6 are the output transforms Aᵀ (2×α) of the Winograd
// algorithms F(2×2, 3×3) (α = 4) and F(2×2, 5×5) (α = 6).
var (
	WinoAT4 = [][]float32{{1, 1, 1, 0}, {0, 1, -1, -1}}
	WinoAT6 = [][]float32{{1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 1}}
)

// Multipliers of the YCbCr->RGB conversion of jdcolor.c (SCALEBITS 16,
// FIX(x) = round(x * 2^16)), with their signs.
const (
	YccCrR = 91881  // FIX(1.40200): R from Cr
	YccCbB = 116130 // FIX(1.77200): B from Cb
	YccCrG = -46802 // -FIX(0.71414): G from Cr
	YccCbG = -22554 // -FIX(0.34414): G from Cb
)
