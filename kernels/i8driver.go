package kernels

// i8Arch is one int8 GEMM micro-kernel with its tile: tile computes the
// m×n corner (m ≤ mr, n ≤ 16·np) of a tile of C at c (row stride ldc)
// over kg groups of 4 k, from m rows of A at a (row stride lda) and the
// panels of B at b, ps bytes apart (see PackedI8):
//
//	for i < m, j < n:
//	    s := accum ? c[i*ldc+j] : 0
//	    for g < kg, t < 4: s += int32(a[i*lda+4g+t]) * int32(b[(j/16)*ps + 64g + 4(j%16) + t])
//	    c[i*ldc+j] = s
type i8Arch struct {
	name   string
	mr, np int
	tile   func(m, n, kg int, a []uint8, lda int, b []int8, ps int, c []int32, ldc int, accum bool)
}

// Blocking of the int8 driver: a block of i8KC groups (4·i8KC k) by
// i8NC columns of B (512 KB) stays in L2 while the row strips of A pass
// over it, one tile of B (32 KB for 64 columns) in L1.
const (
	i8KC = 128
	i8NC = 1024
)

// portableI8Arch is the portable Go kernel, 4 rows × 16 columns.
var portableI8Arch = &i8Arch{name: "blocked", mr: 4, np: 1, tile: i8TileGo}

// i8Blocked computes g (valid) with arch over up to g.Threads goroutines,
// each running i8Columns: the columns are split in whole tiles, or, when
// they make fewer than 4 tiles a goroutine (conv2's 192 channels are 3
// tiles of 64), the rows in whole strips.
func i8Blocked(arch *i8Arch, g *GemmI8) {
	if g.M == 0 || g.N == 0 {
		return
	}
	w := arch.np * i8Panel
	// Below ~2M multiply-adds per goroutine, splitting costs more than it saves.
	threads := max(1, min(g.Threads, g.M*g.N*max(g.K, 1)/(2<<20)))
	if (g.N+w-1)/w >= 4*threads || g.M <= arch.mr {
		parallel(g.N, w, threads, func(j0, j1 int) { i8Columns(arch, g, j0, j1) })
		return
	}
	parallel(g.M, arch.mr, threads, func(i0, i1 int) {
		rows := *g
		rows.M, rows.C = i1-i0, g.C[i0*g.LDC:]
		if g.K > 0 {
			rows.A = g.A[i0*g.LDA:]
		}
		i8Columns(arch, &rows, 0, g.N)
	})
}

// i8Columns computes columns [j0, j1) of C, block by block: the groups of
// 4 k that A holds whole, read in place, then the last partial group (K
// not a multiple of 4) from a zero-padded copy of A's tail.
func i8Columns(arch *i8Arch, g *GemmI8, j0, j1 int) {
	kf := g.K / 4
	if g.K == 0 && !g.Accumulate {
		for i := 0; i < g.M; i++ {
			clear(g.C[i*g.LDC+j0 : i*g.LDC+j1])
		}
	}
	var tail []uint8
	if g.K%4 != 0 {
		tail = i8Tail(g, kf)
	}
	for jc := j0; jc < j1; jc += i8NC {
		jn := min(jc+i8NC, j1)
		for pc := 0; pc < kf; pc += i8KC {
			i8Block(arch, g, jc, jn, pc, min(i8KC, kf-pc), g.A[4*pc:], g.LDA, pc > 0 || g.Accumulate)
		}
		if tail != nil {
			i8Block(arch, g, jc, jn, kf, 1, tail, 4, kf > 0 || g.Accumulate)
		}
	}
}

// i8Tail copies A's last K%4 columns into rows of 4 bytes, zero-padded.
func i8Tail(g *GemmI8, kf int) []uint8 {
	t := make([]uint8, 4*g.M)
	for i := 0; i < g.M; i++ {
		copy(t[4*i:4*i+4], g.A[i*g.LDA+4*kf:i*g.LDA+g.K])
	}
	return t
}

// i8Block runs arch's tiles over columns [jc, jn) of C and kg groups of B
// from group pc, with the rows of A, from group pc on, in a (row stride
// lda).
func i8Block(arch *i8Arch, g *GemmI8, jc, jn, pc, kg int, a []uint8, lda int, accum bool) {
	ps, w := g.B.stride(), arch.np*i8Panel
	for js := jc; js < jn; js += w {
		n := min(w, jn-js)
		b := g.B.data[js/i8Panel*ps+64*pc:]
		for is := 0; is < g.M; is += arch.mr {
			m := min(arch.mr, g.M-is)
			arch.tile(m, n, kg, a[is*lda:], lda, b, ps, g.C[is*g.LDC+js:], g.LDC, accum)
		}
	}
}

// i8TileGo is i8Arch.tile in Go for one panel (n ≤ 16), m ≤ 4 rows.
func i8TileGo(m, n, kg int, a []uint8, lda int, b []int8, _ int, c []int32, ldc int, accum bool) {
	var acc [4][i8Panel]int32
	b = b[:64*kg]
	for i := 0; i < m; i++ {
		row, s := a[i*lda:i*lda+4*kg], &acc[i]
		for g := 0; g < kg; g++ {
			a0, a1, a2, a3 := int32(row[4*g]), int32(row[4*g+1]), int32(row[4*g+2]), int32(row[4*g+3])
			bg := b[64*g : 64*g+64]
			for j := range s {
				q := bg[4*j : 4*j+4]
				s[j] += a0*int32(q[0]) + a1*int32(q[1]) + a2*int32(q[2]) + a3*int32(q[3])
			}
		}
	}
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		for j := range row {
			if accum {
				row[j] += acc[i][j]
			} else {
				row[j] = acc[i][j]
			}
		}
	}
}
