//go:build !amd64 || purego

package jpeg

// archKernels is empty: this build has no assembly kernels.
func archKernels() []*kernelSet { return nil }
