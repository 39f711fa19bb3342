package kernels

import (
	"fmt"
	"sync/atomic"
)

// ConvAlgorithm chooses how a convolution runs, forward and backward. The
// zero value is AutoConv.
type ConvAlgorithm uint8

const (
	// AutoConv is the process default (SetDefaultConv), WinogradConv
	// unless that was set to DirectConv.
	AutoConv ConvAlgorithm = iota
	// DirectConv runs every convolution as a GEMM over im2col, whose sums
	// are ordered like PyTorch's (logits within ~2e-5 on AlexNet with
	// He-normal weights instead of ~7e-5), at about 15-25% more time per
	// batch.
	DirectConv
	// WinogradConv runs the convolutions with a 3×3 or 5×5 kernel at
	// stride 1, padding below the kernel size, as ConvWinograd (and their
	// gradients as Winograd sums), the others direct.
	WinogradConv
)

// defaultConv is what AutoConv stands for; its zero value, AutoConv,
// stands for WinogradConv.
var defaultConv atomic.Uint32

// SetDefaultConv sets what AutoConv stands for in this process (the
// command line's ALEXNET_CONV): DirectConv or WinogradConv; AutoConv
// restores WinogradConv. A layer built with another value ignores it. It
// is safe to call while convolutions run.
func SetDefaultConv(a ConvAlgorithm) { defaultConv.Store(uint32(a)) }

// Resolve returns the algorithm a stands for: a, or for AutoConv the
// process default.
func (a ConvAlgorithm) Resolve() ConvAlgorithm {
	if a == AutoConv {
		a = ConvAlgorithm(defaultConv.Load())
	}
	if a == AutoConv {
		a = WinogradConv
	}
	return a
}

// Winograd reports whether a convolution of geometry g runs as
// ConvWinograd under a: a resolves to WinogradConv and g has a 3×3 or
// 5×5 kernel at stride 1, padding below the kernel size.
func (a ConvAlgorithm) Winograd(g ConvGeom) bool {
	return a.Resolve() == WinogradConv && winoSpecFor(g) != nil
}

// String returns "auto", "direct" or "winograd".
func (a ConvAlgorithm) String() string {
	switch a {
	case AutoConv:
		return "auto"
	case DirectConv:
		return "direct"
	case WinogradConv:
		return "winograd"
	}
	return fmt.Sprintf("ConvAlgorithm(%d)", uint8(a))
}

// ParseConvAlgorithm returns the algorithm String names ("" is
// AutoConv), or an *ArgError.
func ParseConvAlgorithm(s string) (ConvAlgorithm, error) {
	for _, a := range []ConvAlgorithm{AutoConv, DirectConv, WinogradConv} {
		if s == a.String() {
			return a, nil
		}
	}
	if s == "" {
		return AutoConv, nil
	}
	return AutoConv, &ArgError{Func: "ParseConvAlgorithm", Msg: fmt.Sprintf("%q: want auto, winograd or direct", s)}
}
