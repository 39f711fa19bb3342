package model

import "testing"

// smallConfigs are small AlexNets of both module layouts, torchvision's
// and the original's, for the tests that need no fixture; each takes
// inputs from 67×67 up.
var smallConfigs = []Config{
	{Arch: ArchTorchvision, Channels: [5]int{5, 7, 9, 3, 4}, Hidden: 11, NumClasses: 6, Threads: 2},
	{Arch: ArchOriginal, Channels: [5]int{4, 6, 8, 6, 4}, Hidden: 8, NumClasses: 3, Threads: 2},
}

// newModel returns New(cfg) with every parameter value set to draw(), in
// Parameters order, or left zero when draw is nil.
func newModel(t testing.TB, cfg Config, draw func() float32) *AlexNet {
	t.Helper()
	m, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if draw != nil {
		for _, p := range m.Parameters() {
			for i := range p.T.Data {
				p.T.Data[i] = draw()
			}
		}
	}
	return m
}
