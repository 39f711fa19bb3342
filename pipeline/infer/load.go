package infer

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/predict"
	"github.com/alexnet-go/alexnet/weights"
)

// Model names the weights a DoFn runs: the fields are serialized with
// the DoFn, so every worker loads the same model.
type Model struct {
	Arch      string // torchvision, original, tiny or tiny-bn; "": the weights file's (predict.FileArch)
	Weights   string // the weights file; "" finds it as `alexnet classify` does
	Precision string // fp32 (or "") or int8 (a file of `alexnet quantize`)
	Threads   int    // forward-pass threads per replica; <= 0 means all cores
}

// Resolve returns m with Weights set to the file `alexnet classify`
// would use: the flag, else $ALEXNET_WEIGHTS, else (for torchvision, or
// no Arch) the caches or a download of the official file.
func (m Model) Resolve(ctx context.Context) (Model, error) {
	if m.Arch != "" && m.Arch != model.ArchTorchvision {
		if m.Weights == "" {
			m.Weights = os.Getenv("ALEXNET_WEIGHTS")
		}
		if m.Weights == "" {
			return m, fmt.Errorf("--arch %s has no published weights: pass --weights FILE (or set $ALEXNET_WEIGHTS)", m.Arch)
		}
		return m, nil
	}
	path, err := weights.Resolve(ctx, m.Weights, &weights.ResolveOptions{Explicit: "the --weights flag"})
	if err != nil {
		return m, err
	}
	m.Weights = path
	return m, nil
}

// loaded holds the predictors this process has loaded, by Model: a
// worker reads each weights file once, whatever the number of DoFn
// instances, stages and bundles that use it.
var loaded struct {
	sync.Mutex
	m map[Model]*predict.Predictor
}

// Load returns the process's Predictor of m, loading it the first
// time. The weights are found where Load runs (Resolve): with no
// Weights, each worker finds (or downloads) torchvision's in its own
// cache. The Predictor is shared: run forward passes on a Replica.
func Load(ctx context.Context, m Model) (*predict.Predictor, error) {
	r, err := m.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	loaded.Lock()
	defer loaded.Unlock()
	if p := loaded.m[r]; p != nil {
		return p, nil
	}
	var p *predict.Predictor
	switch m.Precision {
	case "", "fp32":
		p, err = predict.Load(r.Arch, r.Weights, m.Threads)
	case "int8":
		p, err = predict.LoadInt8(r.Arch, r.Weights, m.Threads)
	default:
		err = fmt.Errorf("--precision %q: want fp32 or int8", m.Precision)
	}
	if err != nil {
		return nil, err
	}
	if loaded.m == nil {
		loaded.m = map[Model]*predict.Predictor{}
	}
	loaded.m[r] = p
	return p, nil
}
