// Package harness holds what this module's benchmark programs share:
// the median of timed samples, GFLOP/s from multiply-adds and time, the
// peak resident memory of this process (VmHWM) or of a finished child
// (ru_maxrss), the engine order of interleaved rounds, the per-layer table
// of `alexnet bench` and an aligned Markdown table.
//
// `alexnet bench` (cmd/alexnet), bench/compare and scripts/trainbench
// use it, so that the three report the same measures the same way.
// Nothing in it is timed itself, and its functions are safe for
// concurrent use.
package harness
