package qmodel

import "fmt"

// UnsupportedError reports a model this package cannot quantize or run,
// such as a grouped convolution (the original architecture).
type UnsupportedError struct {
	Layer string // the module's name, e.g. "features.4"
	Msg   string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("qmodel: %s: %s", e.Layer, e.Msg)
}

// OptionError reports an invalid Options field.
type OptionError struct {
	Field, Msg string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("qmodel: option %s: %s", e.Field, e.Msg)
}
