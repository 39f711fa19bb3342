// Command mkparquet writes a Hugging Face-style parquet copy of a data set
// (columns image {bytes, path} and label, as the `datasets` library exports
// them), for checking that `alexnet eval` gives the same predictions from
// either form:
//
//	go run ./scripts/mkparquet --data ../shared/data/tiny-imagenet-200 --split val --out /tmp/valid.parquet
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/alexnet-go/alexnet/dataset"
)

func main() {
	data := flag.String("data", "", "data set (folder, parquet, hf:REPO)")
	split := flag.String("split", "", "split")
	out := flag.String("out", "", "output .parquet file")
	flag.Parse()
	if err := run(*data, *split, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkparquet:", err)
		os.Exit(1)
	}
}

func run(data, split, out string) error {
	if data == "" || out == "" {
		return fmt.Errorf("--data and --out are required")
	}
	ds, err := dataset.Open(context.Background(), data, &dataset.Options{Split: split})
	if err != nil {
		return err
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	// Labels as the HF export numbers them: indices into the sorted class
	// ids (Maysee/tiny-imagenet: sorted wnids, 0 = n01443537 goldfish).
	classes := slices.Sorted(slices.Values(ds.Classes()))
	if err := dataset.WriteParquet(f, ds, classes); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", out, err)
	}
	return f.Close()
}
