package weights

import (
	"fmt"
	"slices"
	"sort"

	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// nodeAttrs are a node's attributes by name, and the first attribute
// read with a type other than the one asked for.
type nodeAttrs struct {
	m   map[string]*onnxpb.AttributeProto
	bad string
}

func attrs(n *onnxpb.NodeProto) *nodeAttrs {
	a := &nodeAttrs{m: map[string]*onnxpb.AttributeProto{}}
	for _, at := range n.GetAttribute() {
		a.m[at.GetName()] = at
	}
	return a
}

// get returns attribute name if it is present with type want (else
// noting it in a.bad).
func (a *nodeAttrs) get(name string, want onnxpb.AttributeProto_AttributeType) (*onnxpb.AttributeProto, bool) {
	at, ok := a.m[name]
	if ok && at.GetType() != want {
		if a.bad == "" {
			a.bad = fmt.Sprintf("attribute %s has type %v, want %v", name, at.GetType(), want)
		}
		return nil, false
	}
	return at, ok
}

// int is the INT attribute name, or def when it is absent.
func (a *nodeAttrs) int(name string, def int64) int64 {
	if at, ok := a.get(name, onnxpb.AttributeProto_INT); ok {
		return at.GetI()
	}
	return def
}

// float is the FLOAT attribute name, or def when it is absent.
func (a *nodeAttrs) float(name string, def float32) float32 {
	if at, ok := a.get(name, onnxpb.AttributeProto_FLOAT); ok {
		return at.GetF()
	}
	return def
}

// ints is the INTS attribute name, or def when it is absent.
func (a *nodeAttrs) ints(name string, def ...int64) []int64 {
	if at, ok := a.get(name, onnxpb.AttributeProto_INTS); ok {
		return at.GetInts()
	}
	return def
}

// str is the STRING attribute name, or "" when it is absent.
func (a *nodeAttrs) str(name string) string {
	if at, ok := a.get(name, onnxpb.AttributeProto_STRING); ok {
		return string(at.GetS())
	}
	return ""
}

// only says which attribute is not one of allowed, or which was read
// with the wrong type, or "". Call it after reading the attributes.
func (a *nodeAttrs) only(allowed ...string) string {
	names := make([]string, 0, len(a.m))
	for name := range a.m {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !slices.Contains(allowed, name) {
			return fmt.Sprintf("attribute %s is not supported", name)
		}
	}
	return a.bad
}

// window reads the kernel, stride, padding, dilation, group and ceil_mode
// of a Conv (conv) or pooling node into l: a square kernel, equal
// strides, the same padding on every side, no dilation.
func (a *nodeAttrs) window(l *graphLayer, conv bool, allowed ...string) string {
	pair := func(name string, v []int64) (int, string) {
		if len(v) != 2 || v[0] != v[1] || v[0] < 0 || v[0] > 1<<16 {
			return 0, fmt.Sprintf("%s = %v, our layers take two equal values", name, v)
		}
		return int(v[0]), ""
	}
	var msg string
	if k := a.ints("kernel_shape"); k != nil || !conv {
		if l.k, msg = pair("kernel_shape", k); msg != "" {
			return msg
		}
	}
	if l.s, msg = pair("strides", a.ints("strides", 1, 1)); msg != "" {
		return msg
	}
	if d := a.ints("dilations", 1, 1); len(d) != 2 || d[0] != 1 || d[1] != 1 {
		return fmt.Sprintf("dilations = %v, our layers compute [1 1]", d)
	}
	p := a.ints("pads", 0, 0, 0, 0)
	switch {
	case len(p) == 4 && l.kind == kindMaxPool && p[0] == 0 && p[1] == 0 && p[2] == p[3] && p[2] > 0 && p[2] < int64(l.k):
		// pads at the end only: Caffe's round-up pooling (archMatch)
		l.padEnd = int(p[2])
	case len(p) != 4 || p[0] != p[1] || p[0] != p[2] || p[0] != p[3] || p[0] < 0 || p[0] > 1<<16:
		return fmt.Sprintf("pads = %v, our layers pad every side alike (or, max pooling, the end only)", p)
	default:
		l.p = int(p[0])
	}
	if ap := a.str("auto_pad"); ap != "" && ap != "NOTSET" && ap != "VALID" {
		return fmt.Sprintf("auto_pad = %s is not supported (give pads)", ap)
	}
	if g := a.int("group", 1); g < 1 || g > 1<<16 {
		return fmt.Sprintf("group = %d", g)
	} else {
		l.g = int(g)
	}
	if a.int("storage_order", 0) != 0 {
		return "storage_order = 1 is not supported"
	}
	l.ceil = a.int("ceil_mode", 0) != 0
	if l.kind == kindAvgPool && l.p > 0 {
		return "a padded AveragePool is not supported"
	}
	a.int("count_include_pad", 0) // no padding: no effect; read for its type
	return a.only(allowed...)
}
