// Package pickle is a restricted decoder for the Python pickle format, as
// far as torch.save needs it, plus a small encoder for the same subset.
//
// The opcodes follow CPython's Lib/pickletools.py, protocols 2 to 5:
// PROTO, FRAME, STOP, MARK, POP, POP_MARK, DUP, NONE, NEWTRUE, NEWFALSE,
// INT, BININT, BININT1, BININT2, LONG1, LONG4, BINFLOAT, BINSTRING,
// SHORT_BINSTRING, BINUNICODE, SHORT_BINUNICODE, BINUNICODE8, BINBYTES,
// SHORT_BINBYTES, BINBYTES8, BYTEARRAY8, EMPTY_TUPLE, TUPLE, TUPLE1-3,
// EMPTY_LIST, LIST, APPEND, APPENDS, EMPTY_DICT, DICT, SETITEM, SETITEMS,
// EMPTY_SET, ADDITEMS, FROZENSET, PUT, BINPUT, LONG_BINPUT, MEMOIZE, GET,
// BINGET, LONG_BINGET, GLOBAL, STACK_GLOBAL, REDUCE, BUILD, NEWOBJ,
// NEWOBJ_EX, PERSID and BINPERSID. Anything else (INST, OBJ, EXT*,
// out-of-band buffers, text opcodes other than INT/PUT/GET/PERSID) is an
// *UnsupportedError.
//
// Nothing is ever executed: GLOBAL and STACK_GLOBAL are resolved through
// Options.Find, which the caller fills with the few names it trusts; any
// other name is a *GlobalError and decoding stops. REDUCE and NEWOBJ call
// only values that implement Callable, which only Find can produce.
// Persistent ids (BINPERSID) go to Options.PersistentLoad.
//
// Memory is bounded by Limits: the bytes consumed, the stack depth and the
// memo size, so hostile input cannot allocate more than a small multiple
// of Limits.MaxInput.
package pickle
