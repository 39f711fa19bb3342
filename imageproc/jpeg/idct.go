package jpeg

// The fixed-point constants of the islow inverse DCT (constBits, pass1Bits,
// fix0_298631336 ...) and of the YCbCr->RGB conversion (yccCrR ...) are in
// consts_gen.go, written from kernels/_asm/internal/consts, which the
// generator of the AVX2 kernels reads.

//go:generate go run -C ../../kernels/_asm ./genconsts -set jpeg -out ../../imageproc/jpeg/consts_gen.go

func clamp8(x int) byte {
	if x < 0 {
		return 0
	}
	if x > 255 {
		return 255
	}
	return byte(x)
}

// wrap16 is a 16-bit two's-complement add/multiply result (paddw, pmullw).
func wrap16(x int) int { return int(int16(x)) }

// sat16 is a signed 16-bit saturation (packssdw).
func sat16(x int) int { return max(-32768, min(32767, x)) }

// descale is libjpeg's DESCALE: a right shift by n rounding half up.
func descale(x, n int) int { return (x + 1<<(n-1)) >> n }

// idctGo computes the accurate integer inverse DCT of one block as PIL's
// libjpeg-turbo does on x86-64: jidctint.c jpeg_idct_islow's algorithm
// (CONST_BITS 13, PASS1_BITS 2, columns then rows, descale rounding half
// up) in the 16-bit lanes of its SIMD twin (simd/x86_64/jidctint-avx2.asm,
// -sse2.asm), which is what runs. On valid data the two agree; outside it
// the SIMD code, which this follows, dequantises with a 16-bit multiply,
// forms in0+-in4, in7+in3 and in5+in1 in 16 bits, saturates the workspace
// to 16 bits and saturates the output to [0, 255] (measured with rawdump:
// no wrap-around of jdmaster.c's range-limit table). When every AC row
// (rows 1-7) of the block is zero, pass 1 is the shortcut
// (coef*q) << PASS1_BITS in 16 bits. b and q are in natural order (q holds
// the low 16 bits of the quantisation table, all that the 16-bit
// dequantising multiply uses); the 8x8 result goes to dst with the given
// stride.
func idctGo(b *[64]int16, q *[64]int16, dst []byte, stride int) {
	var ws [64]int
	acZero := true
	for _, v := range b[8:] {
		if v != 0 {
			acZero = false
			break
		}
	}
	if acZero {
		for c := 0; c < 8; c++ {
			dc := wrap16(wrap16(int(b[c])*int(q[c])) << pass1Bits)
			for r := 0; r < 8; r++ {
				ws[8*r+c] = dc
			}
		}
	} else {
		for c := 0; c < 8; c++ {
			if b[8+c] == 0 && b[16+c] == 0 && b[24+c] == 0 && b[32+c] == 0 &&
				b[40+c] == 0 && b[48+c] == 0 && b[56+c] == 0 {
				// What the full pass gives for a zero-AC column.
				dc := sat16(wrap16(int(b[c])*int(q[c])) << pass1Bits)
				for r := 0; r < 8; r++ {
					ws[8*r+c] = dc
				}
				continue
			}
			var in, out [8]int
			for r := 0; r < 8; r++ {
				in[r] = wrap16(int(b[8*r+c]) * int(q[8*r+c]))
			}
			idct1D(&in, &out, constBits-pass1Bits)
			for r := 0; r < 8; r++ {
				ws[8*r+c] = sat16(out[r])
			}
		}
	}
	for r := 0; r < 8; r++ {
		in := (*[8]int)(ws[8*r : 8*r+8])
		d := dst[r*stride : r*stride+8 : r*stride+8]
		if in[1] == 0 && in[2] == 0 && in[3] == 0 && in[4] == 0 && in[5] == 0 && in[6] == 0 && in[7] == 0 {
			// What the full pass gives for a zero-AC row.
			v := clamp8(descale(in[0], pass1Bits+3) + 128)
			for i := range d {
				d[i] = v
			}
			continue
		}
		var out [8]int
		idct1D(in, &out, constBits+pass1Bits+3)
		for i := range d {
			d[i] = clamp8(out[i] + 128)
		}
	}
}

// idct1D is one 8-point pass of jpeg_idct_islow (the even part, then the
// odd part of the LL&M factorisation), descaled by shift. The inputs are
// 16-bit values; the sums the SIMD code forms in 16 bits wrap.
func idct1D(in, out *[8]int, shift int) {
	z2, z3 := in[2], in[6]
	z1 := (z2 + z3) * fix0_541196100
	tmp2 := z1 - z3*fix1_847759065
	tmp3 := z1 + z2*fix0_765366865
	tmp0 := wrap16(in[0]+in[4]) << constBits
	tmp1 := wrap16(in[0]-in[4]) << constBits
	tmp10, tmp13 := tmp0+tmp3, tmp0-tmp3
	tmp11, tmp12 := tmp1+tmp2, tmp1-tmp2

	tmp0, tmp1, tmp2, tmp3 = in[7], in[5], in[3], in[1]
	z1, z2, z3 = tmp0+tmp3, tmp1+tmp2, wrap16(tmp0+tmp2)
	z4 := wrap16(tmp1 + tmp3)
	z5 := (z3 + z4) * fix1_175875602
	tmp0 *= fix0_298631336
	tmp1 *= fix2_053119869
	tmp2 *= fix3_072711026
	tmp3 *= fix1_501321110
	z1 *= -fix0_899976223
	z2 *= -fix2_562915447
	z3 = z3*-fix1_961570560 + z5
	z4 = z4*-fix0_390180644 + z5
	tmp0 += z1 + z3
	tmp1 += z2 + z4
	tmp2 += z2 + z3
	tmp3 += z1 + z4

	out[0] = descale(tmp10+tmp3, shift)
	out[7] = descale(tmp10-tmp3, shift)
	out[1] = descale(tmp11+tmp2, shift)
	out[6] = descale(tmp11-tmp2, shift)
	out[2] = descale(tmp12+tmp1, shift)
	out[5] = descale(tmp12-tmp1, shift)
	out[3] = descale(tmp13+tmp0, shift)
	out[4] = descale(tmp13-tmp0, shift)
}
