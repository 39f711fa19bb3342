package pickle

import "fmt"

// FormatError reports a malformed pickle stream.
type FormatError string

func (e FormatError) Error() string { return "pickle: " + string(e) }

// UnsupportedError reports a valid pickle feature that this decoder does
// not implement (an opcode, or a dict key type).
type UnsupportedError string

func (e UnsupportedError) Error() string { return "pickle: unsupported " + string(e) }

// GlobalError reports a GLOBAL or STACK_GLOBAL naming something that
// Options.Find does not allow. The name is never imported or called.
type GlobalError struct {
	Module, Name string
}

func (e *GlobalError) Error() string {
	return fmt.Sprintf("pickle: global %s.%s is not allowed", e.Module, e.Name)
}

// LimitError reports input that exceeds one of the Limits.
type LimitError struct {
	What  string // "input bytes", "stack depth", "memo entries"
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("pickle: %s exceed the limit of %d", e.What, e.Limit)
}
