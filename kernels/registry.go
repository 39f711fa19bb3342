package kernels

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// SgemmFunc is one implementation of the loop documented at SgemmNaive.
// It may assume its *Gemm has been validated and must not retain it.
type SgemmFunc func(g *Gemm)

type sgemmImpl struct {
	name string
	fn   SgemmFunc
	arch *microArch // the packed-driver architecture, nil for the others
}

var (
	registryMu sync.Mutex
	impls      = []sgemmImpl{{"blocked", SgemmBlocked, nil}, {"naive", SgemmNaive, nil}}
	active     atomic.Pointer[sgemmImpl]
)

func init() { active.Store(&impls[0]) }

// RegisterSgemm adds an implementation under name, replacing one of the
// same name. Implementations with CPU requirements register only where the
// CPU meets them. It does not change the active implementation.
func RegisterSgemm(name string, fn SgemmFunc) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for i := range impls {
		if impls[i].name == name {
			impls[i].fn = fn
			return
		}
	}
	impls = append(impls, sgemmImpl{name, fn, nil})
}

// registerArch registers the packed driver over arch under arch.name and
// makes it the active implementation: the SIMD architectures register
// from init, widest last, where the CPU has them.
func registerArch(arch *microArch) {
	im := sgemmImpl{arch.name, func(g *Gemm) { sgemmPacked(arch, g) }, arch}
	registryMu.Lock()
	impls = append(impls, im)
	registryMu.Unlock()
	active.Store(&im)
}

// activeArch is the micro-kernel architecture of the active
// implementation, the portable one when it has none.
func activeArch() *microArch {
	if a := active.Load().arch; a != nil {
		return a
	}
	return portableArch
}

// SgemmImpls lists the registered implementation names, "blocked" (the
// portable implementation) first.
func SgemmImpls() []string {
	registryMu.Lock()
	defer registryMu.Unlock()
	return names()
}

// names lists impls' names; registryMu must be held.
func names() []string {
	ns := make([]string, len(impls))
	for i, im := range impls {
		ns[i] = im.name
	}
	return ns
}

// SgemmImpl returns the named implementation, or nil if none is registered.
func SgemmImpl(name string) SgemmFunc {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, im := range impls {
		if im.name == name {
			return im.fn
		}
	}
	return nil
}

// UseSgemm makes the named implementation the one Sgemm calls. It is safe
// to call concurrently with Sgemm.
func UseSgemm(name string) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	for i := range impls {
		if impls[i].name == name {
			im := impls[i]
			active.Store(&im)
			return nil
		}
	}
	return &ArgError{Func: "UseSgemm", Msg: fmt.Sprintf("no implementation %q (have %v)", name, names())}
}

// ActiveSgemm names the implementation Sgemm calls.
func ActiveSgemm() string { return active.Load().name }

// Sgemm validates g and computes the loop documented at SgemmNaive with
// the active implementation (by default SgemmBlocked). It returns an
// *ArgError for inconsistent dimensions, strides or buffer lengths.
// Concurrent calls are safe when their C regions do not overlap.
func Sgemm(g *Gemm) error {
	if err := g.check(); err != nil {
		return err
	}
	active.Load().fn(g)
	return nil
}
