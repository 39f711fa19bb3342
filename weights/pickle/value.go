package pickle

import (
	"fmt"
	"math/big"
)

// Value is a decoded Python object: nil (None), bool, int64, *big.Int (an
// int that does not fit in int64), float64, string (str, and Python 2 str
// from BINSTRING), Bytes, Tuple, *List, *Dict, *Set, or whatever
// Options.Find and Options.PersistentLoad and Callable values return.
type Value = any

// Bytes is a Python bytes or bytearray object.
type Bytes []byte

// Tuple is a Python tuple.
type Tuple []Value

// List is a Python list. It is a pointer type because pickles append to
// lists after creating (and memoizing) them.
type List struct{ Items []Value }

// Set is a Python set or frozenset, kept in insertion order; duplicates
// are not removed.
type Set struct{ Items []Value }

// Callable is a value that REDUCE, NEWOBJ and NEWOBJ_EX may call. Only
// values returned by Options.Find should implement it.
type Callable interface {
	Call(args Tuple) (Value, error)
}

// Func adapts a Go function to Callable.
type Func func(args Tuple) (Value, error)

// Call calls f.
func (f Func) Call(args Tuple) (Value, error) { return f(args) }

// Builder is a value that accepts BUILD (obj.__setstate__(state)).
type Builder interface {
	SetState(state Value) error
}

// Dict is a Python dict (or collections.OrderedDict) that keeps insertion
// order. Keys must be None, bool, int, float, str or bytes; other key
// types are rejected when set.
type Dict struct {
	keys  []Value
	vals  []Value
	index map[any]int
	// State is what BUILD set on the dict, if anything: for an
	// OrderedDict saved by torch this is {"_metadata": ...}.
	State Value
}

// NewDict returns an empty Dict.
func NewDict() *Dict { return &Dict{index: map[any]int{}} }

type bytesKey string
type bigKey string

// hashKey maps a Python key to a comparable Go value such that keys equal
// in Python (1, 1.0 and True) map to the same value.
func hashKey(k Value) (any, error) {
	switch k := k.(type) {
	case nil, string, int64:
		return k, nil
	case bool:
		if k {
			return int64(1), nil
		}
		return int64(0), nil
	case float64:
		if i := int64(k); float64(i) == k {
			return i, nil
		}
		return k, nil
	case Bytes:
		return bytesKey(k), nil
	case *big.Int:
		return bigKey(k.String()), nil
	}
	return nil, UnsupportedError(fmt.Sprintf("dict key of type %s", TypeName(k)))
}

// Len is the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

// Key returns the i-th key in insertion order.
func (d *Dict) Key(i int) Value { return d.keys[i] }

// Value returns the i-th value in insertion order.
func (d *Dict) Value(i int) Value { return d.vals[i] }

// Get returns the value stored under key.
func (d *Dict) Get(key Value) (Value, bool) {
	h, err := hashKey(key)
	if err != nil {
		return nil, false
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false
	}
	return d.vals[i], true
}

// Set stores val under key. As in Python, a key already present keeps its
// position and takes the new value.
func (d *Dict) Set(key, val Value) error {
	h, err := hashKey(key)
	if err != nil {
		return err
	}
	if d.index == nil {
		d.index = map[any]int{}
	}
	if i, ok := d.index[h]; ok {
		d.vals[i] = val
		return nil
	}
	d.index[h] = len(d.keys)
	d.keys = append(d.keys, key)
	d.vals = append(d.vals, val)
	return nil
}

// SetState implements Builder: it records the state, which for a dict can
// only set instance attributes.
func (d *Dict) SetState(state Value) error {
	d.State = state
	return nil
}

// TypeName names the Python type of v for error messages, without
// printing v itself (which may be large or cyclic).
func TypeName(v Value) string {
	switch v.(type) {
	case nil:
		return "None"
	case bool:
		return "bool"
	case int64, *big.Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case Bytes:
		return "bytes"
	case Tuple:
		return "tuple"
	case *List:
		return "list"
	case *Dict:
		return "dict"
	case *Set:
		return "set"
	}
	return fmt.Sprintf("%T", v)
}
