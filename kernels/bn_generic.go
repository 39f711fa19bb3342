//go:build purego || !amd64

package kernels

// bnArchImpls is empty: this build has no assembly batch-norm kernels.
func bnArchImpls() []*bnImpl { return nil }
