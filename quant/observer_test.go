package quant

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// observers returns one observer of each kind for r.
func observers(r Range) map[string]Observer {
	return map[string]Observer{
		"minmax": NewMinMax(r), "histogram": NewHistogram(r), "percentile": NewPercentile(99.99, r), "entropy": NewEntropy(r),
	}
}

// TestObserverErrors: no data and non-finite data give typed errors.
func TestObserverErrors(t *testing.T) {
	for name, o := range observers(Uint8) {
		if _, err := o.Params(); !errors.Is(err, ErrNoData) {
			t.Errorf("%s with no data: %v", name, err)
		}
		o.Observe(nil)
		if _, err := o.Params(); !errors.Is(err, ErrNoData) {
			t.Errorf("%s with an empty batch: %v", name, err)
		}
		o.Observe([]float32{1, float32(math.NaN()), 2})
		if _, err := o.Params(); !errors.Is(err, ErrNonFinite) {
			t.Errorf("%s after a NaN: %v", name, err)
		}
	}
	for name, o := range observers(Uint8) {
		o.Observe([]float32{-1, float32(math.Inf(1))})
		if _, err := o.Params(); !errors.Is(err, ErrNonFinite) {
			t.Errorf("%s after an Inf: %v", name, err)
		}
	}
}

// TestObserversAllZero: an all-zero activation (a dead ReLU) gets scale
// Eps and zero point 0, as MinMaxObserver gives.
func TestObserversAllZero(t *testing.T) {
	for name, o := range observers(Uint8Reduced) {
		o.Observe(make([]float32, 10))
		o.Observe(make([]float32, 5))
		if p, err := o.Params(); err != nil || p != (Params{Eps, 0, Uint8Reduced}) {
			t.Errorf("%s: %+v, %v", name, p, err)
		}
	}
}

// gauss returns n standard normal values from a fixed seed.
func gauss(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	return x
}

// threshold observes the batches and returns the observer's clipping
// point and quantizer.
func threshold[O interface {
	Observer
	Threshold() float64
}](t *testing.T, o O, batches ...[]float32) (float64, Params) {
	t.Helper()
	for _, b := range batches {
		o.Observe(b)
	}
	p, err := o.Params()
	if err != nil {
		t.Fatal(err)
	}
	return o.Threshold(), p
}

// TestClippingKnownAnswers: uniform data keeps (nearly) all its range;
// heavy-tailed data (a Gaussian with a few huge outliers) is clipped near
// its body by both Percentile and Entropy; post-ReLU data keeps min 0.
func TestClippingKnownAnswers(t *testing.T) {
	uniform := make([]float32, 100000)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range uniform {
		uniform[i] = rng.Float32()
	}
	if th, _ := threshold(t, NewEntropy(Uint8), uniform); th < 0.95 || th > 1.01 {
		t.Errorf("entropy threshold of uniform [0, 1): %v, want about 1", th)
	}
	if th, _ := threshold(t, NewPercentile(99.99, Uint8), uniform); th < 0.999 || th > 1.01 {
		t.Errorf("99.99th percentile of uniform [0, 1): %v, want about 1", th)
	}
	body := gauss(200000, 1)
	outliers := []float32{1000, -800, 950, 1000}
	if th, _ := threshold(t, NewPercentile(99.99, Uint8), body, outliers); th < 3.5 || th > 5 {
		t.Errorf("99.99th percentile of |N(0,1)| with outliers at 1000: %v, want about 3.9", th)
	}
	th, p := threshold(t, NewEntropy(Uint8), body, outliers)
	if th < 2 || th > 100 { // no less than 128 bins: 1000/16
		t.Errorf("entropy threshold of N(0,1) with outliers at 1000: %v, want the outliers clipped", th)
	}
	if want := AffineParams(float32(-th), float32(th), Uint8); p != want {
		t.Errorf("entropy params %+v, want AffineParams(-t, t) = %+v", p, want)
	}
	relu := gauss(50000, 2)
	for i, v := range relu {
		relu[i] = max(v, 0)
	}
	th, p = threshold(t, NewPercentile(99.9, Uint8Reduced), relu, []float32{500})
	if want := AffineParams(0, float32(th), Uint8Reduced); p != want || p.ZeroPoint != 0 || th > 5 {
		t.Errorf("post-ReLU percentile: t %v, %+v, want %+v", th, p, want)
	}
}

// TestPercentile100IsMinMax: the 100th percentile keeps the whole range;
// percentiles outside (0, 100] are refused.
func TestPercentile100IsMinMax(t *testing.T) {
	x := gauss(5000, 3)
	for _, p := range []float64{0, -1, 100.5, math.NaN()} {
		o := NewPercentile(p, Uint8)
		o.Observe(x)
		if _, err := o.Params(); err == nil {
			t.Errorf("Percentile(%v) accepted", p)
		}
	}
	m, pc := NewMinMax(Uint8), NewPercentile(100, Uint8)
	m.Observe(x)
	pc.Observe(x)
	want, _ := m.Params()
	if got, err := pc.Params(); err != nil || got != want {
		t.Errorf("Percentile(100): %+v, %v; MinMax %+v", got, err, want)
	}
}

// TestHistogramGrowth: later larger batches add bins, then merge them in
// pairs; the counts stay exact and agree with one histogram built at the
// final width.
func TestHistogramGrowth(t *testing.T) {
	var h absHist
	h.observe([]float32{0, 0, 0}) // zeros before any width
	h.observe([]float32{1, -0.5})
	if h.w != 1.0/HistBins || len(h.counts) != HistBins+1 || h.counts[0] != 3 || h.counts[HistBins/2] != 1 {
		t.Fatalf("first batch: w %v, %d bins, counts[0] %d", h.w, len(h.counts), h.counts[0])
	}
	h.observe([]float32{1.5})
	if len(h.counts) != 3*HistBins/2+1 || h.w != 1.0/HistBins {
		t.Errorf("larger batch: w %v, %d bins", h.w, len(h.counts))
	}
	h.observe([]float32{-5})
	if h.w != 4.0/HistBins || len(h.counts) != 5*HistBins/4+1 {
		t.Errorf("after merging: w %v (want 4/%d), %d bins", h.w, HistBins, len(h.counts))
	}
	want := map[int]int64{0: 3, HistBins / 8: 1, HistBins / 4: 1, 3 * HistBins / 8: 1, 5 * HistBins / 4: 1}
	for k, c := range h.counts {
		if c != want[k] {
			t.Errorf("bin %d holds %d, want %d", k, c, want[k])
		}
	}
	if h.lo != -5 || h.hi != 1.5 || h.n != 7 {
		t.Errorf("bounds [%v, %v] over %d values", h.lo, h.hi, h.n)
	}
}

// TestEntropyReLUZeros: data that is mostly the exact zeros of a ReLU
// (90%) and otherwise uniform on [0, 10) keeps about its whole range: the
// zeros' bin counts as its neighbour, so KL does not spend the levels on
// the smallest values (without that, the threshold fell to about 1/8 of
// the maximum and a trained model's int8 top-1 to 6%).
func TestEntropyReLUZeros(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	x := make([]float32, 200000)
	for i := range x {
		if rng.IntN(10) == 0 {
			x[i] = 10 * rng.Float32()
		}
	}
	if th, _ := threshold(t, NewEntropy(Uint8), x); th < 9 || th > 10.1 {
		t.Errorf("entropy threshold of 90%% zeros and uniform [0, 10): %v, want about 10", th)
	}
}
