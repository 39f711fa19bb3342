package harness

import (
	"os"
	"syscall"
)

// ChildMaxRSS is a finished child's peak resident set size in bytes, from
// the rusage that wait4 returned (ru_maxrss is in KiB on Linux); 0 where
// that is unknown.
func ChildMaxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss * 1024
	}
	return 0
}
