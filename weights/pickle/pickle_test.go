package pickle

import (
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

const testdata = "../../testdata/weights"

func bigInt(s string) *big.Int {
	b, _ := new(big.Int).SetString(s, 10)
	return b
}

// testBuiltins resolves the constructors protocols 2 to 4 use for bytes,
// bytearray, set and frozenset (Python 3 maps builtins to __builtin__ for
// protocol 2). Python's calls are mirrored for the arguments PLAIN needs.
var testBuiltins = Allow(map[string]Value{
	"_codecs.encode": Func(func(a Tuple) (Value, error) { // encode(str, "latin1")
		s, _ := a[0].(string)
		var b Bytes
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b, nil
	}),
	"__builtin__.bytearray": Func(bytearray), "builtins.bytearray": Func(bytearray),
	"__builtin__.set": Func(set), "builtins.set": Func(set),
	"__builtin__.frozenset": Func(set), "builtins.frozenset": Func(set),
})

func bytearray(a Tuple) (Value, error) {
	if len(a) == 2 { // bytearray(str, "latin-1") in protocol 2
		s, _ := a[0].(string)
		var b Bytes
		for _, r := range s {
			b = append(b, byte(r))
		}
		return b, nil
	}
	if len(a) == 1 {
		return a[0], nil
	}
	return nil, fmt.Errorf("bytearray%v", a)
}

func set(a Tuple) (Value, error) {
	if len(a) != 1 {
		return nil, fmt.Errorf("set%v", a)
	}
	l, ok := a[0].(*List)
	if !ok {
		return nil, fmt.Errorf("set of %s", TypeName(a[0]))
	}
	return &Set{Items: l.Items}, nil
}

// TestPlainProtocols decodes pickle.dumps(PLAIN, protocol=N) from
// testdata/gen/weights.py and compares with PLAIN written out by hand.
func TestPlainProtocols(t *testing.T) {
	wantInts := []Value{int64(0), int64(255), int64(256), int64(65535), int64(65536), int64(-1),
		int64(-2147483648), int64(2147483648), int64(9223372036854775807), int64(-9223372036854775808),
		bigInt("1180591620717411303424"), bigInt("-1180591620717411303424")}
	for proto := 2; proto <= 5; proto++ {
		t.Run(fmt.Sprint("protocol", proto), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(testdata, fmt.Sprintf("plain_p%d.pkl", proto)))
			if err != nil {
				t.Fatal(err)
			}
			v, err := LoadBytes(b, &Options{Find: testBuiltins})
			if err != nil {
				t.Fatal(err)
			}
			d, ok := v.(*Dict)
			if !ok {
				t.Fatalf("got %s, want dict", TypeName(v))
			}
			get := func(k string) Value {
				v, ok := d.Get(k)
				if !ok {
					t.Fatalf("no key %q", k)
				}
				return v
			}
			keys := []string{"ints", "float", "str", "bytes", "bytearray", "tuples", "consts", "set", "frozenset", "shared"}
			for i, k := range keys {
				if d.Key(i) != k {
					t.Errorf("key %d = %v, want %q", i, d.Key(i), k)
				}
			}
			if got := get("ints").(*List).Items; !reflect.DeepEqual(got, wantInts) {
				t.Errorf("ints = %v, want %v", got, wantInts)
			}
			if get("float") != -1.5 || get("str") != "café" {
				t.Errorf("float, str = %v, %v", get("float"), get("str"))
			}
			if !reflect.DeepEqual(get("bytes"), Bytes("\x00\xff")) {
				t.Errorf("bytes = %v", get("bytes"))
			}
			if !reflect.DeepEqual(get("bytearray"), Bytes("ab")) {
				t.Errorf("bytearray = %v", get("bytearray"))
			}
			wantTuples := []Value{Tuple{}, Tuple{int64(1)}, Tuple{int64(1), int64(2)},
				Tuple{int64(1), int64(2), int64(3)}, Tuple{int64(1), int64(2), int64(3), int64(4)}}
			if got := get("tuples").(*List).Items; !reflect.DeepEqual(got, wantTuples) {
				t.Errorf("tuples = %v", got)
			}
			if got := get("consts").(*List).Items; !reflect.DeepEqual(got, []Value{nil, true, false}) {
				t.Errorf("consts = %v", got)
			}
			if got := get("set").(*Set).Items; !reflect.DeepEqual(got, []Value{int64(7)}) {
				t.Errorf("set = %v", got)
			}
			if got := get("frozenset").(*Set).Items; !reflect.DeepEqual(got, []Value{int64(8)}) {
				t.Errorf("frozenset = %v", got)
			}
			sh := get("shared").(Tuple)
			if len(sh) != 2 || sh[0].(*List) != sh[1].(*List) {
				t.Errorf("shared list is not one object via the memo")
			}
		})
	}
}

// Protocols 2 and 3 spell bytes, bytearray and sets as calls of
// _codecs.encode, builtins.bytearray, builtins.set: with no Find those
// are refused by name.
func TestPlainProtocolsRefuseBuiltins(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(testdata, "plain_p2.pkl"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadBytes(b, &Options{})
	var ge *GlobalError
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v, want *GlobalError", err)
	}
}
