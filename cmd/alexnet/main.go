// Command alexnet classifies images with AlexNet, numbers identical to
// PyTorch/torchvision: see `alexnet help` and the README.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"

	"github.com/alexnet-go/alexnet/kernels"
)

// errReported marks a failure already reported on stderr (for example a
// bad image among good ones): the exit status is 1, with nothing more said.
var errReported = errors.New("some inputs failed")

// imagesFailed ends a command that went through total images: when
// failed of them did, it says so on stderr (each was reported as it came)
// and returns errReported.
func imagesFailed(cmd *cobra.Command, failed, total int) error {
	if failed == 0 {
		return nil
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "alexnet: %d of %d images failed\n", failed, total)
	return errReported
}

func main() {
	if err := newRoot().Execute(); err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "alexnet:", err)
		}
		os.Exit(1)
	}
}

// newRoot builds the command tree.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "alexnet",
		Short:         "AlexNet image classification, identical to torchvision, in pure Go",
		SilenceUsage:  true,
		SilenceErrors: true,
		// ALEXNET_SGEMM picks the CPU variant of every kernel family
		// (avx512, avx2, blocked: the portable Go kernels, naive) instead
		// of the widest the CPU has; ALEXNET_CONV=direct makes the models'
		// default (model.Config.Conv's zero value) direct convolutions.
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := startProfile(cmd); err != nil {
				return err
			}
			if name := os.Getenv("ALEXNET_SGEMM"); name != "" {
				if err := kernels.UseSgemm(name); err != nil {
					return fmt.Errorf("ALEXNET_SGEMM: %w", err)
				}
			}
			switch v := os.Getenv("ALEXNET_CONV"); v {
			case "", "winograd":
				kernels.SetDefaultConv(kernels.WinogradConv)
			case "direct":
				kernels.SetDefaultConv(kernels.DirectConv)
			default:
				return fmt.Errorf("ALEXNET_CONV=%q: want winograd or direct", v)
			}
			return nil
		},
		PersistentPostRun: func(*cobra.Command, []string) { pprof.StopCPUProfile() },
	}
	root.PersistentFlags().Int("threads", runtime.NumCPU(), "threads for the forward pass")
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile of the command to this file (go tool pprof)")
	root.AddCommand(benchCmd(), classifyCmd(), evalCmd(), explainCmd(), filtersCmd(), preprocessCmd(), quantizeCmd(), serveCmd(), summaryCmd(), trainCmd(), weightsCmd())
	return root
}

// startProfile starts the CPU profile that --cpuprofile asks for.
func startProfile(cmd *cobra.Command) error {
	path, _ := cmd.Flags().GetString("cpuprofile")
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--cpuprofile: %w", err)
	}
	return pprof.StartCPUProfile(f)
}

func threadsFlag(cmd *cobra.Command) int {
	n, _ := cmd.Flags().GetInt("threads")
	return max(n, 1)
}
