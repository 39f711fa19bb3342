package pickle

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Limits bound the resources one Load may use. A zero field takes its
// default.
type Limits struct {
	MaxInput int64 // bytes read from the stream; default 64 MiB
	MaxStack int   // stack items plus open marks; default 1<<20
	MaxMemo  int   // memo entries; default 1<<20
}

// Options configure Load. A nil *Options decodes plain data only: every
// global is refused and persistent ids are an error.
type Options struct {
	// Find resolves GLOBAL module.name. It returns the value to push, or an
	// error (normally a *GlobalError) for names it does not allow.
	Find func(module, name string) (Value, error)
	// PersistentLoad resolves the object popped by BINPERSID (or the
	// string of PERSID).
	PersistentLoad func(pid Value) (Value, error)
	Limits         Limits
}

// Allow returns a Find function that resolves exactly the "module.name"
// keys of globals and answers *GlobalError for anything else.
func Allow(globals map[string]Value) func(module, name string) (Value, error) {
	return func(module, name string) (Value, error) {
		if v, ok := globals[module+"."+name]; ok {
			return v, nil
		}
		return nil, &GlobalError{Module: module, Name: name}
	}
}

// Reader is what Load reads from: it must not read ahead of what it
// returns, so that data after the STOP opcode stays in the stream (the
// legacy torch.save format stores several pickles back to back).
// *bufio.Reader and *bytes.Reader qualify.
type Reader interface {
	io.Reader
	io.ByteReader
}

// Load decodes one pickle from r, reading up to and including its STOP
// opcode, and returns the object it builds. If r is not a Reader it is
// wrapped in a bufio.Reader, which may read past STOP.
func Load(r io.Reader, opt *Options) (Value, error) {
	br, ok := r.(Reader)
	if !ok {
		br = bufio.NewReader(r)
	}
	m := &machine{r: br, memo: map[uint32]Value{}}
	if opt != nil {
		m.opt = *opt
	}
	l := &m.opt.Limits
	if l.MaxInput <= 0 {
		l.MaxInput = 64 << 20
	}
	if l.MaxStack <= 0 {
		l.MaxStack = 1 << 20
	}
	if l.MaxMemo <= 0 {
		l.MaxMemo = 1 << 20
	}
	return m.run()
}

// LoadBytes decodes the pickle in b and requires nothing after STOP.
func LoadBytes(b []byte, opt *Options) (Value, error) {
	r := bytes.NewReader(b)
	v, err := Load(r, opt)
	if err != nil {
		return nil, err
	}
	if r.Len() != 0 {
		return nil, FormatError(fmt.Sprintf("%d bytes after STOP", r.Len()))
	}
	return v, nil
}

// machine is the pickle virtual machine of pickletools: a stack, a stack
// of marks (indices into the stack) and a memo.
type machine struct {
	r     Reader
	opt   Options
	pos   int64 // bytes consumed
	stack []Value
	marks []int
	memo  map[uint32]Value
}

func (m *machine) errorf(format string, args ...any) error {
	return FormatError(fmt.Sprintf("at byte %d: ", m.pos) + fmt.Sprintf(format, args...))
}

func (m *machine) consume(n int64) error {
	if n < 0 || n > m.opt.Limits.MaxInput-m.pos {
		return &LimitError{What: "input bytes", Limit: m.opt.Limits.MaxInput}
	}
	m.pos += n
	return nil
}

func (m *machine) readByte() (byte, error) {
	if err := m.consume(1); err != nil {
		return 0, err
	}
	b, err := m.r.ReadByte()
	if err != nil {
		return 0, m.eof(err)
	}
	return b, nil
}

func (m *machine) eof(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return m.errorf("unexpected end of input")
	}
	return fmt.Errorf("pickle: at byte %d: %w", m.pos, err)
}

// read returns the next n bytes. The buffer grows as data arrives, so a
// huge declared length costs memory only if the input really has it.
func (m *machine) read(n int64) ([]byte, error) {
	if err := m.consume(n); err != nil {
		return nil, err
	}
	if n <= 1<<16 {
		b := make([]byte, n)
		if _, err := io.ReadFull(m.r, b); err != nil {
			return nil, m.eof(err)
		}
		return b, nil
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, m.r, n); err != nil {
		return nil, m.eof(err)
	}
	return buf.Bytes(), nil
}

// readLine returns the bytes up to a '\n' (excluded), at most 4096.
func (m *machine) readLine() (string, error) {
	var b []byte
	for {
		c, err := m.readByte()
		if err != nil {
			return "", err
		}
		if c == '\n' {
			return string(b), nil
		}
		if len(b) >= 4096 {
			return "", m.errorf("line longer than 4096 bytes")
		}
		b = append(b, c)
	}
}

func (m *machine) push(v Value) error {
	if len(m.stack)+len(m.marks) >= m.opt.Limits.MaxStack {
		return &LimitError{What: "stack items", Limit: int64(m.opt.Limits.MaxStack)}
	}
	m.stack = append(m.stack, v)
	return nil
}

func (m *machine) pop() (Value, error) {
	base := 0
	if n := len(m.marks); n > 0 {
		base = m.marks[n-1]
	}
	if len(m.stack) <= base {
		return nil, m.errorf("stack underflow")
	}
	v := m.stack[len(m.stack)-1]
	m.stack = m.stack[:len(m.stack)-1]
	return v, nil
}

func (m *machine) top() (Value, error) {
	v, err := m.pop()
	if err != nil {
		return nil, err
	}
	m.stack = append(m.stack, v)
	return v, nil
}

// popMark returns the items above the topmost mark and removes them and
// the mark. The slice is a copy.
func (m *machine) popMark() ([]Value, error) {
	n := len(m.marks)
	if n == 0 {
		return nil, m.errorf("no MARK on the stack")
	}
	k := m.marks[n-1]
	m.marks = m.marks[:n-1]
	items := append([]Value(nil), m.stack[k:]...)
	m.stack = m.stack[:k]
	return items, nil
}

func (m *machine) memoPut(idx uint32, v Value) error {
	if _, ok := m.memo[idx]; !ok && len(m.memo) >= m.opt.Limits.MaxMemo {
		return &LimitError{What: "memo entries", Limit: int64(m.opt.Limits.MaxMemo)}
	}
	m.memo[idx] = v
	return nil
}

func (m *machine) memoGet(idx uint32) error {
	v, ok := m.memo[idx]
	if !ok {
		return m.errorf("memo key %d not found", idx)
	}
	return m.push(v)
}
