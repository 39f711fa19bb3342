package train

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/alexnet-go/alexnet/internal/numcmp"
	"github.com/alexnet-go/alexnet/internal/testutil"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

func flatten(v any) []float32 {
	switch v := v.(type) {
	case float64:
		return []float32{float32(v)}
	case []any:
		var out []float32
		for _, e := range v {
			out = append(out, flatten(e)...)
		}
		return out
	}
	panic(fmt.Sprintf("unexpected %T", v))
}

// TestSGDMatchesPyTorch runs four steps of torch.optim.SGD settings
// (plain, momentum with weight decay, dampening, Nesterov, weight decay
// alone) on two parameters and compares them after every step.
func TestSGDMatchesPyTorch(t *testing.T) {
	var fx struct {
		Shapes [][]int `json:"shapes"`
		Init   []any   `json:"init"`
		Grads  [][]any `json:"grads"`
		Cases  []struct {
			Config struct {
				LR          float64 `json:"lr"`
				Momentum    float64 `json:"momentum"`
				Dampening   float64 `json:"dampening"`
				WeightDecay float64 `json:"weight_decay"`
				Nesterov    bool    `json:"nesterov"`
			} `json:"config"`
			After [][]any `json:"after"`
		} `json:"cases"`
	}
	testutil.ReadJSON(t, filepath.Join(fixtures, "sgd.json"), &fx)
	for ci, c := range fx.Cases {
		var params []nn.Param
		for i, s := range fx.Shapes {
			p, _ := tensor.FromData(flatten(fx.Init[i]), s...)
			params = append(params, nn.Param{Name: fmt.Sprint(i), T: p})
		}
		cfg := c.Config
		o := &SGD{LR: cfg.LR, Momentum: cfg.Momentum, Dampening: cfg.Dampening, WeightDecay: cfg.WeightDecay, Nesterov: cfg.Nesterov}
		g := nn.NewGrads()
		var worst float64
		for step, grads := range fx.Grads {
			for i, p := range params {
				copy(g.Of(p.T).Data, flatten(grads[i]))
			}
			if err := o.Step(params, g); err != nil {
				t.Fatal(err)
			}
			for i, p := range params {
				e := numcmp.RelMaxDiff(p.T.Data, flatten(c.After[step][i]))
				worst = max(worst, e)
				if e > 1e-6 {
					t.Errorf("case %d %+v step %d param %d: relative error %.3g", ci, cfg, step, i, e)
				}
			}
		}
		t.Logf("case %d %+v: max relative error %.3g", ci, cfg, worst)
	}
}

func TestSGDSkipsAndValidates(t *testing.T) {
	p, q := tensor.New(3), tensor.New(2)
	copy(p.Data, []float32{1, 2, 3})
	copy(q.Data, []float32{4, 5})
	g := nn.NewGrads()
	copy(g.Of(p).Data, []float32{1, 1, 1})
	o := &SGD{LR: 0.5, Momentum: 0.9}
	if err := o.Step([]nn.Param{{Name: "p", T: p}, {Name: "q", T: q}}, g); err != nil {
		t.Fatal(err)
	}
	if p.Data[0] != 0.5 || q.Data[0] != 4 || o.MomentumBuffer(q) != nil || o.MomentumBuffer(p).Data[2] != 1 {
		t.Errorf("p = %v, q = %v: want p stepped, q (no gradient) untouched", p.Data, q.Data)
	}
	var ce *ConfigError
	for _, bad := range []*SGD{{LR: -1}, {LR: 0.1, Nesterov: true}, {LR: 0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true}, {LR: 0.1, WeightDecay: -1}} {
		if err := bad.Step(nil, g); !errors.As(err, &ce) {
			t.Errorf("%+v: err = %v, want *ConfigError", bad, err)
		}
	}
}
