package dataset

import (
	"context"
	"errors"
	"testing"
)

// Memory indexes its samples, and Each stops at fn's error and at a
// cancelled context.
func TestMemory(t *testing.T) {
	m := &Memory{Title: "m", ClassNames: []string{"a", "b"},
		Samples: []Sample{{Index: 0, Name: "x", Label: 1}, {Index: 1, Name: "y", Label: 0}}}
	var ix Indexed = m
	if ix.Len() != 2 || ix.LabelAt(0) != 1 || ix.At(1).Name != "y" || ix.Name() != "m" || len(ix.Classes()) != 2 {
		t.Errorf("Memory: len %d, label %d, at(1) %q, name %q", ix.Len(), ix.LabelAt(0), ix.At(1).Name, ix.Name())
	}
	stop := errors.New("stop")
	n := 0
	if err := m.Each(context.Background(), func(Sample) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Each: %v after %d samples, want stop after 1", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.Each(ctx, func(Sample) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Each with a cancelled context: %v", err)
	}
}
