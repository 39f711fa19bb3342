package read

import (
	"context"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
)

// The counters of the read transforms, in the "alexnet" namespace.
var (
	readBytes  = beam.NewCounter("alexnet", "bytes")
	readErrors = beam.NewCounter("alexnet", "read_errors")
)

// countRead counts an input of n bytes read.
func countRead(ctx context.Context, n int) { readBytes.Inc(ctx, int64(n)) }

// countReadError counts an input that could not be read.
func countReadError(ctx context.Context) { readErrors.Inc(ctx, 1) }
