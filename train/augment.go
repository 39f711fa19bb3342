package train

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/tensor"
)

// PCA colour augmentation of Krizhevsky et al. (2012), section 4.1, with
// the ImageNet RGB eigenvalues and eigenvectors that fb.resnet.torch
// (datasets/imagenet.lua, Lighting) and torchvision's references use:
// PCAEigvec[c][j] is component c of eigenvector j.
var (
	PCAEigval = [3]float64{0.2175, 0.0188, 0.0045}
	PCAEigvec = [3][3]float64{
		{-0.5675, 0.7192, 0.4009},
		{-0.5808, -0.0045, -0.8140},
		{-0.5836, -0.6948, 0.4203},
	}
)

// Augment is the training transform, torchvision 0.14 on a PIL image:
//
//	RandomCrop:        Compose([Resize(Resize), RandomCrop(Size)]) (the paper's
//	                   random 224 crops of the 256 image when Resize 256, Size 224)
//	RandomResizedCrop: RandomResizedCrop(Size, Scale, Ratio) (bilinear)
//
// then RandomHorizontalFlip() when Flip, ToTensor(), the PCA lighting
// noise when PCAStd > 0, and Normalize(Mean, Std). Every draw comes from
// the rng passed to Apply; the draws are torchvision's (uniform,
// log-uniform, randint), made with Go's generator. Resize 0 skips the
// resize; a crop larger than the image is zero-padded.
//
// An Augment is safe for concurrent use.
type Augment struct {
	Size          int  // output side
	Resize        int  // shorter side before RandomCrop; 0 = none
	RandomResized bool // RandomResizedCrop instead of Resize + RandomCrop
	// Scale and Ratio bound RandomResizedCrop's area fraction and aspect
	// ratio; zero values mean torchvision's (0.08, 1) and (3/4, 4/3).
	Scale, Ratio [2]float64
	Flip         bool
	// PCAStd is the standard deviation of the lighting noise α (0.1 in the
	// paper); 0 turns it off.
	PCAStd    float64
	Mean, Std [3]float32
}

// PaperAugment is the paper's augmentation at the given sizes: Resize,
// random Size crop, flip, PCA lighting with σ 0.1, ImageNet normalisation.
func PaperAugment(resize, size int) *Augment {
	return &Augment{Size: size, Resize: resize, Flip: true, PCAStd: 0.1,
		Mean: imageproc.ImageNetMean, Std: imageproc.ImageNetStd}
}

// EvalTransform is the validation transform that goes with a: Resize(a.Resize)
// (none when 0), CenterCrop(a.Size), normalisation.
func (a *Augment) EvalTransform() *imageproc.Options {
	return &imageproc.Options{ResizeSize: a.Resize, CropSize: a.Size, Mean: a.Mean, Std: a.Std}
}

// Apply returns the (3,Size,Size) training tensor of img, or nil for an
// image without pixels.
func (a *Augment) Apply(img *imageproc.RGB, rng *rand.Rand) *tensor.Tensor {
	if img == nil || img.W < 1 || img.H < 1 || len(img.Pix) != 3*img.W*img.H {
		return nil
	}
	if a.RandomResized {
		r := RandomResizedCropRect(img.W, img.H, a.scale(), a.ratio(), rng)
		img = imageproc.ResizeTo(imageproc.Crop(img, r), a.Size, a.Size)
	} else {
		if a.Resize > 0 {
			img = imageproc.Resize(img, a.Resize)
		}
		img = imageproc.Crop(img, RandomCropRect(img.W, img.H, a.Size, rng))
	}
	if img == nil {
		return nil
	}
	if a.Flip && rng.Float64() < 0.5 {
		img = imageproc.FlipH(img)
	}
	t := imageproc.ToTensor(img)
	if a.PCAStd > 0 {
		AddLighting(t, PCANoise(a.PCAStd, rng))
	}
	return imageproc.Normalize(t, a.Mean, a.Std)
}

func (a *Augment) scale() [2]float64 {
	if a.Scale == [2]float64{} {
		return [2]float64{0.08, 1}
	}
	return a.Scale
}

func (a *Augment) ratio() [2]float64 {
	if a.Ratio == [2]float64{} {
		return [2]float64{3.0 / 4, 4.0 / 3}
	}
	return a.Ratio
}

// RandomCropRect is torchvision's RandomCrop.get_params: a size×size box
// at top i = randint(0, h-size+1), left j = randint(0, w-size+1) (each 0
// when the image is smaller; the box then reaches past it).
func RandomCropRect(w, h, size int, rng *rand.Rand) image.Rectangle {
	i, j := 0, 0
	if h > size {
		i = rng.IntN(h - size + 1)
	}
	if w > size {
		j = rng.IntN(w - size + 1)
	}
	return image.Rect(j, i, j+size, i+size)
}

// RandomResizedCropRect is torchvision 0.14's RandomResizedCrop.get_params
// on a w×h image: up to 10 tries of an area fraction s ~ U(scale) and an
// aspect ratio r = exp(U(log ratio)), giving cw = round(√(s·w·h·r)) and
// ch = round(√(s·w·h/r)) (Python's round); the first box that fits is
// placed uniformly. Otherwise the centre crop of the whole image clamped
// to the ratio range.
func RandomResizedCropRect(w, h int, scale, ratio [2]float64, rng *rand.Rand) image.Rectangle {
	area := float64(w * h)
	lr0, lr1 := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		target := area * (scale[0] + (scale[1]-scale[0])*rng.Float64())
		ar := math.Exp(lr0 + (lr1-lr0)*rng.Float64())
		cw := int(math.RoundToEven(math.Sqrt(target * ar)))
		ch := int(math.RoundToEven(math.Sqrt(target / ar)))
		if 0 < cw && cw <= w && 0 < ch && ch <= h {
			i := rng.IntN(h - ch + 1)
			j := rng.IntN(w - cw + 1)
			return image.Rect(j, i, j+cw, i+ch)
		}
	}
	cw, ch := w, h
	in := float64(w) / float64(h)
	switch {
	case in < min(ratio[0], ratio[1]):
		ch = int(math.RoundToEven(float64(cw) / min(ratio[0], ratio[1])))
	case in > max(ratio[0], ratio[1]):
		cw = int(math.RoundToEven(float64(ch) * max(ratio[0], ratio[1])))
	}
	i, j := (h-ch)/2, (w-cw)/2
	return image.Rect(j, i, j+cw, i+ch)
}

// PCANoise draws the paper's lighting offset: α_j ~ N(0, std²) and, for
// each channel c, Σ_j PCAEigvec[c][j]·α_j·PCAEigval[j] (fb.resnet.torch's
// Lighting), to add to the [0, 1] image.
func PCANoise(std float64, rng *rand.Rand) [3]float32 {
	var alpha [3]float64
	for j := range alpha {
		alpha[j] = rng.NormFloat64() * std
	}
	var rgb [3]float32
	for c := range rgb {
		var s float64
		for j := range alpha {
			s += PCAEigvec[c][j] * alpha[j] * PCAEigval[j]
		}
		rgb[c] = float32(s)
	}
	return rgb
}

// AddLighting adds rgb[c] to channel c of t (3,H,W).
func AddLighting(t *tensor.Tensor, rgb [3]float32) {
	n := len(t.Data) / 3
	for c := range 3 {
		d := t.Data[c*n : (c+1)*n]
		for i := range d {
			d[i] += rgb[c]
		}
	}
}

// SampleRand returns the generator of one sample's augmentation in one
// epoch: a PCG seeded from (seed, epoch, index) alone, so the draws do not
// depend on which worker decodes the sample or when.
func SampleRand(seed uint64, epoch, index int) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed, 0x5a17), mix(uint64(epoch)<<32|uint64(uint32(index)), seed)))
}

// StepRand returns the generator of the dropout noise of global step step.
func StepRand(seed uint64, step int) *rand.Rand {
	return rand.New(rand.NewPCG(mix(seed, 0xd20f), mix(uint64(step), seed^0x9e37)))
}

// mix is SplitMix64's finaliser of a ^ b·golden ratio.
func mix(a, b uint64) uint64 {
	z := a ^ (b * 0x9e3779b97f4a7c15)
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
