package quant

import "math"

// Observer chooses the quantizer of an activation from calibration data:
// Observe is called with each batch of values (any layout), Params then
// returns the quantizer for everything seen. Observers are not safe for
// concurrent use.
type Observer interface {
	Observe(x []float32)
	Params() (Params, error)
}

// bounds tracks the minimum and maximum of the values seen and whether
// any was NaN or infinite.
type bounds struct {
	lo, hi    float32
	n         int
	nonFinite bool
}

// observe updates b with x.
func (b *bounds) observe(x []float32) {
	for _, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			b.nonFinite = true
			continue
		}
		if b.n == 0 {
			b.lo, b.hi = v, v
		}
		b.n++
		b.lo, b.hi = min(b.lo, v), max(b.hi, v)
	}
}

// err is ErrNonFinite or ErrNoData when b cannot give a range.
func (b *bounds) err() error {
	switch {
	case b.nonFinite:
		return ErrNonFinite
	case b.n == 0:
		return ErrNoData
	}
	return nil
}

// MinMax is PyTorch 1.13's MinMaxObserver (dtype quint8,
// per_tensor_affine): it keeps the running minimum and maximum of every
// value observed and returns AffineParams(min, max, Range).
type MinMax struct {
	Range Range
	b     bounds
}

// NewMinMax returns a MinMax observer for r: Uint8 as MinMaxObserver's
// default, Uint8Reduced as fbgemm's reduce_range=True.
func NewMinMax(r Range) *MinMax { return &MinMax{Range: r} }

// Observe records the minimum and maximum of x.
func (m *MinMax) Observe(x []float32) { m.b.observe(x) }

// Params returns AffineParams(min, max, m.Range), or ErrNoData or
// ErrNonFinite.
func (m *MinMax) Params() (Params, error) {
	if err := m.b.err(); err != nil {
		return Params{}, err
	}
	return AffineParams(m.b.lo, m.b.hi, m.Range), nil
}
