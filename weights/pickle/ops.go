package pickle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"
)

// Opcodes, named as in pickletools.
const (
	opMark           = '('
	opStop           = '.'
	opPop            = '0'
	opPopMark        = '1'
	opDup            = '2'
	opInt            = 'I'
	opBinInt         = 'J'
	opBinInt1        = 'K'
	opBinInt2        = 'M'
	opNone           = 'N'
	opPersID         = 'P'
	opBinPersID      = 'Q'
	opReduce         = 'R'
	opBinString      = 'T'
	opShortBinString = 'U'
	opBinUnicode     = 'X'
	opAppend         = 'a'
	opBuild          = 'b'
	opGlobal         = 'c'
	opDict           = 'd'
	opEmptyDict      = '}'
	opAppends        = 'e'
	opGet            = 'g'
	opBinGet         = 'h'
	opLongBinGet     = 'j'
	opList           = 'l'
	opEmptyList      = ']'
	opPut            = 'p'
	opBinPut         = 'q'
	opLongBinPut     = 'r'
	opSetItem        = 's'
	opTuple          = 't'
	opEmptyTuple     = ')'
	opSetItems       = 'u'
	opBinFloat       = 'G'
	opProto          = 0x80
	opNewObj         = 0x81
	opTuple1         = 0x85
	opTuple2         = 0x86
	opTuple3         = 0x87
	opNewTrue        = 0x88
	opNewFalse       = 0x89
	opLong1          = 0x8a
	opLong4          = 0x8b
	opBinBytes       = 'B'
	opShortBinBytes  = 'C'
	opShortBinUni    = 0x8c
	opBinUnicode8    = 0x8d
	opBinBytes8      = 0x8e
	opEmptySet       = 0x8f
	opAddItems       = 0x90
	opFrozenSet      = 0x91
	opNewObjEx       = 0x92
	opStackGlobal    = 0x93
	opMemoize        = 0x94
	opFrame          = 0x95
	opByteArray8     = 0x96
)

// maxLongBytes bounds LONG1/LONG4 payloads: torch only writes the 10-byte
// magic number of the legacy format.
const maxLongBytes = 256

func (m *machine) run() (Value, error) {
	for {
		op, err := m.readByte()
		if err != nil {
			return nil, err
		}
		if op == opStop {
			v, err := m.pop()
			if err != nil {
				return nil, err
			}
			return v, nil
		}
		if err := m.step(op); err != nil {
			return nil, err
		}
	}
}

// step executes one opcode other than STOP.
func (m *machine) step(op byte) error {
	switch op {
	case opProto:
		v, err := m.readByte()
		if err != nil {
			return err
		}
		if v > 5 {
			return UnsupportedError(fmt.Sprintf("protocol %d", v))
		}
		return nil
	case opFrame:
		_, err := m.uint(8) // a framing hint only; the frame's bytes follow inline
		return err
	case opMark:
		if len(m.stack)+len(m.marks) >= m.opt.Limits.MaxStack {
			return &LimitError{What: "stack items", Limit: int64(m.opt.Limits.MaxStack)}
		}
		m.marks = append(m.marks, len(m.stack))
		return nil
	case opPop:
		_, err := m.pop()
		return err
	case opPopMark:
		_, err := m.popMark()
		return err
	case opDup:
		v, err := m.top()
		if err != nil {
			return err
		}
		return m.push(v)
	case opNone:
		return m.push(nil)
	case opNewTrue:
		return m.push(true)
	case opNewFalse:
		return m.push(false)
	case opInt:
		return m.textInt()
	case opBinInt:
		u, err := m.uint(4)
		if err != nil {
			return err
		}
		return m.push(int64(int32(uint32(u))))
	case opBinInt1:
		u, err := m.uint(1)
		if err != nil {
			return err
		}
		return m.push(int64(u))
	case opBinInt2:
		u, err := m.uint(2)
		if err != nil {
			return err
		}
		return m.push(int64(u))
	case opLong1, opLong4:
		return m.long(op)
	case opBinFloat:
		b, err := m.read(8)
		if err != nil {
			return err
		}
		return m.push(math.Float64frombits(binary.BigEndian.Uint64(b)))
	case opShortBinString, opShortBinBytes, opShortBinUni:
		return m.sized(op, 1)
	case opBinString, opBinBytes, opBinUnicode:
		return m.sized(op, 4)
	case opBinUnicode8, opBinBytes8, opByteArray8:
		return m.sized(op, 8)
	case opEmptyTuple:
		return m.push(Tuple{})
	case opTuple1, opTuple2, opTuple3:
		n := int(op-opTuple1) + 1
		t := make(Tuple, n)
		for i := n - 1; i >= 0; i-- {
			v, err := m.pop()
			if err != nil {
				return err
			}
			t[i] = v
		}
		return m.push(t)
	case opTuple:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(Tuple(items))
	case opEmptyList:
		return m.push(&List{})
	case opList:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(&List{Items: items})
	case opAppend, opAppends, opAddItems:
		return m.appendItems(op)
	case opEmptyDict:
		return m.push(NewDict())
	case opDict:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		d := NewDict()
		if err := setItems(d, items); err != nil {
			return err
		}
		return m.push(d)
	case opSetItem, opSetItems:
		return m.setItems(op)
	case opEmptySet:
		return m.push(&Set{})
	case opFrozenSet:
		items, err := m.popMark()
		if err != nil {
			return err
		}
		return m.push(&Set{Items: items})
	case opPut, opBinPut, opLongBinPut:
		idx, err := m.memoArg(op)
		if err != nil {
			return err
		}
		return m.put(idx)
	case opMemoize:
		return m.put(uint32(len(m.memo)))
	case opGet, opBinGet, opLongBinGet:
		idx, err := m.memoArg(op)
		if err != nil {
			return err
		}
		return m.memoGet(idx)
	case opGlobal:
		module, err := m.readLine()
		if err != nil {
			return err
		}
		name, err := m.readLine()
		if err != nil {
			return err
		}
		return m.global(module, name)
	case opStackGlobal:
		name, err1 := m.pop()
		module, err2 := m.pop()
		if err1 != nil || err2 != nil {
			return m.errorf("stack underflow")
		}
		ms, ok1 := module.(string)
		ns, ok2 := name.(string)
		if !ok1 || !ok2 {
			return m.errorf("STACK_GLOBAL on %s and %s, want two str", TypeName(module), TypeName(name))
		}
		return m.global(ms, ns)
	case opReduce, opNewObj:
		args, err := m.pop()
		if err != nil {
			return err
		}
		return m.call(op, args, nil)
	case opNewObjEx:
		kw, err := m.pop()
		if err != nil {
			return err
		}
		args, err := m.pop()
		if err != nil {
			return err
		}
		return m.call(op, args, kw)
	case opBuild:
		state, err := m.pop()
		if err != nil {
			return err
		}
		obj, err := m.top()
		if err != nil {
			return err
		}
		b, ok := obj.(Builder)
		if !ok {
			return UnsupportedError(fmt.Sprintf("BUILD on %s", TypeName(obj)))
		}
		return b.SetState(state)
	case opPersID:
		line, err := m.readLine()
		if err != nil {
			return err
		}
		return m.persistent(line)
	case opBinPersID:
		pid, err := m.pop()
		if err != nil {
			return err
		}
		return m.persistent(pid)
	}
	return UnsupportedError(fmt.Sprintf("opcode 0x%02x at byte %d", op, m.pos-1))
}

// uint reads an n-byte little-endian unsigned integer.
func (m *machine) uint(n int) (uint64, error) {
	b, err := m.read(int64(n))
	if err != nil {
		return 0, err
	}
	var u uint64
	for i := n - 1; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u, nil
}

// textInt handles INT: a decimal line, where "00" and "01" mean False and
// True (protocol 0 booleans).
func (m *machine) textInt() error {
	line, err := m.readLine()
	if err != nil {
		return err
	}
	switch line {
	case "00":
		return m.push(false)
	case "01":
		return m.push(true)
	}
	i, err := strconv.ParseInt(line, 10, 64)
	if err != nil {
		return m.errorf("INT %q", line)
	}
	return m.push(i)
}

// long handles LONG1 and LONG4: a little-endian two's-complement integer.
func (m *machine) long(op byte) error {
	size := 1
	if op == opLong4 {
		size = 4
	}
	n, err := m.uint(size)
	if err != nil {
		return err
	}
	if n > maxLongBytes {
		return UnsupportedError(fmt.Sprintf("integer of %d bytes", n))
	}
	b, err := m.read(int64(n))
	if err != nil {
		return err
	}
	if n == 0 {
		return m.push(int64(0))
	}
	be := make([]byte, n)
	for i := range b {
		be[int(n)-1-i] = b[i]
	}
	v := new(big.Int).SetBytes(be)
	if b[n-1]&0x80 != 0 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	if v.IsInt64() {
		return m.push(v.Int64())
	}
	return m.push(v)
}

// sized handles the length-prefixed string and bytes opcodes.
func (m *machine) sized(op byte, lenBytes int) error {
	n, err := m.uint(lenBytes)
	if err != nil {
		return err
	}
	if n > math.MaxInt64 {
		return &LimitError{What: "input bytes", Limit: m.opt.Limits.MaxInput}
	}
	b, err := m.read(int64(n))
	if err != nil {
		return err
	}
	switch op {
	case opBinUnicode, opShortBinUni, opBinUnicode8:
		if !utf8.Valid(b) {
			return m.errorf("invalid UTF-8 in string")
		}
		return m.push(string(b))
	case opBinString, opShortBinString:
		return m.push(string(b)) // Python 2 str: bytes, read as latin-1 text
	}
	return m.push(Bytes(b))
}

func (m *machine) put(idx uint32) error {
	v, err := m.top()
	if err != nil {
		return err
	}
	return m.memoPut(idx, v)
}

func (m *machine) appendItems(op byte) error {
	var items []Value
	if op == opAppend {
		v, err := m.pop()
		if err != nil {
			return err
		}
		items = []Value{v}
	} else {
		var err error
		if items, err = m.popMark(); err != nil {
			return err
		}
	}
	obj, err := m.top()
	if err != nil {
		return err
	}
	switch c := obj.(type) {
	case *List:
		if op != opAddItems {
			c.Items = append(c.Items, items...)
			return nil
		}
	case *Set:
		if op == opAddItems {
			c.Items = append(c.Items, items...)
			return nil
		}
	}
	return m.errorf("cannot add items to %s", TypeName(obj))
}

func (m *machine) setItems(op byte) error {
	var items []Value
	if op == opSetItem {
		v, err1 := m.pop()
		k, err2 := m.pop()
		if err1 != nil || err2 != nil {
			return m.errorf("stack underflow")
		}
		items = []Value{k, v}
	} else {
		var err error
		if items, err = m.popMark(); err != nil {
			return err
		}
	}
	obj, err := m.top()
	if err != nil {
		return err
	}
	d, ok := obj.(*Dict)
	if !ok {
		return m.errorf("SETITEM on %s", TypeName(obj))
	}
	return setItems(d, items)
}

func setItems(d *Dict, kv []Value) error {
	if len(kv)%2 != 0 {
		return FormatError("odd number of items for a dict")
	}
	for i := 0; i < len(kv); i += 2 {
		if err := d.Set(kv[i], kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func (m *machine) global(module, name string) error {
	if m.opt.Find == nil {
		return &GlobalError{Module: module, Name: name}
	}
	v, err := m.opt.Find(module, name)
	if err != nil {
		return err
	}
	return m.push(v)
}

// call handles REDUCE (callable(*args)), NEWOBJ (cls.__new__(cls, *args))
// and NEWOBJ_EX (with keyword arguments, which must be empty).
func (m *machine) call(op byte, args, kwargs Value) error {
	fn, err := m.pop()
	if err != nil {
		return err
	}
	t, ok := args.(Tuple)
	if !ok {
		return m.errorf("call arguments are %s, not a tuple", TypeName(args))
	}
	if kwargs != nil {
		if d, ok := kwargs.(*Dict); !ok || d.Len() != 0 {
			return UnsupportedError("NEWOBJ_EX with keyword arguments")
		}
	}
	c, ok := fn.(Callable)
	if !ok {
		return m.errorf("call of %s, which is not callable", TypeName(fn))
	}
	v, err := c.Call(t)
	if err != nil {
		return err
	}
	return m.push(v)
}

func (m *machine) persistent(pid Value) error {
	if m.opt.PersistentLoad == nil {
		return UnsupportedError("persistent id without a PersistentLoad function")
	}
	v, err := m.opt.PersistentLoad(pid)
	if err != nil {
		return err
	}
	return m.push(v)
}

// memoArg reads the memo index of a PUT/GET opcode: a decimal line for
// PUT and GET, one byte for BINPUT and BINGET, a little-endian uint32 for
// LONG_BINPUT and LONG_BINGET.
func (m *machine) memoArg(op byte) (uint32, error) {
	switch op {
	case opPut, opGet:
		line, err := m.readLine()
		if err != nil {
			return 0, err
		}
		idx, err := strconv.ParseUint(line, 10, 32)
		if err != nil {
			return 0, m.errorf("memo index %q", line)
		}
		return uint32(idx), nil
	case opBinPut, opBinGet:
		idx, err := m.uint(1)
		return uint32(idx), err
	}
	idx, err := m.uint(4)
	return uint32(idx), err
}
