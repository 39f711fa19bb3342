package model

import (
	"fmt"
	"strings"

	"github.com/alexnet-go/alexnet/nn"
)

// LayerRow is one row of a layer table: a module with its PyTorch class
// name, output shape for the summarised input, parameter count and
// multiply-adds (convolutions and linear layers only, biases excluded).
type LayerRow struct {
	Name     string // e.g. "features.0", "avgpool", "classifier.6"
	Type     string // e.g. "Conv2d"
	OutShape []int
	Params   int
	MACs     int64
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

// Totals sums the parameters and multiply-adds of rows.
func Totals(rows []LayerRow) (params int, macs int64) {
	for _, r := range rows {
		params += r.Params
		macs += r.MACs
	}
	return params, macs
}
