package explain

import (
	"fmt"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// occlusionBatch is how many occluded images go through one forward pass.
const occlusionBatch = 64

// occlusion is Zeiler and Fergus's occlusion map of x for class k: the
// drop of the class's logit when each Patch×Patch square, Stride apart, is
// set to 0, the unoccluded logit from the same forward pass as theirs.
func occlusion(m *model.AlexNet, x *tensor.Tensor, opt Options, k int) (*tensor.Tensor, error) {
	p, s := opt.Patch, opt.Stride
	if p == 0 {
		p = 32
	}
	if s == 0 {
		s = 16
	}
	h, w := x.Shape[2], x.Shape[3]
	if p < 1 || s < 1 || p > min(h, w) {
		return nil, &OptionError{"Patch", fmt.Sprintf("patch %d stride %d for a %d×%d image", p, s, h, w)}
	}
	nh, nw := (h-p)/s+1, (w-p)/s+1
	base, err := logitOf(m, x, k)
	if err != nil {
		return nil, err
	}
	out := tensor.New(nh, nw)
	plane := h * w
	for first := 0; first < nh*nw; first += occlusionBatch {
		n := min(occlusionBatch, nh*nw-first)
		b := tensor.New(n, 3, h, w)
		for i := range n {
			img := b.Data[i*3*plane : (i+1)*3*plane]
			copy(img, x.Data)
			y0, x0 := (first+i)/nw*s, (first+i)%nw*s
			for c := range 3 {
				for y := y0; y < y0+p; y++ {
					clear(img[c*plane+y*w+x0 : c*plane+y*w+x0+p])
				}
			}
		}
		y, err := m.Forward(b)
		if err != nil {
			return nil, fmt.Errorf("explain: occlusion: %w", err)
		}
		classes := y.Shape[1]
		for i := range n {
			out.Data[first+i] = base - y.Data[i*classes+k]
		}
	}
	return out, nil
}

// logitOf is m's logit of class k for x.
func logitOf(m *model.AlexNet, x *tensor.Tensor, k int) (float32, error) {
	y, err := m.Forward(x)
	if err != nil {
		return 0, fmt.Errorf("explain: occlusion: %w", err)
	}
	return y.Data[k], nil
}
