// Package cpuvariant is the one registry of the CPU variants of every
// kernel family (SGEMM, pooling and LRN, batch norm, layout, the Winograd
// transforms, the SGD update, the int8 GEMM and the uint8 activation
// kernels, image resizing, JPEG decoding), after Go's
// crypto/internal/impl.
//
// A family registers each implementation under a variant name with its
// availability on this CPU; Select switches every family at once to one
// variant, or, where a family lacks it, to the best one it has ranked
// below it (its portable twin at the least). By default every family runs
// the widest variant it has. The implementations are read through atomic
// pointers at call time, so Select is safe while kernels run, and one
// machine can test every variant (see ForEach).
//
// The package imports nothing from this module; kernels and imageproc
// register in it.
package cpuvariant

import (
	"fmt"
	"sync"
)

// Variant names, from the most portable to the widest.
const (
	// Naive runs the documented loops literally where a family has such a
	// twin (SGEMM); the other families run Portable.
	Naive = "naive"
	// Portable is the portable Go kernels of every family (the name is
	// the portable SGEMM's, "blocked").
	Portable = "blocked"
	// AVX2 is the x86-64 AVX2 (with FMA) assembly.
	AVX2 = "avx2"
	// AVX512 is the x86-64 AVX-512 assembly.
	AVX512 = "avx512"
)

// ranks orders the variants: a family lacking the selected one runs the
// best one it has ranked below it.
var ranks = [...]string{Naive, Portable, AVX2, AVX512}

// listed is the order of Variants: the portable variant first.
var listed = [...]string{Portable, Naive, AVX2, AVX512}

func rank(variant string) int {
	for r, v := range ranks {
		if v == variant {
			return r
		}
	}
	return -1
}

// family is what the registry needs of a Family[T].
type family interface {
	resolve(rank int)
	has(variant string) bool
}

var (
	mu       sync.Mutex
	families []family
	selected = len(ranks) - 1 // the selected variant's rank; mu guards it
)

// Error reports a variant name Select cannot take.
type Error struct {
	Name      string   // the name asked for
	Available []string // the variants this CPU runs
}

// Error implements error.
func (e *Error) Error() string {
	return fmt.Sprintf("cpuvariant: no variant %q (have %v)", e.Name, e.Available)
}

// Select switches every family to variant name, or where a family lacks
// it to the best one it has below it. name must be one of Variants; it
// returns an *Error otherwise. It is safe to call while kernels run.
func Select(name string) error {
	mu.Lock()
	defer mu.Unlock()
	if !availableLocked(name) {
		return &Error{Name: name, Available: variantsLocked()}
	}
	selectLocked(rank(name))
	return nil
}

func selectLocked(r int) {
	selected = r
	for _, f := range families {
		f.resolve(r)
	}
}

// Variants lists the variants this build and CPU run, the portable one
// first, then by rank.
func Variants() []string {
	mu.Lock()
	defer mu.Unlock()
	return variantsLocked()
}

func variantsLocked() []string {
	var vs []string
	for _, v := range listed {
		if availableLocked(v) {
			vs = append(vs, v)
		}
	}
	return vs
}

// availableLocked reports whether some family has variant v.
func availableLocked(v string) bool {
	for _, f := range families {
		if f.has(v) {
			return true
		}
	}
	return false
}

// Active names the selected variant: the widest available one at or below
// the last Select (by default the widest this CPU runs).
func Active() string {
	mu.Lock()
	defer mu.Unlock()
	for r := selected; r >= 0; r-- {
		if availableLocked(ranks[r]) {
			return ranks[r]
		}
	}
	return Portable
}

// Runner is what ForEach runs subtests on: *testing.T and *testing.B.
type Runner[R any] interface {
	Run(name string, f func(R)) bool
}

// ForEach runs fn as a subtest of r per variant, with that variant
// selected, and restores the previous selection. The subtests must not be
// parallel with each other or with other tests that select variants.
func ForEach[R Runner[R]](r R, fn func(R)) {
	mu.Lock()
	prev := selected
	mu.Unlock()
	defer func() {
		mu.Lock()
		selectLocked(prev)
		mu.Unlock()
	}()
	for _, v := range Variants() {
		r.Run(v, func(r R) {
			if err := Select(v); err != nil {
				panic(err) // v came from Variants
			}
			fn(r)
		})
	}
}
