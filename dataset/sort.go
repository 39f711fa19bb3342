package dataset

import (
	"path/filepath"
	"strings"
)

// naturalLess orders file names whose stems end in "_<digits>" by that
// number when the rest of the names agree ("val_2.JPEG" before
// "val_10.JPEG"), and all others as strings.
func naturalLess(a, b string) bool {
	pa, na, oka := splitNumber(a)
	pb, nb, okb := splitNumber(b)
	if oka && okb && pa == pb {
		if len(na) != len(nb) {
			return len(na) < len(nb)
		}
		if na != nb {
			return na < nb
		}
	}
	return a < b
}

// splitNumber splits "dir/val_0012.JPEG" into ("dir/val_.JPEG", "12",
// true); ok is false when the stem does not end in "_<digits>".
func splitNumber(name string) (rest, num string, ok bool) {
	ext := filepath.Ext(name)
	stem := name[:len(name)-len(ext)]
	i := strings.LastIndexByte(stem, '_')
	if i < 0 || i == len(stem)-1 {
		return "", "", false
	}
	digits := stem[i+1:]
	for _, c := range digits {
		if c < '0' || c > '9' {
			return "", "", false
		}
	}
	num = strings.TrimLeft(digits, "0")
	if num == "" {
		num = "0"
	}
	return stem[:i+1] + ext, num, true
}
