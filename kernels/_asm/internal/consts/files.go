package consts

// A Const is one constant of a generated file.
type Const struct {
	Name  string // its name in the Go package
	Value int
	Note  string // its line comment, or ""
}

// A Block is a const block of a generated file, with its doc comment.
type Block struct {
	Doc    string
	Consts []Const
}

// A Matrix is a [][]float32 variable of a generated file.
type Matrix struct {
	Name string
	Rows [][]float32
}

// A MatrixBlock is a var block of matrices, with its doc comment.
type MatrixBlock struct {
	Doc      string
	Matrices []Matrix
}

// A File is a generated Go file of constants.
type File struct {
	Pkg      string // package clause
	Build    string // build constraint, or ""
	Blocks   []Block
	Matrices []MatrixBlock
}

// Files are the generated files, by the name genconsts -set takes.
var Files = map[string]File{
	"kernels": {Pkg: "kernels", Build: "!purego", Blocks: []Block{{
		Doc: "Tile sizes of the generated SGEMM and dot-product kernels.",
		Consts: []Const{
			{"avx512MR", AVX512Tiles.MR, "rows of the AVX-512 SGEMM tile (32 columns)"},
			{"avx2MR", AVX2Tiles.MR, "rows of the AVX2 SGEMM tile (16 columns)"},
			{"avx512DotM", AVX512Tiles.DotM, "rows of x of the largest AVX-512 dot kernel"},
			{"avx512DotN", AVX512Tiles.DotN, "rows of w of the largest AVX-512 dot kernel"},
			{"avx2DotM", AVX2Tiles.DotM, "rows of x of the largest AVX2 dot kernel"},
			{"avx2DotN", AVX2Tiles.DotN, "rows of w of the largest AVX2 dot kernel"},
		},
	}}},
	"i8": {Pkg: "kernels", Build: "!purego", Blocks: []Block{{
		Doc: "Tile sizes of the generated int8 GEMM kernels (16 int32 columns a panel).",
		Consts: []Const{
			{"i8Avx512MR", AVX512I8Tiles.MR, "rows of the VPDPBUSD tile"},
			{"i8Avx512NP", AVX512I8Tiles.NP, "panels of the VPDPBUSD tile"},
			{"i8Avx2MR", AVX2I8Tiles.MR, "rows of the AVX2 tile (one panel)"},
		},
	}}},
	"wino": {Pkg: "kernels", Matrices: []MatrixBlock{{
		Doc:      "The output transforms Aᵀ (2×α) of the Winograd algorithms F(2×2, 3×3)\n(α = 4) and F(2×2, 5×5) (α = 6).",
		Matrices: []Matrix{{"winoAT4", WinoAT4}, {"winoAT6", WinoAT6}},
	}}},
	"jpeg": {Pkg: "jpeg", Blocks: []Block{{
		Doc: "Fixed-point constants of the islow inverse DCT: FIX(x) = round(x * 2^13)\n(jidctint.c, CONST_BITS 13).",
		Consts: []Const{
			{"constBits", ConstBits, ""},
			{"pass1Bits", Pass1Bits, ""},
			{"fix0_298631336", Fix0_298631336, ""},
			{"fix0_390180644", Fix0_390180644, ""},
			{"fix0_541196100", Fix0_541196100, ""},
			{"fix0_765366865", Fix0_765366865, ""},
			{"fix0_899976223", Fix0_899976223, ""},
			{"fix1_175875602", Fix1_175875602, ""},
			{"fix1_501321110", Fix1_501321110, ""},
			{"fix1_847759065", Fix1_847759065, ""},
			{"fix1_961570560", Fix1_961570560, ""},
			{"fix2_053119869", Fix2_053119869, ""},
			{"fix2_562915447", Fix2_562915447, ""},
			{"fix3_072711026", Fix3_072711026, ""},
		},
	}, {
		Doc: "Multipliers of the YCbCr->RGB conversion (jdcolor.c, SCALEBITS 16,\nFIX(x) = round(x * 2^16)), with their signs.",
		Consts: []Const{
			{"yccCrR", YccCrR, "FIX(1.40200): R from Cr"},
			{"yccCbB", YccCbB, "FIX(1.77200): B from Cb"},
			{"yccCrG", YccCrG, "-FIX(0.71414): G from Cr"},
			{"yccCbG", YccCbG, "-FIX(0.34414): G from Cb"},
		},
	}}},
}
