//go:build purego || !amd64

package kernels

// poolArchImpls is empty: this build has no assembly row kernels, and
// MaxPool2d and LRN run the portable ones.
func poolArchImpls() []*poolImpl { return nil }
