package qmodel

import (
	"slices"

	"github.com/alexnet-go/alexnet/quant"
)

// Options configures Calibrate; the zero value means the defaults.
type Options struct {
	// Observer chooses the activation quantizers: "histogram" (the
	// default: quant.Histogram, PyTorch's HistogramObserver), "minmax",
	// "percentile" or "entropy".
	Observer string
	// Percentile is the "percentile" observer's P; 0 means 99.99.
	Percentile float64
	// ReduceRange quantizes activations to [0, 127] (fbgemm's
	// reduce_range) instead of the full [0, 255] onednn uses.
	ReduceRange bool
	// FP32Layers names the convolutions and linear layers kept in
	// float32, e.g. "features.0" and "classifier.6".
	FP32Layers []string
}

// newObserver returns a fresh observer of the kind o names.
func (o Options) newObserver() (quant.Observer, error) {
	r := quant.Uint8
	if o.ReduceRange {
		r = quant.Uint8Reduced
	}
	switch o.Observer {
	case "", "histogram":
		return quant.NewHistogram(r), nil
	case "minmax":
		return quant.NewMinMax(r), nil
	case "percentile":
		p := o.Percentile
		if p == 0 {
			p = 99.99
		}
		if !(p > 0 && p <= 100) {
			return nil, &OptionError{"Percentile", "must be in (0, 100]"}
		}
		return quant.NewPercentile(p, r), nil
	case "entropy":
		return quant.NewEntropy(r), nil
	}
	return nil, &OptionError{"Observer", "unknown observer " + `"` + o.Observer + `"`}
}

// float reports whether the layer called name stays float32.
func (o Options) float(name string) bool { return slices.Contains(o.FP32Layers, name) }
