package weights

import (
	"fmt"
	"math"
	"strconv"

	"github.com/alexnet-go/alexnet/tensor"
	"github.com/alexnet-go/alexnet/weights/onnxpb"
)

// Metadata keys ReadONNX sets on the state dict it returns: what the
// graph says of the model beyond its tensors. predict.Load applies them.
const (
	MetaArch      = "alexnet.arch"       // the architecture the graph computes
	MetaInputSize = "alexnet.input_size" // the graph's input side, when fixed
	MetaLRNBias   = "alexnet.lrn_bias"   // LRN's k (original: 2 in the paper, 1 in Caffe)
	MetaLayout    = "alexnet.layout"     // "caffe": BGR input in 0..255 minus the BGR mean (see ReadONNX)
	MetaOutput    = "alexnet.output"     // "softmax" when the graph's output is softmax(logits)
	MetaOpset     = "onnx.opset"         // the default domain's opset
	MetaPoolCeil  = "alexnet.pool_ceil"  // "1": the max pools round up (Caffe's pooling)
)

// initSource loads initializers, each once, counting their elements
// against a budget.
type initSource struct {
	inits  map[string]*onnxpb.TensorProto
	budget int64
	loaded map[string]*tensor.Tensor
	dir    string // the model's folder, where external data files are
}

// get returns initializer name as a tensor, naming errors after module's
// tensor (e.g. "features.0.weight") rather than the file's name for it.
func (s *initSource) get(name, as string) (*tensor.Tensor, error) {
	if t, ok := s.loaded[name]; ok {
		return t, nil
	}
	t, err := onnxTensor(s.inits[name], &s.budget, s.dir)
	if err != nil {
		return nil, tensorErr(as, err)
	}
	s.loaded[name] = t
	return t, nil
}

// archMatch follows one architecture along a graph's layers.
type archMatch struct {
	arch  onnxArch
	src   *initSource
	sd    *StateDict
	meta  map[string]string
	chans int // channels (features) of the value between layers
	side  int // its spatial side, 0 when unknown
	at    int // layers matched
	// rounding is how the max pools round where floor and ceil differ:
	// "" not seen yet, "floor" or "ceil".
	rounding string
}

// match checks layers against a's steps and returns the state dict and
// metadata, or an error on the first layer that a does not compute
// (m.at tells how far it got).
func (m *archMatch) match(layers []graphLayer) error {
	step := 0
	for _, l := range layers {
		for step < len(m.arch.steps) && m.arch.steps[step].optional && m.arch.steps[step].kind != l.kind {
			step++
		}
		bad := func(format string, args ...any) error {
			return &Error{Err: &GraphError{Node: l.node, Op: l.op, Msg: fmt.Sprintf(format, args...)}}
		}
		if step == len(m.arch.steps) {
			return bad("comes after classifier.6, the last layer of %s", m.arch.name)
		}
		st := m.arch.steps[step]
		if l.kind != st.kind {
			return bad("no layer of ours computes it here: %s has %s (%s)", m.arch.name, st.kind, st.module)
		}
		if msg, err := m.apply(st, l); err != nil {
			return err
		} else if msg != "" {
			return bad("%s (%s's %s)", msg, m.arch.name, st.module)
		}
		m.at++
		step++
	}
	for step < len(m.arch.steps) && m.arch.steps[step].optional {
		step++
	}
	if step < len(m.arch.steps) {
		st := m.arch.steps[step]
		return &Error{Err: &GraphError{Msg: fmt.Sprintf("graph ends before %s (%s of %s)", st.module, st.kind, m.arch.name)}}
	}
	return nil
}

// apply checks l against st and adds its parameters: a message says what
// is wrong, an error is from reading a tensor.
func (m *archMatch) apply(st archStep, l graphLayer) (string, error) {
	switch l.kind {
	case kindConv:
		return m.conv(st, l)
	case kindMaxPool:
		if l.k != st.k || l.s != st.s || l.p != 0 {
			return fmt.Sprintf("kernel %d stride %d padding %d, our layer has kernel %d stride %d padding 0", l.k, l.s, l.p, st.k, st.s), nil
		}
		return m.maxPool(l), nil
	case kindLRN:
		if l.size != lrnSize || math.Abs(float64(l.alpha)-lrnAlpha) > 1e-9 || l.beta != lrnBeta || l.bias <= 0 {
			return fmt.Sprintf("size %d alpha %g beta %g bias %g, our layer has size %d alpha %g beta %g", l.size, l.alpha, l.beta, l.bias, lrnSize, lrnAlpha, lrnBeta), nil
		}
		k := strconv.FormatFloat(float64(l.bias), 'g', -1, 32)
		if old, ok := m.meta[MetaLRNBias]; ok && old != k {
			return fmt.Sprintf("bias %s, the first LRN's is %s", k, old), nil
		}
		m.meta[MetaLRNBias] = k
	case kindBN:
		return m.batchNorm(st, l)
	case kindAvgPool:
		if l.k != 1 || l.s != 1 {
			return fmt.Sprintf("our avgpool is the identity here (AdaptiveAvgPool2d(%d) of a %d×%d map); this node pools with kernel %d stride %d (a global pool when 0)", m.arch.pool, m.arch.pool, m.arch.pool, l.k, l.s), nil
		}
	case kindFlatten:
		return m.flatten(l), nil
	case kindLinear:
		return m.linear(st, l)
	case kindSoftmax:
		m.meta[MetaOutput] = "softmax"
	}
	return "", nil
}

// maxPool checks a 3/2 max pool and how it rounds. ceil_mode = 1, or
// padding at the end that gives the ceil output size (Caffe's pooling as
// ONNX writes it: the windows past the end see -inf), is round-up
// pooling; padding at the end that gives the floor size is no padding (no
// window reaches it). All the pools where floor and ceil differ must
// round alike, as our model's pools do.
func (m *archMatch) maxPool(l graphLayer) string {
	n, k, s := m.side, l.k, l.s
	round := func(want string) string {
		if m.rounding != "" && m.rounding != want {
			return fmt.Sprintf("rounds by %s, an earlier max pool by %s: our pools round alike", want, m.rounding)
		}
		m.rounding = want
		return ""
	}
	if n == 0 {
		if l.padEnd > 0 {
			return "padding at the end on a map of unknown size (the graph's input has no fixed side)"
		}
		if l.ceil {
			return round("ceil")
		}
		return ""
	}
	floor, up := (n-k)/s+1, (n-k+s-1)/s+1
	out := (n+l.padEnd-k)/s + 1
	if l.ceil {
		out = (n+l.padEnd-k+s-1)/s + 1
	}
	if out != floor && out != up {
		return fmt.Sprintf("pads %d and ceil_mode %v give %d outputs of a %d-pixel map, neither floor's %d nor ceil's %d", l.padEnd, l.ceil, out, n, floor, up)
	}
	m.side = out
	if floor == up { // either rounding computes this pool
		return ""
	}
	if out == up {
		return round("ceil")
	}
	return round("floor")
}

// pooled is the output side of a window k, stride s, padding p over a
// side of n (0 when n is unknown).
func pooled(n, k, s, p int) int {
	if n == 0 {
		return 0
	}
	return (n+2*p-k)/s + 1
}

func (m *archMatch) conv(st archStep, l graphLayer) (string, error) {
	w, b, err := m.weights(st.module, l)
	if err != nil {
		return "", err
	}
	d := w.Shape
	if len(d) != 4 || d[2] != d[3] || l.k != 0 && l.k != d[2] {
		return fmt.Sprintf("weight %s does not fit kernel_shape %d", tensor.ShapeString(d), l.k), nil
	}
	k := d[2]
	if k != st.k || l.s != st.s || l.p != st.p || l.g != st.g {
		return fmt.Sprintf("kernel %d stride %d padding %d group %d, our layer has kernel %d stride %d padding %d group %d", k, l.s, l.p, l.g, st.k, st.s, st.p, st.g), nil
	}
	if m.side != 0 && m.side+2*l.p < k {
		return fmt.Sprintf("a %d-pixel map is smaller than the kernel", m.side), nil
	}
	m.side = pooled(m.side, k, l.s, l.p)
	if d[0]%l.g != 0 || m.chans%l.g != 0 || d[1] != m.chans/l.g {
		return fmt.Sprintf("weight %s does not fit %d input channels in %d groups", tensor.ShapeString(d), m.chans, l.g), nil
	}
	return m.add(st.module, l, w, b)
}

func (m *archMatch) linear(st archStep, l graphLayer) (string, error) {
	w, b, err := m.weights(st.module, l)
	if err != nil {
		return "", err
	}
	if len(w.Shape) == 2 && !l.transB {
		w = transpose(w)
	}
	if len(w.Shape) != 2 || w.Shape[1] != m.chans || w.Shape[0] < 1 {
		return fmt.Sprintf("weight %s does not fit %d inputs", tensor.ShapeString(w.Shape), m.chans), nil
	}
	return m.add(st.module, l, scaled(w, l.scaleW), scaled(b, l.scaleB))
}

// weights loads l's weight and bias (nil when l has none), naming errors
// after module's tensors.
func (m *archMatch) weights(module string, l graphLayer) (w, b *tensor.Tensor, err error) {
	for _, p := range l.params {
		if m.src.inits[p] == nil {
			return nil, nil, &Error{Err: &GraphError{Node: l.node, Op: l.op, Msg: fmt.Sprintf("%s: %q is not an initializer (our layers take constant weights)", module, p)}}
		}
	}
	if w, err = m.src.get(l.params[0], module+".weight"); err != nil || l.zeroBias {
		return w, nil, err
	}
	b, err = m.src.get(l.params[1], module+".bias")
	return w, b, err
}

// add adds w and b (zeros when nil) as module's weight and bias, after
// checking that b has one value per output.
func (m *archMatch) add(module string, l graphLayer, w, b *tensor.Tensor) (string, error) {
	out := w.Shape[0]
	if b == nil {
		b = tensor.New(out)
	}
	if len(b.Shape) != 1 || b.Shape[0] != out {
		return fmt.Sprintf("bias %s does not fit %d outputs", tensor.ShapeString(b.Shape), out), nil
	}
	m.chans = out
	if err := m.sd.Add(module+".weight", w); err != nil {
		return "", err
	}
	return "", m.sd.Add(module+".bias", b)
}

// scaled is t times a (Gemm's alpha or beta) as a new tensor, or t itself
// when a is 1.
func scaled(t *tensor.Tensor, a float32) *tensor.Tensor {
	if a == 1 || t == nil {
		return t
	}
	out := tensor.New(t.Shape...)
	for i, v := range t.Data {
		out.Data[i] = a * v
	}
	return out
}

func (m *archMatch) batchNorm(st archStep, l graphLayer) (string, error) {
	if l.eps != 1e-5 {
		return fmt.Sprintf("epsilon %g, our layer's is 1e-05", l.eps), nil
	}
	for i, p := range l.params {
		name := st.module + "." + bnNames[i]
		t, err := m.src.get(p, name)
		if err != nil {
			return "", err
		}
		if len(t.Shape) != 1 || t.Shape[0] != m.chans {
			return fmt.Sprintf("%s %s does not fit %d channels", bnNames[i], tensor.ShapeString(t.Shape), m.chans), nil
		}
		if err := m.sd.Add(name, t); err != nil {
			return "", err
		}
	}
	return "", nil
}

// bnNames are BatchNormalization's inputs after X as BatchNorm2d's
// state-dict names.
var bnNames = []string{"weight", "bias", "running_mean", "running_var"}

// flatten checks a Flatten or Reshape at the architecture's pool side.
func (m *archMatch) flatten(l graphLayer) string {
	p := m.arch.pool
	if m.side != 0 && m.side != p {
		return fmt.Sprintf("the map is %d×%d here; our avgpool makes it %d×%d", m.side, m.side, p, p)
	}
	f := int64(m.chans * p * p)
	if v := l.shape; v != nil && !(v[1] == -1 || v[1] == f) || v != nil && v[0] == -1 && v[1] != f {
		return fmt.Sprintf("shape %v is not torch.flatten(x, 1) of (N, %d, %d, %d)", v, m.chans, p, p)
	}
	m.chans *= p * p
	m.side = 0
	return ""
}
