package harness

import (
	"bytes"
	"os"
	"strconv"
)

// PeakRSS is this process's peak resident set size in bytes, from VmHWM
// in /proc/self/status; ok is false where that is unavailable (not Linux).
func PeakRSS() (n int64, ok bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	return ParseVmHWM(b)
}

// ParseVmHWM reads the "VmHWM:   1234 kB" line of a /proc/PID/status
// file, in bytes; ok is false when there is none or it is malformed.
func ParseVmHWM(status []byte) (n int64, ok bool) {
	for line := range bytes.Lines(status) {
		rest, found := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !found {
			continue
		}
		f := bytes.Fields(rest)
		if len(f) != 2 || string(f[1]) != "kB" {
			return 0, false
		}
		kb, err := strconv.ParseInt(string(f[0]), 10, 64)
		if err != nil || kb < 0 {
			return 0, false
		}
		return kb * 1024, true
	}
	return 0, false
}
