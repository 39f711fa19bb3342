package dataset

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxLine bounds the length of one line of a labels file.
const maxLine = 1 << 20

// labelLine is one entry of a labels file: an image file (or its stem)
// and its class id.
type labelLine struct {
	File  string
	Class string
	Line  int
}

// eachLine calls fn with every line of r and its 1-based number, without
// the line ending; blank lines are skipped.
func eachLine(r io.Reader, file string, fn func(line string, n int) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := fn(line, n); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return &FormatError{File: file, Line: n + 1, Msg: err.Error()}
	}
	return nil
}

// parseValAnnotations reads Tiny ImageNet's val_annotations.txt:
// "file<TAB>wnid<TAB>x0<TAB>y0<TAB>x1<TAB>y1" per line. Only the first two
// fields are used, but all six must be there.
func parseValAnnotations(r io.Reader, file string) ([]labelLine, error) {
	return parseLabelLines(r, file, "no annotations", func(line string, n int, _ bool) (labelLine, bool, error) {
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: fmt.Sprintf("want 6 tab-separated fields (file, wnid, box), have %d", len(f))}
		}
		name, wnid := strings.TrimSpace(f[0]), strings.TrimSpace(f[1])
		if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad image file name %q", name)}
		}
		if !isWNID(wnid) {
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad wnid %q", wnid)}
		}
		return labelLine{File: name, Class: wnid, Line: n}, true, nil
	})
}

// parseLabelLines collects the labelLine parse makes of each line (none
// where it returns false), stopping at its first error; no lines at all
// is a *FormatError with the message none. first tells parse whether no
// line has been collected yet.
func parseLabelLines(r io.Reader, file, none string, parse func(line string, n int, first bool) (labelLine, bool, error)) ([]labelLine, error) {
	var out []labelLine
	err := eachLine(r, file, func(line string, n int) error {
		l, ok, err := parse(line, n, len(out) == 0)
		if err != nil {
			return err
		}
		if ok {
			out = append(out, l)
		}
		return nil
	})
	if err == nil && len(out) == 0 {
		err = &FormatError{File: file, Msg: none}
	}
	return out, err
}

// parseLabelsCSV reads a CSV of "image,label" lines, such as Kaggle's
// LOC_val_solution.csv ("ImageId,PredictionString" with the string
// "n01751748 231 0 500 326 ..."): the image is a file name or its stem,
// the label is the first space-separated word of the second field and
// must be a wnid. A first line whose label is not a wnid is a header.
func parseLabelsCSV(r io.Reader, file string) ([]labelLine, error) {
	return parseLabelLines(r, file, "no labels", func(line string, n int, first bool) (labelLine, bool, error) {
		f := strings.SplitN(line, ",", 3)
		if len(f) < 2 {
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: "want image,label"}
		}
		name := strings.TrimSpace(f[0])
		words := strings.Fields(f[1])
		label := ""
		if len(words) > 0 {
			label = words[0]
		}
		if !isWNID(label) {
			if n == 1 && first {
				return labelLine{}, false, nil // header
			}
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad wnid %q", label)}
		}
		if name == "" || strings.ContainsAny(name, `/\`) {
			return labelLine{}, false, &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad image name %q", name)}
		}
		return labelLine{File: name, Class: label, Line: n}, true, nil
	})
}

// parseGroundTruth reads the devkit's ILSVRC2012_validation_ground_truth.txt:
// line i holds the 1-based ILSVRC2012_ID of the i-th validation image in
// sorted file order.
func parseGroundTruth(r io.Reader, file string) ([]int, error) {
	var ids []int
	err := eachLine(r, file, func(line string, n int) error {
		id, ok := atoi(strings.TrimSpace(line))
		if !ok || id < 1 {
			return &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad ILSVRC2012_ID %q", line)}
		}
		if n != len(ids)+1 {
			return &FormatError{File: file, Line: n - 1, Msg: "blank line: each line is one image"}
		}
		ids = append(ids, id)
		return nil
	})
	if err == nil && len(ids) == 0 {
		err = &FormatError{File: file, Msg: "no labels"}
	}
	return ids, err
}

// parseClsLoc reads the devkit's map_clsloc.txt, "wnid ILSVRC2012_ID name"
// per line, into a map from ID to wnid.
func parseClsLoc(r io.Reader, file string) (map[int]string, error) {
	m := map[int]string{}
	err := eachLine(r, file, func(line string, n int) error {
		f := strings.Fields(line)
		if len(f) < 2 || !isWNID(f[0]) {
			return &FormatError{File: file, Line: n, Msg: "want wnid ILSVRC2012_ID name"}
		}
		id, ok := atoi(f[1])
		if !ok || id < 1 {
			return &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad ILSVRC2012_ID %q", f[1])}
		}
		if _, dup := m[id]; dup {
			return &FormatError{File: file, Line: n, Msg: fmt.Sprintf("ILSVRC2012_ID %d repeated", id)}
		}
		m[id] = f[0]
		return nil
	})
	if err == nil && len(m) == 0 {
		err = &FormatError{File: file, Msg: "no classes"}
	}
	return m, err
}

// isWNID reports whether s looks like a WordNet noun id: "n" and 8 digits.
func isWNID(s string) bool {
	if len(s) != 9 || s[0] != 'n' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi parses a small non-negative decimal number.
func atoi(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// readWNIDs reads a wnids.txt: one wnid per line, no repeats.
func readWNIDs(r io.Reader, file string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	err := eachLine(r, file, func(line string, n int) error {
		w := strings.TrimSpace(line)
		if !isWNID(w) {
			return &FormatError{File: file, Line: n, Msg: fmt.Sprintf("bad wnid %q", w)}
		}
		if seen[w] {
			return &FormatError{File: file, Line: n, Msg: fmt.Sprintf("wnid %s repeated", w)}
		}
		seen[w] = true
		out = append(out, w)
		return nil
	})
	if err == nil && len(out) == 0 {
		err = &FormatError{File: file, Msg: "no wnids"}
	}
	return out, err
}
