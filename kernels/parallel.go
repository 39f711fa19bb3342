package kernels

import "sync"

// parallel runs fn over [0, n) split into up to threads contiguous ranges
// of whole units (the last range ends at n), one goroutine each, the last
// range on the calling goroutine; it returns when all are done.
func parallel(n, unit, threads int, fn func(lo, hi int)) {
	units := (n + unit - 1) / unit
	threads = max(1, min(threads, units))
	var wg sync.WaitGroup
	for t := 0; t < threads; t++ {
		lo := min(n, t*units/threads*unit)
		hi := min(n, (t+1)*units/threads*unit)
		if t == threads-1 {
			fn(lo, hi)
			break
		}
		wg.Add(1)
		go func() { defer wg.Done(); fn(lo, hi) }()
	}
	wg.Wait()
}

// parFor is parallel with units of one.
func parFor(n, threads int, fn func(lo, hi int)) { parallel(n, 1, threads, fn) }
