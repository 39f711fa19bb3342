package main

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
)

// benchImagesPerSec runs `bin bench --arch arch --batch batch --json`
// (threads 0: its default) and returns its images per second.
func benchImagesPerSec(bin, arch string, batch, threads, iters int) (float64, error) {
	args := []string{"bench", "--arch", arch, "--batch", strconv.Itoa(batch), "--iters", strconv.Itoa(iters), "--json"}
	if threads > 0 {
		args = append(args, "--threads", strconv.Itoa(threads))
	}
	out, err := exec.Command(bin, args...).Output()
	if err != nil {
		return 0, fmt.Errorf("%s %v: %w", bin, args, err)
	}
	var r struct {
		ImagesPerSec float64 `json:"images_per_sec"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.ImagesPerSec <= 0 {
		return 0, fmt.Errorf("%s %v: no images_per_sec in %.200s", bin, args, out)
	}
	return r.ImagesPerSec, nil
}

// ratios collects, per concurrency level, the server's images/s over
// bench's in the rounds run, to print their median at the end.
type ratios map[int][]float64

func (r ratios) print(levels []int) {
	if len(r) == 0 {
		return
	}
	fmt.Printf("\n%11s %s\n", "concurrency", "served img/s / bench img/s at the modal batch size, each round (median)")
	for _, n := range levels {
		v := slices.Clone(r[n])
		if len(v) == 0 {
			continue
		}
		slices.Sort(v)
		fmt.Printf("%11d", n)
		for _, x := range r[n] {
			fmt.Printf(" %5.1f%%", 100*x)
		}
		fmt.Printf("  (%.1f%%)\n", 100*(v[(len(v)-1)/2]+v[len(v)/2])/2)
	}
}
