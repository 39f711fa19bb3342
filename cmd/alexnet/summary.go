package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/tensor"
)

func summaryCmd() *cobra.Command {
	var arch string
	var classes int
	cmd := &cobra.Command{
		Use:   "summary [--arch torchvision|original|tiny|tiny-bn]",
		Short: "Print the layer table: output shapes, parameters, MACs",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return printSummary(cmd.OutOrStdout(), arch, classes)
		},
	}
	addArchFlag(cmd.Flags(), &arch)
	cmd.Flags().IntVar(&classes, "classes", 0, "number of output classes (default 1000)")
	return cmd
}

// printSummary prints the layer table of arch with classes output classes
// (0: its default), with the totals and a line on the input and sizes.
func printSummary(w io.Writer, arch string, classes int) error {
	cfg, err := model.ConfigFor(arch)
	if err != nil {
		return err
	}
	if classes > 0 {
		cfg.NumClasses = classes
	}
	m, err := model.New(cfg)
	if err != nil {
		return err
	}
	return printLayers(w, arch, m)
}

// printLayers prints m's layer table at its input size, with the totals
// and a line on the input and sizes.
func printLayers(w io.Writer, arch string, m *model.AlexNet) error {
	cfg := m.Config()
	rows, err := m.Summary(cfg.InputSize)
	if err != nil {
		return err
	}
	const row = "%-14s %-18s %-18s %12s %14s %14s %14s\n"
	fmt.Fprintf(w, row, "layer", "type", "output shape", "params", "MACs", "fp32 bytes", "int8 bytes")
	for _, r := range rows {
		fmt.Fprintf(w, row, r.Name, r.Type, tensor.ShapeString(r.OutShape), group(int64(r.Params)), group(r.MACs),
			group(r.BytesF32), group(r.BytesInt8))
	}
	t := model.Totals(rows)
	fmt.Fprintf(w, row, "total", "", "", group(int64(t.Params)), group(t.MACs), group(t.BytesF32), group(t.BytesInt8))
	fmt.Fprintf(w, "\n%s: input %s, %.1fM parameters (%.1f MB as float32, %.1f MB as int8), %.3f GMAC per image\n",
		arch, tensor.ShapeString([]int{1, 3, cfg.InputSize, cfg.InputSize}), float64(t.Params)/1e6,
		float64(t.BytesF32)/1e6, float64(t.BytesInt8)/1e6, float64(t.MACs)/1e9)
	return nil
}

// group formats n with thousands separators: 61100840 -> "61,100,840".
func group(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + group(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
