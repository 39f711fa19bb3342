package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// StateDictError lists every problem LoadStateDict found, as PyTorch's
// strict load_state_dict does. Names are sorted.
type StateDictError struct {
	Missing    []string        // names the model has and the dict lacks
	Unexpected []string        // names the dict has and the model lacks
	Mismatched []ShapeMismatch // names in both with different shapes
}

// ShapeMismatch is one wrongly shaped tensor of a state dict.
type ShapeMismatch struct {
	Name      string
	Got, Want []int // Got from the dict, Want the model's
	GotLen    int   // len(Data) of the dict's tensor (-1 if nil)
}

// Error implements error.
func (e *StateDictError) Error() string {
	var parts []string
	if len(e.Missing) > 0 {
		parts = append(parts, "missing keys: "+strings.Join(e.Missing, ", "))
	}
	if len(e.Unexpected) > 0 {
		parts = append(parts, "unexpected keys: "+strings.Join(e.Unexpected, ", "))
	}
	for _, m := range e.Mismatched {
		s := fmt.Sprintf("size mismatch for %s: copying a param with shape %s, the shape in the model is %s",
			m.Name, tensor.ShapeString(m.Got), tensor.ShapeString(m.Want))
		if tensor.SameShape(m.Got, m.Want) {
			s += fmt.Sprintf(" (but it holds %d values)", m.GotLen)
		}
		parts = append(parts, s)
	}
	return "model: error loading state_dict: " + strings.Join(parts, "; ")
}

// LoadStateDict copies every tensor of sd into the parameter or buffer
// of the same name (State). It checks all names and shapes first and, if
// anything is missing, unexpected or wrongly shaped (including data whose
// length disagrees with its shape), loads nothing and returns a
// *StateDictError listing it all. A batch norm's num_batches_tracked, in
// files PyTorch saved, sets its NumBatchesTracked; it may be absent, as
// PyTorch also allows (and as StateDict leaves it).
func (m *AlexNet) LoadStateDict(sd map[string]*tensor.Tensor) error {
	e := &StateDictError{}
	params := m.State()
	have := make(map[string]bool, len(params))
	counters := map[string]*nn.BatchNorm2d{}
	for i, l := range m.Features.Layers {
		if b, ok := l.(*nn.BatchNorm2d); ok {
			name := fmt.Sprintf("features.%d.num_batches_tracked", i)
			counters[name], have[name] = b, true
		}
	}
	for _, p := range params {
		have[p.Name] = true
		t, ok := sd[p.Name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, p.Name)
		case t == nil || !tensor.SameShape(t.Shape, p.T.Shape) || len(t.Data) != p.T.Len():
			got, n := []int(nil), -1
			if t != nil {
				got, n = t.Shape, len(t.Data)
			}
			e.Mismatched = append(e.Mismatched, ShapeMismatch{p.Name, got, p.T.Shape, n})
		}
	}
	for name := range sd {
		if !have[name] {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	if len(e.Missing)+len(e.Unexpected)+len(e.Mismatched) > 0 {
		sort.Strings(e.Missing)
		sort.Strings(e.Unexpected)
		sort.Slice(e.Mismatched, func(i, j int) bool { return e.Mismatched[i].Name < e.Mismatched[j].Name })
		return e
	}
	for _, p := range params {
		copy(p.T.Data, sd[p.Name].Data)
	}
	for name, b := range counters {
		if t, ok := sd[name]; ok && len(t.Data) == 1 {
			b.NumBatchesTracked = int64(t.Data[0])
		}
	}
	m.ParamsChanged()
	return nil
}

// StateDict returns the parameters and buffers by name (State), sharing
// m's tensors.
func (m *AlexNet) StateDict() map[string]*tensor.Tensor {
	sd := make(map[string]*tensor.Tensor)
	for _, p := range m.State() {
		sd[p.Name] = p.T
	}
	return sd
}
