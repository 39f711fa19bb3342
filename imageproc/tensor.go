package imageproc

import "github.com/alexnet-go/alexnet/tensor"

// ImageNet's per-channel mean and standard deviation, as float32 (what
// torch.as_tensor(..., dtype=torch.float32) makes of torchvision's list).
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// ToTensor is torchvision's ToTensor on a uint8 RGB image: a (3,H,W)
// tensor holding float32(v) / 255 for each byte, a true float32 division
// (torch's div by the scalar 255 on CPU divides; it does not multiply by
// a rounded reciprocal, which differs for 126 of the 256 values). A
// malformed src gives nil.
func ToTensor(src *RGB) *tensor.Tensor {
	if !src.valid() {
		return nil
	}
	var lut [256]float32
	for i := range lut {
		lut[i] = float32(i) / 255
	}
	n := src.W * src.H
	t := tensor.New(3, src.H, src.W)
	r, g, b := t.Data[:n], t.Data[n:2*n], t.Data[2*n:]
	for i := 0; i < n; i++ {
		p := src.Pix[3*i : 3*i+3]
		r[i], g[i], b[i] = lut[p[0]], lut[p[1]], lut[p[2]]
	}
	return t
}

// Normalize is torchvision's Normalize(mean, std) in place on a (3,H,W)
// float32 tensor: x = (x - mean[c]) / std[c], each step rounded to float32
// as torch's sub_ then div_ do. It returns t; a tensor not of shape
// (3,H,W) is returned unchanged.
func Normalize(t *tensor.Tensor, mean, std [3]float32) *tensor.Tensor {
	if t == nil || len(t.Shape) != 3 || t.Shape[0] != 3 || len(t.Data) != tensor.Numel(t.Shape) {
		return t
	}
	n := t.Shape[1] * t.Shape[2]
	for c := 0; c < 3; c++ {
		m, s := mean[c], std[c]
		d := t.Data[c*n : (c+1)*n]
		for i, v := range d {
			d[i] = (v - m) / s
		}
	}
	return t
}

// ToNormalizedTensor is Normalize(ToTensor(src), mean, std) in one pass
// (see NormalizeInto). A malformed src gives nil.
func ToNormalizedTensor(src *RGB, mean, std [3]float32) *tensor.Tensor {
	if !src.valid() {
		return nil
	}
	t := tensor.New(3, src.H, src.W)
	NormalizeInto(t.Data, src, mean, std)
	return t
}

// NormalizeInto writes Normalize(ToTensor(src), mean, std) to dst, the
// (3,H,W) planes of src's size: each channel's 256 possible values,
// computed with the same float32 steps, are looked up. It reports false,
// writing nothing, when src is malformed or len(dst) != 3*W*H.
func NormalizeInto(dst []float32, src *RGB, mean, std [3]float32) bool {
	n := src.W * src.H
	if !src.valid() || len(dst) != 3*n {
		return false
	}
	var lut [3][256]float32
	for c := range lut {
		for i := range lut[c] {
			lut[c][i] = (float32(i)/255 - mean[c]) / std[c]
		}
	}
	r, g, b := dst[:n], dst[n:2*n], dst[2*n:3*n]
	pix := src.Pix[:3*n]
	for i := range r {
		p := pix[3*i : 3*i+3 : 3*i+3]
		r[i], g[i], b[i] = lut[0][p[0]], lut[1][p[1]], lut[2][p[2]]
	}
	return true
}
