package runner

import "os"

// stderr writes to the process's standard error as it is at each write
// (tests may replace os.Stderr).
type stderr struct{}

func (stderr) Write(p []byte) (int, error) { return os.Stderr.Write(p) }
