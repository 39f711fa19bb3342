// Package testutil holds the test helpers that the tests of several
// packages share: finding the repository's testdata and shared/data from
// any package's test folder, reading .npy, JSON and text fixtures, the
// narrow-model fixtures that testdata/gen/model.py and train.py write,
// comparing a result with a reference tensor (CheckClose),
// and running a test once per kernel variant.
//
// It is test-only infrastructure: only _test.go files import it. It
// imports tensor and internal/npy (and kernels), so the internal tests of
// those packages cannot use it; nor may it import nn, model or anything
// above them, whose internal tests do use it. Every helper takes a
// testing.TB and fails (or skips) the test on error.
package testutil
