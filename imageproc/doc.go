// Package imageproc turns image files into the normalized tensors
// torchvision's ImageNet evaluation transform produces, bit for bit:
//
//	Image.open(f).convert("RGB")           -> Decode, DecodeBytes, DecodeFile
//	transforms.Resize(256)                 -> Resize
//	transforms.CenterCrop(224)             -> CenterCrop (Crop for other boxes)
//	transforms.ToTensor()                  -> ToTensor
//	transforms.Normalize(mean, std)        -> Normalize
//	transforms.TenCrop(224)                -> TenCrop (FiveCropRects, FlipH)
//
// Preprocess and PreprocessFile chain the steps under an *Options (nil
// means the ImageNet defaults); PreprocessInto also keeps the crop and
// where it lies in the source. DecodeConfig reads a file's format and size
// from its header alone, for a pixel limit checked before decoding. The
// reference is Pillow 9.4 and torchvision 0.14; testdata/gen/imageproc.py
// makes the fixtures the tests compare against.
//
// Errors are typed (*UnknownFormatError, *EmptyFileError, *DecodeError,
// ErrNoPixels, *SizeError, *OptionsError); those about a named input come
// in a *FileError that names it (WithName).
//
// Every function here is safe for concurrent use; an *RGB is a plain value
// that is not synchronised, so do not mutate one while another goroutine
// reads it.
package imageproc
