package model

import (
	"fmt"
	"strings"

	"github.com/alexnet-go/alexnet/nn"
)

// LayerRow is one row of a layer table: a module with its PyTorch class
// name, output shape for the summarised input, parameter count,
// multiply-adds (convolutions and linear layers only, biases excluded) and
// the bytes its parameters take at each precision.
type LayerRow struct {
	Name     string // e.g. "features.0", "avgpool", "classifier.6"
	Type     string // e.g. "Conv2d"
	OutShape []int
	Params   int
	MACs     int64
	// BytesF32 is 4 bytes a parameter.
	BytesF32 int64
	// BytesInt8 is what the layer takes quantized: a byte per weight of a
	// convolution or linear layer, a float32 scale per output channel and
	// its input activation's scale and zero point (4 bytes each); biases
	// and the other parameters stay float32.
	BytesInt8 int64
}

// bytesInt8 is BytesInt8 for layer l with params parameters.
func bytesInt8(l nn.Layer, params int) int64 {
	switch l := l.(type) {
	case *nn.Conv2d:
		return int64(l.Weight.Len()) + 4*int64(params-l.Weight.Len()+l.OutC+2)
	case *nn.Linear:
		return int64(l.Weight.Len()) + 4*int64(params-l.Weight.Len()+l.Out+2)
	}
	return 4 * int64(params)
}

// Summary returns one row per module (in forward order; the flatten
// between avgpool and classifier is a function in torchvision, not a
// module, so it has no row) for one image of size×size, or of
// Config.InputSize when size is 0.
func (m *AlexNet) Summary(size int) ([]LayerRow, error) {
	if size == 0 {
		size = m.cfg.InputSize
	}
	shape := []int{1, 3, size, size}
	var rows []LayerRow
	add := func(name string, l nn.Layer) error {
		out, err := l.OutputShape(shape)
		if err != nil {
			return fmt.Errorf("model: summary %s: %w", name, err)
		}
		r := LayerRow{Name: name, Type: strings.TrimPrefix(fmt.Sprintf("%T", l), "*nn."), OutShape: out}
		for _, p := range l.Params() {
			r.Params += p.T.Len()
		}
		if c, ok := l.(nn.MACer); ok {
			r.MACs = c.MACs(shape)
		}
		r.BytesF32, r.BytesInt8 = 4*int64(r.Params), bytesInt8(l, r.Params)
		rows = append(rows, r)
		shape = out
		return nil
	}
	for i, l := range m.Features.Layers {
		if err := add(fmt.Sprintf("features.%d", i), l); err != nil {
			return nil, err
		}
	}
	if err := add("avgpool", m.Avgpool); err != nil {
		return nil, err
	}
	shape = []int{shape[0], shape[1] * shape[2] * shape[3]}
	for i, l := range m.Classifier.Layers {
		if err := add(fmt.Sprintf("classifier.%d", i), l); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// Totals sums the columns of rows (Name, Type and OutShape empty).
func Totals(rows []LayerRow) LayerRow {
	var t LayerRow
	for _, r := range rows {
		t.Params += r.Params
		t.MACs += r.MACs
		t.BytesF32 += r.BytesF32
		t.BytesInt8 += r.BytesInt8
	}
	return t
}
