package model

import (
	"errors"
	"math"
	"math/rand"
	"testing"

	"github.com/alexnet-go/alexnet/tensor"
)

// Profile gives Forward's logits bit for bit, on both module layouts, and
// one row per Summary row: same names and types, output shapes and MACs
// for the batch (Summary's are for one image).
func TestProfileMatchesForwardAndSummary(t *testing.T) {
	const batch, size = 2, 67
	for _, cfg := range smallConfigs {
		t.Run(cfg.Arch, func(t *testing.T) {
			rng := rand.New(rand.NewSource(7))
			m := newModel(t, cfg, func() float32 { return float32(rng.NormFloat64() * 0.3) })
			x := tensor.New(batch, 3, size, size)
			for i := range x.Data {
				x.Data[i] = float32(rng.NormFloat64())
			}
			want, err := m.Forward(x)
			if err != nil {
				t.Fatal(err)
			}
			got, times, err := m.Profile(x)
			if err != nil {
				t.Fatal(err)
			}
			if !tensor.SameShape(got.Shape, want.Shape) {
				t.Fatalf("Profile shape %v, Forward %v", got.Shape, want.Shape)
			}
			nonzero := false
			for i := range got.Data {
				if math.Float32bits(got.Data[i]) != math.Float32bits(want.Data[i]) {
					t.Fatalf("logit %d: Profile %v, Forward %v", i, got.Data[i], want.Data[i])
				}
				nonzero = nonzero || got.Data[i] != 0
			}
			if !nonzero {
				t.Fatal("all logits are zero: the test compares nothing")
			}
			rows, err := m.Summary(size)
			if err != nil {
				t.Fatal(err)
			}
			if len(times) != len(rows) {
				t.Fatalf("%d layer times, %d summary rows", len(times), len(rows))
			}
			for i, lt := range times {
				r := rows[i]
				shape := append([]int{batch}, r.OutShape[1:]...)
				if lt.Name != r.Name || lt.Type != r.Type || lt.MACs != batch*r.MACs ||
					!tensor.SameShape(lt.OutShape, shape) || lt.Seconds < 0 {
					t.Errorf("row %d: %+v, summary %+v", i, lt, r)
				}
			}
		})
	}
}

func TestProfileShapeError(t *testing.T) {
	m := narrow(t)
	var se *tensor.ShapeError
	for _, x := range []*tensor.Tensor{nil, tensor.New(1, 1, 80, 80), tensor.New(1, 3, 40, 40)} {
		if _, _, err := m.Profile(x); !errors.As(err, &se) {
			t.Errorf("Profile(%v): err = %v, want *tensor.ShapeError", x, err)
		}
	}
}
