package cpuvariant

import (
	"fmt"
	"slices"
	"sync/atomic"
)

// A Family is one kernel family's implementations, of type T (a function
// or a pointer to a table of functions), by variant. It is safe for
// concurrent use.
type Family[T any] struct {
	name  string
	impls []entry[T] // by rank; mu guards it
	cur   atomic.Pointer[entry[T]]
}

type entry[T any] struct {
	variant string
	rank    int
	impl    T
}

// NewFamily registers a family whose portable implementation (variant
// Portable) is portable; every family has one.
func NewFamily[T any](name string, portable T) *Family[T] {
	f := &Family[T]{name: name}
	mu.Lock()
	defer mu.Unlock()
	families = append(families, f)
	f.registerLocked(Portable, portable)
	return f
}

// Register adds impl as the family's variant where available is true (the
// CPU has what impl needs), replacing one of the same variant, and
// switches the family to it if the selection calls for it. variant must
// be one of the names above.
func (f *Family[T]) Register(variant string, available bool, impl T) {
	if rank(variant) < 0 {
		panic(fmt.Sprintf("cpuvariant: family %s: unknown variant %q", f.name, variant))
	}
	if !available {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	f.registerLocked(variant, impl)
}

func (f *Family[T]) registerLocked(variant string, impl T) {
	e := entry[T]{variant, rank(variant), impl}
	i, found := slices.BinarySearchFunc(f.impls, e.rank, func(e entry[T], r int) int { return e.rank - r })
	if found {
		f.impls[i] = e
	} else {
		f.impls = slices.Insert(f.impls, i, e)
	}
	f.resolve(selected)
}

// resolve switches f to its best implementation ranked at most r, its
// lowest ranked one where it has none; mu is held.
func (f *Family[T]) resolve(r int) {
	best := 0
	for i, e := range f.impls {
		if e.rank <= r {
			best = i
		}
	}
	e := f.impls[best]
	f.cur.Store(&e)
}

func (f *Family[T]) has(variant string) bool {
	for _, e := range f.impls {
		if e.variant == variant {
			return true
		}
	}
	return false
}

// Get returns the implementation the selection calls for.
func (f *Family[T]) Get() T { return f.cur.Load().impl }

// Active names the variant Get returns.
func (f *Family[T]) Active() string { return f.cur.Load().variant }

// Lookup returns the family's implementation of variant, and whether it
// has one.
func (f *Family[T]) Lookup(variant string) (T, bool) {
	mu.Lock()
	defer mu.Unlock()
	for _, e := range f.impls {
		if e.variant == variant {
			return e.impl, true
		}
	}
	var zero T
	return zero, false
}

// Impls lists the family's implementations on this CPU, by rank (the
// portable one first but for a Naive twin), for tests that compare them
// with each other.
func (f *Family[T]) Impls() []T {
	mu.Lock()
	defer mu.Unlock()
	ims := make([]T, len(f.impls))
	for i, e := range f.impls {
		ims[i] = e.impl
	}
	return ims
}
