// Package imageproc turns image files into the normalized tensors
// torchvision's ImageNet evaluation transform produces, bit for bit:
//
//	Image.open(f).convert("RGB")           -> Decode, DecodeFile
//	transforms.Resize(256)                 -> Resize
//	transforms.CenterCrop(224)             -> CenterCrop (Crop for other boxes)
//	transforms.ToTensor()                  -> ToTensor
//	transforms.Normalize(mean, std)        -> Normalize
//
// Preprocess and PreprocessFile chain the steps under an *Options (nil
// means the ImageNet defaults). The reference is Pillow 9.4 and
// torchvision 0.14; testdata/gen/imageproc.py makes the fixtures the tests
// compare against.
//
// Every function here is safe for concurrent use; an *RGB is a plain value
// that is not synchronised, so do not mutate one while another goroutine
// reads it.
package imageproc
