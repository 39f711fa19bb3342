package explain

import (
	"fmt"
	"math"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/nn"
	"github.com/alexnet-go/alexnet/tensor"
)

// The methods.
const (
	GradCAM         = "gradcam"   // Selvaraju et al. 2017
	GradCAMPlusPlus = "gradcam++" // Chattopadhyay et al. 2018, as pytorch-grad-cam computes it
	Saliency        = "saliency"  // Simonyan et al. 2014: |∂score/∂image|, max over the channels
	Occlusion       = "occlusion" // Zeiler and Fergus 2014: the score's drop under a patch
)

// Methods lists the methods, the default first.
var Methods = []string{GradCAM, GradCAMPlusPlus, Saliency, Occlusion}

// Options chooses what Explain computes; the zero value means the
// defaults.
type Options struct {
	// Method is one of Methods; "" means GradCAM.
	Method string
	// Layer names the module whose output Grad-CAM weighs, as PyTorch's
	// nn.Sequential numbers it ("features.11"); "" means the ReLU after
	// the last convolution. A convolution's output is the one before its
	// ReLU, as in PyTorch.
	Layer string
	// Class is the index of the class whose score is explained; nil
	// means the top-1 class (see ClassIndex).
	Class *int
	// Patch and Stride are the occlusion's square side and step in
	// pixels; 0 means 32 and 16.
	Patch, Stride int
}

// Result is one image's explanation.
type Result struct {
	Method string
	Layer  string // Grad-CAM's layer; "" for the other methods
	Class  int    // the class explained
	// Logits are the model's logits for the image.
	Logits []float32
	// Map is the map before any upsampling: (h, w) of Layer's output for
	// Grad-CAM, (H, W) of the image for saliency, (⌊(H−Patch)/Stride⌋+1,
	// ⌊(W−Patch)/Stride⌋+1) patch positions for occlusion.
	Map *tensor.Tensor
}

// Explainer explains the predictions of one model. It keeps the layers
// it runs (their packed weights and buffers) from call to call; it is
// not safe for concurrent use.
type Explainer struct {
	m *model.AlexNet
	t *tape
}

// New returns an Explainer of m's predictions. It shares m's parameters
// and its layers without parameters: m must not run while it does.
func New(m *model.AlexNet) *Explainer {
	return &Explainer{m: m, t: newTape(m)}
}

// Explain is New(m).Explain(x, opt), for one explanation.
func Explain(m *model.AlexNet, x *tensor.Tensor, opt Options) (*Result, error) {
	return New(m).Explain(x, opt)
}

// Explain computes the explanation opt asks for of the model's prediction
// for x, one preprocessed image (1,3,H,W), by its float32 forward pass and
// the input gradients of its layers (nn's BackwardInput).
//
// Grad-CAM, with A the output of the layer (C,h,w), S the logit of the
// class and G = ∂S/∂A:
//
//	gradcam:   α_c = mean_ij G[c,i,j]
//	gradcam++: α_c = Σ_ij relu(G[c,i,j])·a[c,i,j], a = G² / (2G² + (Σ_ij A[c])·G³ + 1e-6) where G ≠ 0, else 0
//	map[i,j] = relu(Σ_c α_c·A[c,i,j])
//
// Saliency: map[y,x] = max_c |∂S/∂x[c,y,x]|. Occlusion: map[i,j] = S(x) −
// S(x'), x' being x with the Patch×Patch square at (i·Stride, j·Stride)
// set to 0 (the data set's mean after normalization), the occluded images
// batched through m.Forward.
func (e *Explainer) Explain(x *tensor.Tensor, opt Options) (*Result, error) {
	if x == nil || len(x.Shape) != 4 || x.Shape[0] != 1 || x.Shape[1] != 3 {
		var got []int
		if x != nil {
			got = x.Shape
		}
		return nil, &tensor.ShapeError{Op: "explain.Explain", Got: got, Msg: "want one image (1, 3, H, W)"}
	}
	if opt.Method == "" {
		opt.Method = GradCAM
	}
	t := e.t
	logits, err := t.forward(x)
	if err != nil {
		return nil, err
	}
	r := &Result{Method: opt.Method, Logits: append([]float32(nil), logits.Data...)}
	if r.Class, err = class(opt.Class, r.Logits); err != nil {
		return nil, err
	}
	switch opt.Method {
	case GradCAM, GradCAMPlusPlus:
		r.Layer, r.Map, err = gradCAM(t, opt, r.Class)
	case Saliency:
		r.Map, err = saliency(t, r.Class, len(r.Logits))
	case Occlusion:
		r.Map, err = occlusion(e.m, x, opt, r.Class)
	default:
		err = &OptionError{"Method", fmt.Sprintf("unknown method %q; the methods are %v", opt.Method, Methods)}
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// ClassIndex is k as Options.Class.
func ClassIndex(k int) *int { return &k }

// class is *want, checked, or the top-1 class when want is nil.
func class(want *int, logits []float32) (int, error) {
	if want != nil {
		if *want < 0 || *want >= len(logits) {
			return 0, &ClassError{*want, len(logits)}
		}
		return *want, nil
	}
	top := 0
	for i, v := range logits {
		if v > logits[top] {
			top = i
		}
	}
	return top, nil
}

// oneHot is ∂S/∂logits for the logit of class k: (1, n), 1 at k.
func oneHot(k, n int) *tensor.Tensor {
	d := tensor.New(1, n)
	d.Data[k] = 1
	return d
}

// DefaultLayer is the name of the ReLU after m's last convolution (after
// its batch norm, if any), Grad-CAM's default layer.
func DefaultLayer(m *model.AlexNet) string {
	t := newTape(m)
	return t.names[defaultIndex(t)]
}

// gradCAM computes Grad-CAM or Grad-CAM++ (opt.Method) at opt.Layer.
func gradCAM(t *tape, opt Options, k int) (string, *tensor.Tensor, error) {
	name := opt.Layer
	if name == "" {
		name = t.names[defaultIndex(t)]
	}
	at, err := t.index(name)
	if err != nil {
		return "", nil, err
	}
	a := t.ys[at]
	if len(a.Shape) != 4 {
		return "", nil, &OptionError{"Layer", fmt.Sprintf("%s's output %v is not a feature map (N, C, h, w)", name, a.Shape)}
	}
	g, err := t.backward(oneHot(k, len(t.ys[len(t.ys)-1].Data)), at)
	if err != nil {
		return "", nil, err
	}
	c, h, w := a.Shape[1], a.Shape[2], a.Shape[3]
	plane := h * w
	alpha := make([]float64, c)
	for ch := range c {
		gc, ac := g.Data[ch*plane:(ch+1)*plane], a.Data[ch*plane:(ch+1)*plane]
		alpha[ch] = channelWeight(opt.Method, gc, ac)
	}
	out := tensor.New(h, w)
	for p := range plane {
		s := 0.0
		for ch := range c {
			s += alpha[ch] * float64(a.Data[ch*plane+p])
		}
		out.Data[p] = float32(max(s, 0))
	}
	return name, out, nil
}

// defaultIndex is the index of DefaultLayer's module in t.
func defaultIndex(t *tape) int {
	at := len(t.names) - 1
	for i := 1; i < len(t.layers); i++ {
		if _, ok := t.layers[i].(*nn.ReLU); ok {
			switch t.layers[i-1].(type) {
			case *nn.Conv2d, *nn.BatchNorm2d:
				at = i
			}
		}
	}
	return at
}

// channelWeight is α_c of one channel, its gradient g and activation a.
func channelWeight(method string, g, a []float32) float64 {
	s := 0.0
	if method == GradCAM {
		for _, v := range g {
			s += float64(v)
		}
		return s / float64(len(g))
	}
	sumA := 0.0
	for _, v := range a {
		sumA += float64(v)
	}
	for _, v := range g {
		if v == 0 {
			continue
		}
		g2 := float64(v) * float64(v)
		aij := g2 / (2*g2 + sumA*g2*float64(v) + 1e-6)
		s += math.Max(float64(v), 0) * aij
	}
	return s
}

// saliency is max_c |∂S/∂x| (H, W).
func saliency(t *tape, k, n int) (*tensor.Tensor, error) {
	dx, err := t.backward(oneHot(k, n), -1)
	if err != nil {
		return nil, err
	}
	h, w := dx.Shape[2], dx.Shape[3]
	plane := h * w
	out := tensor.New(h, w)
	for p := range plane {
		m := float32(0)
		for c := range 3 {
			m = max(m, float32(math.Abs(float64(dx.Data[c*plane+p]))))
		}
		out.Data[p] = m
	}
	return out, nil
}

// Activations returns the output of the module called layer for x (1, 3,
// H, W), as PyTorch's module returns it (a convolution's before its
// ReLU): (C, h, w) for a feature map. The tensor is the layer's buffer,
// valid until the next call.
func (e *Explainer) Activations(x *tensor.Tensor, layer string) (*tensor.Tensor, error) {
	at, err := e.t.index(layer)
	if err != nil {
		return nil, err
	}
	if _, err := e.t.forward(x); err != nil {
		return nil, err
	}
	y := e.t.ys[at]
	return &tensor.Tensor{Shape: y.Shape[1:], Data: y.Data[:len(y.Data)/y.Shape[0]]}, nil
}
