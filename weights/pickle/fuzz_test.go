package pickle

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzUnpickle runs the machine on arbitrary bytes with a permissive Find
// (every global is a callable returning an empty dict) and persistent
// loader, so the fuzzer reaches REDUCE, BUILD and BINPERSID. It must
// never panic or exceed its limits.
func FuzzUnpickle(f *testing.F) {
	for _, n := range []string{"plain_p2.pkl", "plain_p3.pkl", "plain_p4.pkl", "plain_p5.pkl"} {
		b, err := os.ReadFile(filepath.Join(testdata, n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, n := range []string{"small.pth", "evil.pth"} {
		zr, err := zip.OpenReader(filepath.Join(testdata, n))
		if err != nil {
			f.Fatal(err)
		}
		for _, zf := range zr.File {
			if filepath.Base(zf.Name) == "data.pkl" {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				f.Add(b)
			}
		}
		zr.Close()
	}
	opt := &Options{
		Find: func(module, name string) (Value, error) {
			if module == "os" {
				return nil, &GlobalError{module, name}
			}
			return Func(func(Tuple) (Value, error) { return NewDict(), nil }), nil
		},
		PersistentLoad: func(pid Value) (Value, error) { return pid, nil },
		Limits:         Limits{MaxInput: 1 << 20, MaxStack: 1 << 12, MaxMemo: 1 << 12},
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := Load(bytes.NewReader(b), opt)
		if err == nil {
			_ = TypeName(v)
		}
	})
}
