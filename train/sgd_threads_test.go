package train

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/alexnet-go/alexnet/kernels"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// sgdNaive is SGD.Step's update of one parameter as one serial loop, the
// twin the split update must match bit for bit. buf is nil without
// momentum.
func sgdNaive(o *SGD, w, g, buf []float32, first bool) {
	lr, mom, damp, wd := float32(o.LR), float32(o.Momentum), float32(1-o.Dampening), float32(o.WeightDecay)
	for i, d := range g {
		if wd != 0 {
			d += wd * w[i]
		}
		if buf != nil {
			if first {
				buf[i] = d
			} else {
				buf[i] = buf[i]*mom + damp*d
			}
			if o.Nesterov {
				d += mom * buf[i]
			} else {
				d = buf[i]
			}
		}
		w[i] -= lr * d
	}
}

// TestSGDThreads checks three Steps split over 1 to 4 goroutines against
// sgdNaive bit for bit, with and without momentum, Nesterov, dampening and
// weight decay, on parameters shorter and longer than kernels.ElementGrain.
func TestSGDThreads(t *testing.T) {
	sizes := []int{3, kernels.ElementGrain + 5, 3*kernels.ElementGrain + 17}
	for _, cfg := range []SGD{
		{LR: 0.01},
		{LR: 0.01, WeightDecay: 5e-4},
		{LR: 0.01, Momentum: 0.9, WeightDecay: 5e-4},
		{LR: 0.02, Momentum: 0.8, Dampening: 0.1},
		{LR: 0.01, Momentum: 0.9, WeightDecay: 1e-3, Nesterov: true},
	} {
		for threads := 1; threads <= 4; threads++ {
			rng := rand.New(rand.NewPCG(1, uint64(threads)))
			o := cfg
			o.Threads = threads
			g := nn.NewGrads()
			var params []nn.Param
			var want, bufs [][]float32
			for _, n := range sizes {
				p := tensor.New(n)
				for i := range p.Data {
					p.Data[i] = float32(rng.NormFloat64())
				}
				params = append(params, nn.Param{Name: "p", T: p})
				want = append(want, append([]float32(nil), p.Data...))
				if cfg.Momentum != 0 {
					bufs = append(bufs, make([]float32, n))
				} else {
					bufs = append(bufs, nil)
				}
			}
			for step := 0; step < 3; step++ {
				for j, p := range params {
					gd := g.Of(p.T).Data
					for i := range gd {
						gd[i] = float32(rng.NormFloat64())
					}
					sgdNaive(&cfg, want[j], gd, bufs[j], step == 0)
				}
				if err := o.Step(params, g); err != nil {
					t.Fatal(err)
				}
				for j, p := range params {
					for i, v := range p.T.Data {
						if math.Float32bits(v) != math.Float32bits(want[j][i]) {
							t.Fatalf("%+v threads %d step %d: param %d [%d] = %v, want %v", cfg, threads, step, j, i, v, want[j][i])
						}
					}
				}
			}
		}
	}
}
