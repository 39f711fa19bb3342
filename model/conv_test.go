package model

import (
	"math/rand"
	"slices"
	"sync"
	"testing"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// TestConfigConv checks that Config.Conv reaches every convolution, that a
// model built with DirectConv or WinogradConv runs that algorithm whatever
// the process default (kernels.SetDefaultConv), and that two models with
// different algorithms run at the same time: each gives, bit for bit, the
// logits an AutoConv model gives under the matching default.
func TestConfigConv(t *testing.T) {
	defer kernels.SetDefaultConv(kernels.AutoConv)
	rng := rand.New(rand.NewSource(1))
	fill := func(data []float32, scale float64) {
		for i := range data {
			data[i] = float32(rng.NormFloat64() * scale)
		}
	}
	var sd map[string]*tensor.Tensor // every model's parameters, from the first
	build := func(alg kernels.ConvAlgorithm) *AlexNet {
		m, err := New(Config{Arch: ArchTorchvision, Channels: [5]int{8, 8, 8, 8, 8}, Hidden: 16, NumClasses: 5, Threads: 1, Conv: alg})
		if err != nil {
			t.Fatal(err)
		}
		if sd == nil {
			for _, p := range m.Parameters() {
				fill(p.T.Data, 0.2)
			}
			sd = m.StateDict()
		} else if err := m.LoadStateDict(sd); err != nil {
			t.Fatal(err)
		}
		for _, l := range m.Features.Layers {
			if c, ok := l.(*nn.Conv2d); ok && c.Algorithm != alg {
				t.Fatalf("Config.Conv %v: a convolution has Algorithm %v", alg, c.Algorithm)
			}
		}
		return m
	}
	x := tensor.New(2, 3, 67, 67)
	fill(x.Data, 1)
	forward := func(m *AlexNet) []float32 {
		y, err := m.Forward(x)
		if err != nil {
			t.Error(err)
			return nil
		}
		return y.Data
	}
	kernels.SetDefaultConv(kernels.DirectConv)
	wantDirect := forward(build(kernels.AutoConv))
	kernels.SetDefaultConv(kernels.WinogradConv)
	wantWino := forward(build(kernels.AutoConv))
	if slices.Equal(wantDirect, wantWino) {
		t.Fatal("direct and Winograd logits are the same bits: the test cannot tell them apart")
	}
	direct, wino := build(kernels.DirectConv), build(kernels.WinogradConv)
	for _, def := range []kernels.ConvAlgorithm{kernels.DirectConv, kernels.WinogradConv} {
		kernels.SetDefaultConv(def)
		var got [2][]float32
		var wg sync.WaitGroup
		for i, m := range []*AlexNet{direct, wino} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i] = forward(m)
			}()
		}
		wg.Wait()
		if !slices.Equal(got[0], wantDirect) {
			t.Errorf("default %v: the DirectConv model's logits are not the direct ones", def)
		}
		if !slices.Equal(got[1], wantWino) {
			t.Errorf("default %v: the WinogradConv model's logits are not the Winograd ones", def)
		}
	}
}
