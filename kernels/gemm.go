package kernels

import "fmt"

// Gemm holds the operands of one single-precision matrix product. All
// matrices are row-major with leading dimensions (row strides) LDA, LDB, LDC.
//
// op(A) is M×K: A[i*LDA+p], or A[p*LDA+i] when TransA (A stored K×M).
// op(B) is K×N: B[p*LDB+j], or B[j*LDB+p] when TransB (B stored N×K).
// C is M×N: C[i*LDC+j].
type Gemm struct {
	M, N, K int

	A      []float32
	LDA    int
	TransA bool

	B      []float32
	LDB    int
	TransB bool

	C   []float32
	LDC int

	// Accumulate adds the product to C's prior content (beta = 1);
	// otherwise C's prior content is ignored (beta = 0).
	Accumulate bool
	// RowBias, when non-nil (length M), adds RowBias[i] to row i:
	// the per-output-channel bias of a convolution.
	RowBias []float32
	// ColBias, when non-nil (length N), adds ColBias[j] to column j:
	// the bias of a fully connected layer.
	ColBias []float32
	// ReLU replaces each result by max(0, result).
	ReLU bool

	// Threads is the number of goroutines an implementation may use;
	// values below 1 mean 1.
	Threads int
}

// check validates g's dimensions, strides and buffer lengths.
func (g *Gemm) check() error {
	bad := func(format string, args ...any) error {
		return &ArgError{Func: "Sgemm", Msg: fmt.Sprintf(format, args...)}
	}
	if g.M < 0 || g.N < 0 || g.K < 0 {
		return bad("negative dimension M=%d N=%d K=%d", g.M, g.N, g.K)
	}
	ar, ac := g.M, g.K
	if g.TransA {
		ar, ac = g.K, g.M
	}
	br, bc := g.K, g.N
	if g.TransB {
		br, bc = g.N, g.K
	}
	if err := checkMat("A", g.A, ar, ac, g.LDA); err != nil {
		return err
	}
	if err := checkMat("B", g.B, br, bc, g.LDB); err != nil {
		return err
	}
	if err := checkMat("C", g.C, g.M, g.N, g.LDC); err != nil {
		return err
	}
	if g.RowBias != nil && len(g.RowBias) != g.M {
		return bad("len(RowBias)=%d, want M=%d", len(g.RowBias), g.M)
	}
	if g.ColBias != nil && len(g.ColBias) != g.N {
		return bad("len(ColBias)=%d, want N=%d", len(g.ColBias), g.N)
	}
	return nil
}

func checkMat(name string, s []float32, rows, cols, ld int) error {
	return checkMatOf("Sgemm", name, s, rows, cols, ld)
}

// checkMatOf checks that s holds a rows×cols matrix of row stride ld, for
// the kernel fn.
func checkMatOf[T any](fn, name string, s []T, rows, cols, ld int) error {
	if ld < max(cols, 1) {
		return &ArgError{Func: fn, Msg: fmt.Sprintf("LD%s=%d < %d columns", name, ld, cols)}
	}
	if rows > 0 && cols > 0 && len(s) < (rows-1)*ld+cols {
		return &ArgError{Func: fn, Msg: fmt.Sprintf("len(%s)=%d < %d for %d×%d with LD%s=%d",
			name, len(s), (rows-1)*ld+cols, rows, cols, name, ld)}
	}
	return nil
}

// SgemmNaive is the reference loop every Sgemm implementation computes:
//
//	for i < M, j < N:
//	    s := 0 (or C[i*LDC+j] when Accumulate)
//	    for p < K: s += op(A)[i,p] * op(B)[p,j]
//	    s += RowBias[i] + ColBias[j]   (those present)
//	    if ReLU: s = max(0, s)
//	    C[i*LDC+j] = s
//
// It ignores Threads and assumes g is valid.
func SgemmNaive(g *Gemm) {
	for i := 0; i < g.M; i++ {
		for j := 0; j < g.N; j++ {
			var s float32
			if g.Accumulate {
				s = g.C[i*g.LDC+j]
			}
			for p := 0; p < g.K; p++ {
				var a, b float32
				if g.TransA {
					a = g.A[p*g.LDA+i]
				} else {
					a = g.A[i*g.LDA+p]
				}
				if g.TransB {
					b = g.B[j*g.LDB+p]
				} else {
					b = g.B[p*g.LDB+j]
				}
				s += a * b
			}
			if g.RowBias != nil {
				s += g.RowBias[i]
			}
			if g.ColBias != nil {
				s += g.ColBias[j]
			}
			if g.ReLU && s < 0 {
				s = 0
			}
			g.C[i*g.LDC+j] = s
		}
	}
}
