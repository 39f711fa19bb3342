package model

import (
	"math/rand"
	"slices"
	"sync"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// A replica shares its model's weights (a change to one shows in the
// other) and, run on another goroutine at the same time, gives the logits
// the model gives on its own, for both architectures.
func TestReplica(t *testing.T) {
	for _, cfg := range smallConfigs {
		rng := rand.New(rand.NewSource(2))
		m := newModel(t, cfg, func() float32 { return (rng.Float32() - 0.5) * 0.2 })
		r, err := m.Replica()
		if err != nil {
			t.Fatal(err)
		}
		mp, rp := m.Parameters(), r.Parameters()
		for i := range mp {
			if mp[i].Name != rp[i].Name || &mp[i].T.Data[0] != &rp[i].T.Data[0] || mp[i].T == rp[i].T {
				t.Fatalf("%s: parameter %s not shared as data of a tensor of its own", cfg.Arch, mp[i].Name)
			}
		}
		const size = 67 // the smallest input both architectures take
		xs := make([]*tensor.Tensor, 4)
		want := make([]*tensor.Tensor, len(xs))
		for i := range xs {
			xs[i] = tensor.New(2, 3, size, size)
			for j := range xs[i].Data {
				xs[i].Data[j] = rng.Float32()
			}
			if want[i], err = m.Forward(xs[i]); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		got := make([][]*tensor.Tensor, 2)
		for k, mod := range []*AlexNet{m, r} {
			got[k] = make([]*tensor.Tensor, len(xs))
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range 3 {
					for i, x := range xs {
						y, err := mod.Forward(x)
						if err != nil {
							t.Error(err)
							return
						}
						got[k][i] = y
					}
				}
			}()
		}
		wg.Wait()
		for k := range got {
			for i := range xs {
				if got[k][i] == nil || !slices.Equal(got[k][i].Data, want[i].Data) {
					t.Fatalf("%s: model %d, input %d: logits differ when run beside the other", cfg.Arch, k, i)
				}
			}
		}
	}
}
