package pickle

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestForbiddenGlobals: every way of naming a callable is refused with a
// *GlobalError naming it; nothing is called.
func TestForbiddenGlobals(t *testing.T) {
	tests := []struct {
		name, pickle, global string
	}{
		{"GLOBAL+REDUCE", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00ls\x85R.", "os.system"},
		{"STACK_GLOBAL", "\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x031+1\x85R.", "builtins.eval"},
		{"NEWOBJ", "\x80\x02csubprocess\nPopen\n)\x81.", "subprocess.Popen"},
		{"nested in a dict", "\x80\x02}(X\x01\x00\x00\x00acposix\nsystem\nu.", "posix.system"},
	}
	allowed := Allow(map[string]Value{"collections.OrderedDict": Func(func(Tuple) (Value, error) { return NewDict(), nil })})
	for _, tt := range tests {
		for _, find := range []func(string, string) (Value, error){nil, allowed} {
			_, err := LoadBytes([]byte(tt.pickle), &Options{Find: find})
			var ge *GlobalError
			if !errors.As(err, &ge) || ge.Module+"."+ge.Name != tt.global {
				t.Errorf("%s: err = %v, want GlobalError for %s", tt.name, err, tt.global)
				continue
			}
			if want := "pickle: global " + tt.global + " is not allowed"; err.Error() != want {
				t.Errorf("%s: %q, want %q", tt.name, err, want)
			}
		}
	}
}

// TestMalformed: bad input gives an error, never a panic or a hang.
func TestMalformed(t *testing.T) {
	tests := []struct {
		name, pickle, want string
	}{
		{"empty", "", "unexpected end of input"},
		{"no STOP", "\x80\x02N", "unexpected end of input"},
		{"empty stack at STOP", "\x80\x02.", "stack underflow"},
		{"pop past MARK", "\x80\x02N(0.", "stack underflow"},
		{"TUPLE without MARK", "\x80\x02Nt.", "no MARK"},
		{"memo miss", "\x80\x02h\x05.", "memo key 5 not found"},
		{"APPEND to int", "\x80\x02K\x01K\x02a.", "cannot add items to int"},
		{"SETITEM on list", "\x80\x02]K\x01K\x02s.", "SETITEM on list"},
		{"odd SETITEMS", "\x80\x02}(K\x01u.", "odd number"},
		{"REDUCE on str", "\x80\x02X\x01\x00\x00\x00a)R.", "not callable"},
		{"REDUCE args not tuple", "\x80\x02NNR.", "not a tuple"},
		{"list as dict key", "\x80\x02}]K\x01s.", "unsupported dict key of type list"},
		{"bad utf-8", "\x80\x02X\x01\x00\x00\x00\xff.", "invalid UTF-8"},
		{"protocol 6", "\x80\x06N.", "unsupported protocol 6"},
		{"INST", "\x80\x02(ios\nsystem\n.", "unsupported opcode 0x69"},
		{"persistent id without loader", "\x80\x02NQ.", "persistent id"},
		{"BUILD on int", "\x80\x02K\x01Nb.", "BUILD on int"},
		{"trailing bytes", "\x80\x02N.N", "after STOP"},
		{"short BINFLOAT", "\x80\x02G\x00\x00", "unexpected end"},
		{"huge LONG4", "\x80\x02\x8b\xff\xff\xff\x7f", "integer of"},
		{"huge BINUNICODE8", "\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\x7f", "input bytes exceed"},
		{"huge BINBYTES", "\x80\x03B\xff\xff\xff\xff", "input bytes exceed"},
	}
	for _, tt := range tests {
		_, err := LoadBytes([]byte(tt.pickle), nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

// TestLimits: stack, memo and input limits stop a pickle that would
// otherwise grow without bound.
func TestLimits(t *testing.T) {
	marks := "\x80\x02" + strings.Repeat("(", 200) + "."
	_, err := LoadBytes([]byte(marks), &Options{Limits: Limits{MaxStack: 100}})
	var le *LimitError
	if !errors.As(err, &le) || le.What != "stack items" {
		t.Errorf("marks: err = %v, want stack LimitError", err)
	}
	memo := "\x80\x04N" + strings.Repeat("\x94", 200) + "."
	_, err = LoadBytes([]byte(memo), &Options{Limits: Limits{MaxMemo: 100}})
	if !errors.As(err, &le) || le.What != "memo entries" {
		t.Errorf("memo: err = %v, want memo LimitError", err)
	}
	long := "\x80\x02]" + strings.Repeat("Na", 1000) + "."
	_, err = LoadBytes([]byte(long), &Options{Limits: Limits{MaxInput: 1000}})
	if !errors.As(err, &le) || le.What != "input bytes" {
		t.Errorf("input: err = %v, want input LimitError", err)
	}
	if _, err := LoadBytes([]byte(long), nil); err != nil {
		t.Errorf("within default limits: %v", err)
	}
}

// TestLoadStopsAtSTOP: Load leaves the bytes after STOP in the reader,
// as the legacy torch.save format needs.
func TestLoadStopsAtSTOP(t *testing.T) {
	r := strings.NewReader("\x80\x02K\x07.rest")
	v, err := Load(r, nil)
	if err != nil || v != int64(7) {
		t.Fatalf("Load = %v, %v", v, err)
	}
	if r.Len() != 4 {
		t.Errorf("%d bytes left, want 4", r.Len())
	}
}

// TestEncoderRoundTrip decodes what Encoder writes.
func TestEncoderRoundTrip(t *testing.T) {
	var e Encoder
	e.Proto(2)
	e.Mark()
	for _, i := range []int64{0, 255, 256, 65535, 65536, -1, 1 << 31, -1 << 40} {
		e.Int(i)
	}
	e.String("héllo")
	e.Bool(true)
	e.Bool(false)
	e.None()
	e.EmptyTuple()
	e.EmptyDict()
	e.Tuple()
	e.Stop()
	v, err := LoadBytes(e.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tup := v.(Tuple)
	want := []Value{int64(0), int64(255), int64(256), int64(65535), int64(65536), int64(-1), int64(1 << 31), int64(-1 << 40), "héllo", true, false, nil, Tuple{}}
	for i, w := range want {
		if !reflect.DeepEqual(tup[i], w) {
			t.Errorf("item %d = %v, want %v", i, tup[i], w)
		}
	}
	if d, ok := tup[len(want)].(*Dict); !ok || d.Len() != 0 {
		t.Errorf("last item %v, want empty dict", tup[len(want)])
	}
}
