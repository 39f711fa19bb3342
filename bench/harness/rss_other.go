//go:build !linux

package harness

import "os"

// ChildMaxRSS is 0 where ru_maxrss's unit is not known: callers use the
// engines' own figures instead.
func ChildMaxRSS(*os.ProcessState) int64 { return 0 }
