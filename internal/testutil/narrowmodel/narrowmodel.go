// Package narrowmodel loads the narrow fixture models of testdata/model
// (testdata/gen/model.py) for tests above package model.
package narrowmodel

import (
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// Load builds the narrow model testdata/model/<name> on 2 threads with its
// state dict, and returns it, its configuration and its input batch.
func Load(t testing.TB, name string) (*model.AlexNet, model.Config, *tensor.Tensor) {
	t.Helper()
	dir := testutil.Testdata(t, "model", name)
	nc := testutil.ReadNarrowConfig(t, dir)
	cfg := model.Config{Arch: nc.Arch, Hidden: nc.Hidden, NumClasses: nc.NumClasses, InputSize: nc.InputSize, Threads: 2}
	copy(cfg.Channels[:], nc.Channels)
	m, err := model.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.LoadStateDict(testutil.NarrowStateDict(t, dir, nc.StateDict)); err != nil {
		t.Fatal(err)
	}
	return m, cfg, testutil.NarrowInput(t, dir)
}
