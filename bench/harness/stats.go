package harness

import (
	"slices"
	"strings"
)

// Median is the median of x, the mean of the middle two for even
// lengths, and 0 for an empty x. x is not modified.
func Median(x []float64) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(x))
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// GFLOPS is 2·macs·batch floating-point operations (a multiply-add is
// two) done in sec seconds, in GFLOP/s; 0 when sec is not positive.
func GFLOPS(macs int64, batch int, sec float64) float64 {
	if sec <= 0 {
		return 0
	}
	return 2 * float64(macs) * float64(batch) / sec / 1e9
}

// Rotate returns a copy of s rotated left by k (any k ≥ 0), so that in
// round k of interleaved rounds no engine always runs first.
func Rotate[T any](s []T, k int) []T {
	if len(s) == 0 {
		return nil
	}
	k %= len(s)
	return append(slices.Clone(s[k:]), s[:k]...)
}

// MarkdownTable writes a Markdown table with padded columns, readable as
// text; columns are right-aligned but for the header names in left.
func MarkdownTable(sb *strings.Builder, header []string, rows [][]string, left ...string) {
	rightCol := make([]bool, len(header))
	w := make([]int, len(header))
	for i, h := range header {
		rightCol[i] = !slices.Contains(left, h)
		w[i] = len([]rune(h))
	}
	for _, r := range rows {
		for i, c := range r {
			w[i] = max(w[i], len([]rune(c)))
		}
	}
	line := func(cells []string, right bool) {
		sb.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", w[i]-len([]rune(c)))
			if right && rightCol[i] {
				sb.WriteString(" " + pad + c + " |")
			} else {
				sb.WriteString(" " + c + pad + " |")
			}
		}
		sb.WriteString("\n")
	}
	line(header, false)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = strings.Repeat("-", w[i])
		if rightCol[i] {
			sep[i] = sep[i][:w[i]-1] + ":"
		}
	}
	line(sep, false)
	for _, r := range rows {
		line(r, true)
	}
}
