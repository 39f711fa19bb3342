package avoutil

import (
	"math"
	"strings"

	. "github.com/mmcloughlin/avo/build"
	. "github.com/mmcloughlin/avo/operand"
	. "github.com/mmcloughlin/avo/reg"
)

// Run emits the functions of a generator's file, in order, under the
// build constraint !purego (the portable loops take over with -tags
// purego), then writes the assembly and its Go declarations as the flags
// -out, -stubs and -pkg say.
func Run(emit ...func()) {
	ConstraintExpr("!purego")
	for _, f := range emit {
		f()
	}
	Generate()
}

// Func starts the assembly function name of Go signature sig, with the doc
// comment of its Go declaration.
func Func(name, sig, doc string) {
	TEXT(name, NOSPLIT, sig)
	Doc(doc)
}

// Params loads the parameters named in spec, separated by spaces, into
// regs, one by one in order. A name written "name*4" is a count of floats
// (a length or a stride) turned into bytes, shifted left by 2 right after
// its load.
func Params(spec string, regs ...Register) {
	names := strings.Fields(spec)
	if len(names) != len(regs) {
		panic("avoutil.Params: " + spec + ": wrong number of registers")
	}
	for i, name := range names {
		name, floats := strings.CutSuffix(name, "*4")
		Load(Param(name), regs[i])
		if floats {
			SHLQ(Imm(2), regs[i])
		}
	}
}

// End ends a function: VZEROUPPER (the function used vector registers
// wider than 128 bits), then RET.
func End() {
	VZEROUPPER()
	RET()
}

// EndAt places the label l, then ends the function (see End).
func EndAt(l string) {
	Label(l)
	End()
}

// SplatF32 fills every lane of z with the float32 c (through EAX).
func SplatF32(c float32, z VecPhysical) {
	MOVL(U32(math.Float32bits(c)), EAX)
	VPBROADCASTD(EAX, z)
}

// MaskCL sets the opmask k to the low CL bits (CL < 16); EAX is clobbered.
func MaskCL(k Op) {
	MOVL(U32(1), EAX)
	SHLL(CL, EAX)
	DECL(EAX)
	KMOVW(EAX, k)
}

// Table32 emits the read-only table name of n 32-bit values f(0) to
// f(n-1) and returns its address.
func Table32(name string, n int, f func(i int) uint32) Mem {
	m := GLOBL(name, RODATA|NOPTR)
	for i := 0; i < n; i++ {
		DATA(4*i, U32(f(i)))
	}
	return m
}
