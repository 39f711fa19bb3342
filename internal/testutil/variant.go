package testutil

import (
	"testing"

	"github.com/alexnet-go/alexnet/internal/cpuvariant"
)

// ForEachVariant runs fn as a subtest of t per CPU variant this machine
// runs (cpuvariant.Variants: "blocked", "naive", "avx2", "avx512"), with
// every kernel family switched to that variant, and restores the previous
// selection. The subtests are named by variant; they must not call
// t.Parallel, nor run alongside other tests that select variants.
//
// Package kernels, whose tests import nothing of the module above it,
// calls cpuvariant.ForEach(t, fn), which this wraps.
func ForEachVariant(t *testing.T, fn func(t *testing.T)) {
	t.Helper()
	cpuvariant.ForEach(t, fn)
}
