package qmodel

import (
	"context"
	"math"
	"testing"

	"github.com/alexnet-go/alexnet/internal/testutil/narrowmodel"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/quant"
	"github.com/alexnet-go/alexnet/tensor"
)

// narrow loads the narrow fixture model testdata/model/<name> with its
// state dict and input batch.
func narrow(t testing.TB, name string) (*model.AlexNet, model.Config, *tensor.Tensor) {
	t.Helper()
	return narrowmodel.Load(t, name)
}

// one yields x as the only calibration batch.
func one(x *tensor.Tensor) Batches {
	return func(yield func(*tensor.Tensor) error) error { return yield(x) }
}

// calibrate is Calibrate on the batch x, failing t on an error.
func calibrate(t testing.TB, m *model.AlexNet, x *tensor.Tensor, opt Options) *quant.Model {
	t.Helper()
	qm, err := Calibrate(context.Background(), m, one(x), opt)
	if err != nil {
		t.Fatal(err)
	}
	return qm
}

// forward is m.Forward(x), failing t on an error.
func forward(t testing.TB, m interface {
	Forward(*tensor.Tensor) (*tensor.Tensor, error)
}, x *tensor.Tensor) *tensor.Tensor {
	t.Helper()
	y, err := m.Forward(x)
	if err != nil {
		t.Fatal(err)
	}
	return y
}

// logitRange is max − min over all of y's values.
func logitRange(y *tensor.Tensor) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range y.Data {
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	return hi - lo
}
