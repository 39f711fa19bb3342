// Package kernels holds the numeric loops the layers run: SGEMM, im2col,
// pooling, local response normalisation, ReLU and softmax.
//
// Kernels work on []float32 plus dimensions and import nothing from this
// module. Each doc comment states the loop the kernel computes; the portable
// code runs exactly that loop, blocked or reordered only where the result is
// the same up to float32 rounding. Every fast kernel has a Naive twin that
// runs the stated loop literally; tests compare the two and benchmarks run
// them side by side.
//
// Kernels other than Sgemm trust their callers (the nn layers) to pass
// consistent dimensions and buffers of sufficient length and panic with an
// index error otherwise; Sgemm, the one entry point meant to be shared and
// swapped, validates its operands and returns an *ArgError.
//
// Sgemm dispatches through a small registry (RegisterSgemm, UseSgemm), so
// faster implementations (assembly, other tilings) can be added behind the
// same boundary and every registered variant can be tested on one machine.
package kernels

// ArgError reports operands a kernel cannot take.
type ArgError struct {
	Func string // kernel name, e.g. "Sgemm"
	Msg  string
}

// Error implements error.
func (e *ArgError) Error() string { return "kernels." + e.Func + ": " + e.Msg }
