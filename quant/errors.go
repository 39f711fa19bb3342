package quant

import (
	"errors"
	"fmt"
	"strconv"
)

// TensorError reports a quantized-model tensor that is missing or wrong
// (Load and Save wrap it with the file's name).
type TensorError struct {
	Name string // the tensor's name, e.g. "features.0.weight_scale"
	Msg  string
}

func (e *TensorError) Error() string {
	return "tensor " + strconv.Quote(e.Name) + ": " + e.Msg
}

// tensorErrorf returns a *TensorError for name.
func tensorErrorf(name, format string, args ...any) error {
	return &TensorError{Name: name, Msg: fmt.Sprintf(format, args...)}
}

// VersionError reports a file whose "alexnet.quant" metadata entry is
// missing or names a format version this package does not read (Load
// wraps it with the file's name).
type VersionError struct {
	Version string // "" when the entry is missing
}

func (e *VersionError) Error() string {
	if e.Version == "" {
		return "not a quantized model (no \"alexnet.quant\" metadata)"
	}
	return "unsupported format version " + strconv.Quote(e.Version) + ", want " + FormatVersion
}

// ErrNoData is returned by an Observer's Params before it has observed
// any value.
var ErrNoData = errors.New("quant: observer has seen no data")

// ErrNonFinite is returned by an Observer's Params when it has observed
// a NaN or an infinity.
var ErrNonFinite = errors.New("quant: observer has seen a NaN or an infinity")
