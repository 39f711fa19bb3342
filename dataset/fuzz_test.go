package dataset

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParsers feeds the labels and annotations parsers arbitrary text:
// they must not panic, and every error must be a FormatError naming the
// file and, when it concerns a line, a line that exists.
func FuzzParsers(f *testing.F) {
	f.Add("val_0.JPEG\tn03444034\t0\t32\t44\t62\nval_1.JPEG\tn04067472\t52\t55\t57\t59\n")
	f.Add("ImageId,PredictionString\nILSVRC2012_val_00008726,n02119789 255 142 454 329 n02119789 44 21 322 295 \n")
	f.Add("490\n361\n171\n")
	f.Add("n02119789 1 kit_fox\nn02100735 2 English_setter\n")
	f.Add("a,b\n\n\r\n,\n")
	check := func(t *testing.T, in string, err error) {
		if err == nil {
			return
		}
		var fe *FormatError
		if !errors.As(err, &fe) || fe.File != "f.txt" {
			t.Fatalf("error %v is not a FormatError naming the file", err)
		}
		if fe.Line > strings.Count(in, "\n")+1 {
			t.Fatalf("error at line %d of a %d-line input", fe.Line, strings.Count(in, "\n")+1)
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		a, err := parseValAnnotations(strings.NewReader(in), "f.txt")
		check(t, in, err)
		for _, l := range a {
			if !isWNID(l.Class) || strings.ContainsAny(l.File, `/\`) {
				t.Fatalf("accepted %+v", l)
			}
		}
		c, err := parseLabelsCSV(strings.NewReader(in), "f.txt")
		check(t, in, err)
		for _, l := range c {
			if !isWNID(l.Class) || l.File == "" {
				t.Fatalf("accepted %+v", l)
			}
		}
		ids, err := parseGroundTruth(strings.NewReader(in), "f.txt")
		check(t, in, err)
		for _, id := range ids {
			if id < 1 {
				t.Fatalf("accepted ID %d", id)
			}
		}
		_, err = parseClsLoc(strings.NewReader(in), "f.txt")
		check(t, in, err)
		_, err = readWNIDs(strings.NewReader(in), "f.txt")
		check(t, in, err)
	})
}
