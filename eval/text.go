package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// WriteText prints s for a person: the counts, top-1 and top-5 accuracy
// and error, the speed, the worst and best classes and the files that
// failed.
func WriteText(w io.Writer, s *Summary) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "data        %s\n", describe(s))
	fmt.Fprintf(b, "model       %s  %s  (tta %s)\n", s.Arch, s.Weights, s.TTA)
	fmt.Fprintf(b, "images      %d read, %d classified, %d failed", s.Images, s.Classified, len(s.Errors))
	if s.Unmapped > 0 {
		fmt.Fprintf(b, ", %d of classes not in ImageNet-1k", s.Unmapped)
	}
	if s.Unlabeled > 0 {
		fmt.Fprintf(b, ", %d unlabelled", s.Unlabeled)
	}
	fmt.Fprintln(b)
	fmt.Fprintf(b, "top-1       %6.2f%%  (error %6.2f%%)  %d of %d\n", 100*s.Top1, 100*(1-s.Top1), s.Top1Correct, s.Scored)
	fmt.Fprintf(b, "top-5       %6.2f%%  (error %6.2f%%)  %d of %d\n", 100*s.Top5, 100*(1-s.Top5), s.Top5Correct, s.Scored)
	fmt.Fprintf(b, "            over the %d classified images of mapped classes; argmax over %s\n", s.Scored, argmaxOver(s))
	fmt.Fprintf(b, "speed       %.1f images/s (%.1f s, encoded bytes to predictions)\n", s.ImagesPerSec, s.Seconds)
	if len(s.UnmappedClasses) > 0 {
		fmt.Fprintf(b, "unmapped    %d classes with no ImageNet-1k wnid: %s\n", len(s.UnmappedClasses), list(s.UnmappedClasses, 10))
	}
	worst, best := WorstBest(s.PerClass, 5)
	if len(s.PerClass) > 1 {
		fmt.Fprintln(b, "worst classes")
		classRows(b, worst)
		fmt.Fprintln(b, "best classes")
		classRows(b, best)
	}
	if len(s.Errors) > 0 {
		fmt.Fprintf(b, "failed      %d files\n", len(s.Errors))
		for _, e := range s.Errors {
			if strings.Contains(e.Error, e.Name) {
				fmt.Fprintf(b, "  %s\n", e.Error)
			} else {
				fmt.Fprintf(b, "  %s: %s\n", e.Name, e.Error)
			}
		}
	}
	return b.Flush()
}

// WriteJSON writes s as one indented JSON object.
func WriteJSON(w io.Writer, s *Summary) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// WorstBest returns the n classes of lowest top-1 accuracy, worst first,
// and the n of highest, best first; ties go by top-5, then by class order.
// With fewer than 2n classes the two lists overlap.
func WorstBest(per []ClassStats, n int) (worst, best []ClassStats) {
	s := slices.Clone(per)
	slices.SortStableFunc(s, func(a, b ClassStats) int {
		switch {
		case a.Top1 != b.Top1:
			return cmpF(a.Top1, b.Top1)
		default:
			return cmpF(a.Top5, b.Top5)
		}
	})
	worst = s[:min(n, len(s))]
	for i := len(s) - 1; i >= 0 && len(best) < n; i-- {
		best = append(best, s[i])
	}
	return worst, best
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func classRows(b io.Writer, cs []ClassStats) {
	for _, c := range cs {
		fmt.Fprintf(b, "  %-10s %4d %-28s top-1 %6.2f%%  top-5 %6.2f%%  (%d images)\n",
			c.WNID, c.ImageNetIndex, c.Name, 100*c.Top1, 100*c.Top5, c.Images)
	}
}

func describe(s *Summary) string {
	d := s.Data
	if s.Split != "" {
		d += " (split " + s.Split + ")"
	}
	return d
}

func argmaxOver(s *Summary) string {
	if s.Restrict {
		return fmt.Sprintf("the data set's %d mapped classes only", s.RestrictClasses)
	}
	return fmt.Sprintf("all %d classes", s.RestrictClasses)
}

func list(xs []string, n int) string {
	if len(xs) <= n {
		return strings.Join(xs, ", ")
	}
	return strings.Join(xs[:n], ", ") + fmt.Sprintf(", ... (%d more)", len(xs)-n)
}
