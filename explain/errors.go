package explain

import (
	"fmt"
	"strings"
)

// LayerError is a layer name the model does not have; Valid lists those
// it has.
type LayerError struct {
	Name  string
	Valid []string
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("explain: no layer %q; the layers are %s", e.Name, strings.Join(e.Valid, ", "))
}

// ClassError is a class index outside the model's classes.
type ClassError struct {
	Class, NumClasses int
}

func (e *ClassError) Error() string {
	return fmt.Sprintf("explain: class %d outside [0, %d)", e.Class, e.NumClasses)
}

// OptionError is an option outside its range.
type OptionError struct {
	Option, Msg string
}

func (e *OptionError) Error() string { return "explain: " + e.Option + ": " + e.Msg }
