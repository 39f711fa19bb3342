package weights

import (
	"fmt"

	"github.com/alexnet-go/alexnet/tensor"
)

// StateDict is an ordered map from parameter names (torchvision's, e.g.
// "features.0.weight") to float32 tensors, as Module.state_dict() returns.
// Names keeps the file's order. A StateDict is not safe for concurrent
// mutation.
type StateDict struct {
	Names   []string
	Tensors map[string]*tensor.Tensor
	// Metadata is the safetensors "__metadata__" map; nil for .pth files.
	Metadata map[string]string
	// DTypes holds the stored dtype of some tensors: ReadSafetensors
	// records every tensor's, and WriteSafetensors writes a tensor whose
	// entry is Int8, Uint8 or Int32 with that integer dtype (float32
	// otherwise). A missing entry means Float32; see DType.
	DTypes map[string]DType
	// Int8 holds the values of the I8 tensors ReadSafetensors read with
	// Options.KeepInt8 (their entries in Tensors have no Data).
	Int8 map[string][]int8
}

// NewStateDict returns an empty state dict.
func NewStateDict() *StateDict {
	return &StateDict{Tensors: map[string]*tensor.Tensor{}}
}

// Len is the number of tensors.
func (sd *StateDict) Len() int { return len(sd.Names) }

// Get returns the tensor called name, or nil.
func (sd *StateDict) Get(name string) *tensor.Tensor { return sd.Tensors[name] }

// DType returns the stored dtype of the tensor called name: its entry in
// DTypes, or Float32 when there is none.
func (sd *StateDict) DType(name string) DType {
	if d, ok := sd.DTypes[name]; ok {
		return d
	}
	return Float32
}

// AddAs appends a tensor that WriteSafetensors stores as d (Float32,
// Int8, Uint8 or Int32; the values must then be integers in d's range);
// the name must be new.
func (sd *StateDict) AddAs(name string, t *tensor.Tensor, d DType) error {
	if err := sd.Add(name, t); err != nil {
		return err
	}
	if sd.DTypes == nil {
		sd.DTypes = map[string]DType{}
	}
	sd.DTypes[name] = d
	return nil
}

// Add appends a tensor; the name must be new.
func (sd *StateDict) Add(name string, t *tensor.Tensor) error {
	if sd.Tensors == nil {
		sd.Tensors = map[string]*tensor.Tensor{}
	}
	if _, ok := sd.Tensors[name]; ok {
		return tensorErr(name, FormatError("duplicate name"))
	}
	sd.Names = append(sd.Names, name)
	sd.Tensors[name] = t
	return nil
}

// validate checks what the writers rely on: Names and Tensors agree, and
// every tensor's data matches its shape.
func (sd *StateDict) validate() error {
	if len(sd.Names) != len(sd.Tensors) {
		return errorf("state dict has %d names for %d tensors", len(sd.Names), len(sd.Tensors))
	}
	for _, name := range sd.Names {
		t := sd.Tensors[name]
		if t == nil {
			return tensorErr(name, FormatError("missing tensor"))
		}
		n := 1
		for _, d := range t.Shape {
			if d < 0 {
				return tensorErr(name, FormatError(fmt.Sprintf("negative dimension in shape %s", tensor.ShapeString(t.Shape))))
			}
			n *= d
		}
		if n != len(t.Data) {
			return tensorErr(name, FormatError(fmt.Sprintf("shape %s holds %d elements, data has %d", tensor.ShapeString(t.Shape), n, len(t.Data))))
		}
	}
	return nil
}
