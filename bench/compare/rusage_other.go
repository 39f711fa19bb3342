//go:build !linux

package main

import "os"

// childMaxRSS is 0 where ru_maxrss's unit is not known: the engines' own
// figures are used instead.
func childMaxRSS(*os.ProcessState) int64 { return 0 }
