package pickle

import (
	"encoding/binary"
	"math"
)

// Encoder appends protocol-2 opcodes to a buffer. It writes no memo
// entries, so repeated globals are written out again; the output is what
// pickle.dumps would write with the memo disabled. It is enough for a
// state dict of tensors and is not safe for concurrent use.
type Encoder struct {
	b []byte
}

// Bytes returns the encoded pickle.
func (e *Encoder) Bytes() []byte { return e.b }

// Proto writes PROTO v.
func (e *Encoder) Proto(v byte) { e.b = append(e.b, opProto, v) }

// Stop writes STOP.
func (e *Encoder) Stop() { e.b = append(e.b, opStop) }

// Mark writes MARK.
func (e *Encoder) Mark() { e.b = append(e.b, opMark) }

// Global writes GLOBAL module name.
func (e *Encoder) Global(module, name string) {
	e.b = append(e.b, opGlobal)
	e.b = append(e.b, module...)
	e.b = append(e.b, '\n')
	e.b = append(e.b, name...)
	e.b = append(e.b, '\n')
}

// Int writes the shortest of BININT1, BININT2, BININT and LONG1 for i.
func (e *Encoder) Int(i int64) {
	switch {
	case i >= 0 && i <= math.MaxUint8:
		e.b = append(e.b, opBinInt1, byte(i))
	case i >= 0 && i <= math.MaxUint16:
		e.b = append(e.b, opBinInt2, byte(i), byte(i>>8))
	case i >= math.MinInt32 && i <= math.MaxInt32:
		e.b = append(e.b, opBinInt)
		e.b = binary.LittleEndian.AppendUint32(e.b, uint32(int32(i)))
	default:
		e.b = append(e.b, opLong1, 8)
		e.b = binary.LittleEndian.AppendUint64(e.b, uint64(i))
	}
}

// Bool writes NEWTRUE or NEWFALSE.
func (e *Encoder) Bool(v bool) {
	if v {
		e.b = append(e.b, opNewTrue)
	} else {
		e.b = append(e.b, opNewFalse)
	}
}

// None writes NONE.
func (e *Encoder) None() { e.b = append(e.b, opNone) }

// String writes BINUNICODE s (s must be valid UTF-8).
func (e *Encoder) String(s string) {
	e.b = append(e.b, opBinUnicode)
	e.b = binary.LittleEndian.AppendUint32(e.b, uint32(len(s)))
	e.b = append(e.b, s...)
}

// EmptyTuple writes EMPTY_TUPLE.
func (e *Encoder) EmptyTuple() { e.b = append(e.b, opEmptyTuple) }

// Tuple writes TUPLE, which packs everything since the last MARK.
func (e *Encoder) Tuple() { e.b = append(e.b, opTuple) }

// EmptyDict writes EMPTY_DICT.
func (e *Encoder) EmptyDict() { e.b = append(e.b, opEmptyDict) }

// SetItems writes SETITEMS, which stores the key/value pairs since the
// last MARK in the dict below it.
func (e *Encoder) SetItems() { e.b = append(e.b, opSetItems) }

// Reduce writes REDUCE: call the callable below the argument tuple.
func (e *Encoder) Reduce() { e.b = append(e.b, opReduce) }

// BinPersID writes BINPERSID: the object on the stack is a persistent id.
func (e *Encoder) BinPersID() { e.b = append(e.b, opBinPersID) }
