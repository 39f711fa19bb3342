// Command alexnet-pipeline classifies and evaluates images on Apache
// Beam: the same answers as `alexnet classify --json` and `alexnet eval
// --json`, from one laptop (Beam's prism runner, in this process, the
// default) to a Flink, Spark or Dataflow cluster.
//
//	alexnet-pipeline classify --input 'photos/*.jpg' --output out/photos [flags]
//	alexnet-pipeline eval --data ../shared/data/tiny-imagenet-200 --output out/val --arch tiny-bn --weights W [--json]
//
// Run with -h after a subcommand for its flags; Beam's own flags
// (--endpoint, --environment_type, --project, --region,
// --staging_location, ...) are accepted too.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

const usageText = `usage:
  alexnet-pipeline classify --input GLOB|'*.parquet'|hf:OWNER/NAME --output PREFIX [flags]
  alexnet-pipeline eval --data PATH|hf:OWNER/NAME --output PREFIX [flags]
Run 'alexnet-pipeline classify -h' or 'alexnet-pipeline eval -h' for the flags.
`

// errFailed is returned when some images could not be classified: the
// command's answers are complete for the others, and it says how many
// failed before exiting with status 1.
var errFailed = errors.New("some images failed")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run runs the subcommand of args and returns the exit status: 0, 1
// when images failed or the job did, 2 for a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && strings.HasPrefix(args[0], "--") && args[0] != "--help" {
		// A Beam worker: the runner's container starts the binary with
		// Beam's flags only (--worker, --id, --control_endpoint, ...).
		flag.CommandLine.Parse(args)
		beam.Init()
		return 0
	}
	if len(args) == 0 {
		fmt.Fprint(stderr, usageText)
		return 2
	}
	var err error
	switch args[0] {
	case "classify":
		err = runClassify(ctx, args[1:], stdout, stderr)
	case "eval":
		err = runEval(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprintf(stderr, "alexnet-pipeline: unknown command %q\n%s", args[0], usageText)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, errFailed):
		return 1
	}
	fmt.Fprintln(stderr, "alexnet-pipeline:", err)
	return 1
}
