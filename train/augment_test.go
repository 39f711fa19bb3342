package train

import (
	"image"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/alexnet-go/alexnet/imageproc"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

// RandomResizedCropRect's boxes fit the image, with area fraction and
// aspect ratio in range (up to rounding); an impossible range falls back
// to torchvision's centre crop.
func TestRandomResizedCropRect(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	scale, ratio := [2]float64{0.08, 1}, [2]float64{3.0 / 4, 4.0 / 3}
	for range 2000 {
		w, h := 20+rng.IntN(300), 20+rng.IntN(300)
		r := RandomResizedCropRect(w, h, scale, ratio, rng)
		if !r.In(image.Rect(0, 0, w, h)) || r.Empty() {
			t.Fatalf("%dx%d: box %v", w, h, r)
		}
	}
	// A 1000×10 strip: no box of ratio ≤ 4/3 and area ≥ 8% fits, so the
	// fallback is w = round(10·4/3) = 13 wide, centred: x0 = (1000-13)//2.
	r := RandomResizedCropRect(1000, 10, [2]float64{0.5, 1}, ratio, rng)
	if want := image.Rect(493, 0, 506, 10); r != want {
		t.Errorf("strip fallback %v, want %v", r, want)
	}
	// Tall: h = round(10/(3/4)) = 13 (round half to even of 13.33).
	r = RandomResizedCropRect(10, 1000, [2]float64{0.5, 1}, ratio, rng)
	if want := image.Rect(0, 493, 10, 506); r != want {
		t.Errorf("tall fallback %v, want %v", r, want)
	}
	// Within the ratio range the fallback is the whole image.
	r = RandomResizedCropRect(10, 10, [2]float64{2, 3}, ratio, rng)
	if want := image.Rect(0, 0, 10, 10); r != want {
		t.Errorf("square fallback %v, want %v", r, want)
	}
}

func TestRandomCropRect(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	seen := map[image.Point]bool{}
	for range 500 {
		r := RandomCropRect(6, 5, 4, rng)
		if r.Dx() != 4 || r.Dy() != 4 || !r.In(image.Rect(0, 0, 6, 5)) {
			t.Fatalf("box %v", r)
		}
		seen[r.Min] = true
	}
	if len(seen) != 6 { // x in 0..2, y in 0..1
		t.Errorf("%d distinct offsets, want 6", len(seen))
	}
}

// PCANoise is fb.resnet.torch's Lighting: eigvec · (α ⊙ eigval).
func TestPCANoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	ref := rand.New(rand.NewPCG(3, 3))
	got := PCANoise(0.1, rng)
	a := [3]float64{ref.NormFloat64() * 0.1, ref.NormFloat64() * 0.1, ref.NormFloat64() * 0.1}
	for c := range 3 {
		want := PCAEigvec[c][0]*a[0]*0.2175 + PCAEigvec[c][1]*a[1]*0.0188 + PCAEigvec[c][2]*a[2]*0.0045
		if math.Abs(float64(got[c])-want) > 1e-7 {
			t.Errorf("channel %d: %v, want %v", c, got[c], want)
		}
	}
}

// Apply with everything off but the flip is Normalize(ToTensor(img)) or
// its mirror; the same generator state gives the same tensor.
func TestAugmentApply(t *testing.T) {
	img := imageproc.NewRGB(5, 4)
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	a := &Augment{Size: 5, Flip: true, Mean: [3]float32{0, 0, 0}, Std: [3]float32{1, 1, 1}}
	plain := imageproc.ToTensor(imageproc.Crop(img, image.Rect(0, 0, 5, 5)))
	flips := 0
	for s := range uint64(20) {
		x := a.Apply(img, rand.New(rand.NewPCG(s, 0)))
		y := a.Apply(img, rand.New(rand.NewPCG(s, 0)))
		if !slices.Equal(x.Data, y.Data) {
			t.Fatal("same generator, different tensors")
		}
		if slices.Equal(x.Data, plain.Data) {
			continue
		}
		flips++
		if x.Data[0] != plain.Data[4] || x.Data[4] != plain.Data[0] {
			t.Fatalf("not a mirror: %v vs %v", x.Data[:5], plain.Data[:5])
		}
	}
	if flips == 0 || flips == 20 {
		t.Errorf("%d flips in 20", flips)
	}
	a.RandomResized, a.Size = true, 3
	if x := a.Apply(img, rand.New(rand.NewPCG(1, 0))); !tensor.SameShape(x.Shape, []int{3, 3, 3}) {
		t.Errorf("RandomResizedCrop shape %v", x.Shape)
	}
}

// With FreezeFeatures a step changes the classifier only.
func TestFreezeFeatures(t *testing.T) {
	m, err := model.New(tinyConfig(3))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	InitKaiming(m, rng)
	before := map[string][]float32{}
	for _, p := range m.Parameters() {
		before[p.Name] = append([]float32(nil), p.T.Data...)
	}
	tr := NewTrainer(m, &SGD{LR: 0.1, Momentum: 0.9, WeightDecay: 5e-4}, rng)
	tr.FreezeFeatures = true
	x, labels := randomBatch(rng, 2, 64, 3)
	if _, err := tr.Step(x, labels); err != nil {
		t.Fatal(err)
	}
	for _, p := range m.Parameters() {
		same := slices.Equal(before[p.Name], p.T.Data)
		if frozen := p.Name[0] == 'f'; same != frozen {
			t.Errorf("%s: unchanged %v, frozen %v", p.Name, same, frozen)
		}
	}
}

// InitFrom loads every tensor but a classifier.6 of another class count.
func TestInitFrom(t *testing.T) {
	src, _ := model.New(tinyConfig(5))
	InitTorchvision(src, rand.New(rand.NewPCG(5, 5)))
	dst, _ := model.New(tinyConfig(3))
	sd := map[string]*tensor.Tensor{}
	for _, p := range src.Parameters() {
		sd[p.Name] = p.T
	}
	skipped, err := InitFrom(dst, sd)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 2 {
		t.Errorf("skipped %v, want classifier.6.weight and .bias", skipped)
	}
	for _, p := range dst.Parameters() {
		if p.Name[:12] != "classifier.6" && !slices.Equal(p.T.Data, sd[p.Name].Data) {
			t.Errorf("%s not loaded", p.Name)
		}
	}
	sd["features.0.weight"] = tensor.New(1, 2)
	if _, err := InitFrom(dst, sd); err == nil {
		t.Error("a mismatched features.0.weight was accepted")
	}
}

func TestPlateauState(t *testing.T) {
	p := NewPlateau()
	p.Patience = 1
	lr := 1.0
	for _, m := range []float64{0.9, 0.8, 0.85} {
		lr, _ = p.Step(m, lr)
	}
	q := NewPlateau()
	q.Patience = 1
	q.SetState(p.State())
	a, _ := p.Step(0.86, lr)
	b, _ := q.Step(0.86, lr)
	if a != b || a != 0.1 {
		t.Errorf("restored plateau gives %v, original %v (want 0.1)", b, a)
	}
}
