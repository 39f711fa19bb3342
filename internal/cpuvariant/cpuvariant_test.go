package cpuvariant

import (
	"errors"
	"slices"
	"testing"
)

// TestSelect checks that Select switches a family to the variant asked
// for, to the best one below it where the family lacks it, and to its
// portable twin below that; that unknown and unavailable names are
// errors; and that ForEach visits every variant and restores the
// selection.
func TestSelect(t *testing.T) {
	prev := Active()
	defer func() {
		if err := Select(prev); err != nil {
			t.Fatal(err)
		}
	}()
	f := NewFamily("test", "portable")
	f.Register(Naive, true, "naive")
	f.Register(AVX2, true, "avx2")
	g := NewFamily("test2", "g-portable") // lacks all but its portable twin
	f.Register(AVX512, false, "avx512")   // not on this "CPU"
	if got := f.Get(); got != "avx2" {
		t.Errorf("default: %q, want the widest available, avx2", got)
	}
	for _, c := range []struct{ sel, want string }{{Portable, "portable"}, {Naive, "naive"}, {AVX2, "avx2"}} {
		if err := Select(c.sel); err != nil {
			t.Fatal(err)
		}
		if got := f.Get(); got != c.want || f.Active() != c.sel || Active() != c.sel {
			t.Errorf("Select(%s): family runs %q (variant %s), Active %s; want %q", c.sel, got, f.Active(), Active(), c.want)
		}
		if got := g.Get(); got != "g-portable" || g.Active() != Portable {
			t.Errorf("Select(%s): the portable-only family runs %q (variant %s)", c.sel, got, g.Active())
		}
	}
	var e *Error
	if err := Select("sse9"); !errors.As(err, &e) || e.Name != "sse9" || !slices.Contains(e.Available, Portable) {
		t.Errorf("Select(sse9) = %v, want an *Error listing the variants", err)
	}
	if im, ok := f.Lookup(AVX512); ok {
		t.Errorf("Lookup(avx512) = %q: an unavailable variant registered", im)
	}
	if got := f.Impls(); !slices.Equal(got, []string{"naive", "portable", "avx2"}) {
		t.Errorf("Impls = %q", got)
	}
	if err := Select(Portable); err != nil {
		t.Fatal(err)
	}
	var seen []string
	ForEach(t, func(t *testing.T) { seen = append(seen, Active()) })
	if !slices.Equal(seen, Variants()) || seen[0] != Portable {
		t.Errorf("ForEach visited %v, want %v, portable first", seen, Variants())
	}
	if Active() != Portable || f.Get() != "portable" {
		t.Errorf("after ForEach: Active %s, family %q; want the portable selection restored", Active(), f.Get())
	}
}

// TestRegisterUnknown checks that a variant name outside the list panics.
func TestRegisterUnknown(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Register(sse9) did not panic")
		}
	}()
	NewFamily("unknown", 0).Register("sse9", true, 1)
}
