package kernels

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestRunTeam checks that runTeam calls fn once for every t and returns
// only after all have returned: from concurrent callers, nested inside a
// team, with more threads than the pool has workers, and after the pool's
// workers have gone to sleep.
func TestRunTeam(t *testing.T) {
	check := func(threads int) {
		calls := make([]atomic.Int32, threads)
		var finished atomic.Int32
		runTeam(threads, func(i int) {
			calls[i].Add(1)
			if i%2 == 1 {
				time.Sleep(50 * time.Microsecond)
			}
			runTeam(2, func(int) {}) // nested: finds the pool taken or free
			finished.Add(1)
		})
		if n := finished.Load(); n != int32(threads) {
			t.Errorf("threads=%d: returned after %d of the calls", threads, n)
		}
		for i := range calls {
			if n := calls[i].Load(); n != 1 {
				t.Errorf("threads=%d: fn(%d) called %d times", threads, i, n)
			}
		}
	}
	for _, threads := range []int{0, 1, 2, 3, 8} {
		check(max(threads, 1))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				check(3)
			}
		}()
	}
	wg.Wait()
	time.Sleep(2 * teamSpin) // the workers sleep; the next team must wake them
	check(2)
}
