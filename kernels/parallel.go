package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// parallel runs fn over [0, n) split into up to threads contiguous ranges
// of whole units (the last range ends at n), one goroutine each, the first
// range on the calling goroutine (see runTeam); it returns when all are
// done.
func parallel(n, unit, threads int, fn func(lo, hi int)) {
	units := (n + unit - 1) / unit
	threads = max(1, min(threads, units))
	runTeam(threads, func(t int) {
		fn(min(n, t*units/threads*unit), min(n, (t+1)*units/threads*unit))
	})
}

// parFor is parallel with units of one.
func parFor(n, threads int, fn func(lo, hi int)) { parallel(n, 1, threads, fn) }

// runTeam calls fn(t) for every t < threads, fn(0) on the calling
// goroutine and the others on workers of a pool, and returns when all
// have returned.
//
// A parallel section of a batch-1 forward pass lasts tens of microseconds,
// and waking a sleeping thread (a goroutine started on an idle P) costs
// about as much on a virtual machine. So the pool's workers, between
// jobs, wait spinning (yielding their P to any runnable goroutine) for
// up to teamSpin before they sleep, and the caller spins too while it
// waits for them. A t that finds no free worker (more threads than
// GOMAXPROCS-1, or every worker taken by a concurrent caller) runs on a
// goroutine of its own.
func runTeam(threads int, fn func(t int)) {
	if threads <= 1 {
		fn(0)
		return
	}
	var done atomic.Int32
	var extra sync.WaitGroup
	done.Store(int32(threads - 1))
	ws := teamWorkers()
	next := 0
	for t := 1; t < threads; t++ {
		var w *teamWorker
		for ; next < len(ws) && w == nil; next++ {
			if ws[next].busy.CompareAndSwap(false, true) {
				w = ws[next]
			}
		}
		if w == nil {
			extra.Add(1)
			go func() {
				defer extra.Done()
				fn(t)
				done.Add(-1)
			}()
			continue
		}
		w.post(fn, t, &done)
	}
	fn(0)
	for i := 0; done.Load() != 0; i++ {
		if i%1024 == 1023 {
			runtime.Gosched()
		}
	}
	extra.Wait()
}

// teamSpin is how long an idle pool worker spins before it sleeps.
const teamSpin = 1000 * time.Microsecond

// teamWorker is one goroutine of runTeam's pool.
type teamWorker struct {
	busy    atomic.Bool // reserved by a caller of runTeam, until its job is done
	pending atomic.Bool // a job is posted
	asleep  atomic.Bool // the worker is (about to be) blocked on wake
	wake    chan struct{}

	fn   func(int)
	t    int
	done *atomic.Int32
}

var team struct {
	once    sync.Once
	workers []*teamWorker
}

// teamWorkers returns the pool, GOMAXPROCS-1 workers started on first use.
func teamWorkers() []*teamWorker {
	team.once.Do(func() {
		for range runtime.GOMAXPROCS(0) - 1 {
			w := &teamWorker{wake: make(chan struct{}, 1)}
			team.workers = append(team.workers, w)
			go w.loop()
		}
	})
	return team.workers
}

// post hands w (reserved by the caller) job fn(t), to count done down.
func (w *teamWorker) post(fn func(int), t int, done *atomic.Int32) {
	w.fn, w.t, w.done = fn, t, done
	w.pending.Store(true)
	if w.asleep.Load() {
		select {
		case w.wake <- struct{}{}:
		default: // a wake-up is already queued
		}
	}
}

// loop runs w's jobs. With sequentially consistent atomics, either post
// sees asleep and sends a wake-up, or the worker sees pending before it
// blocks; a stale wake-up only makes a later wait return early.
func (w *teamWorker) loop() {
	for {
		start := time.Now()
		for i := 0; !w.pending.Load(); i++ {
			if i%1024 != 1023 {
				continue
			}
			if time.Since(start) < teamSpin {
				runtime.Gosched()
				continue
			}
			w.asleep.Store(true)
			if !w.pending.Load() {
				<-w.wake
			}
			w.asleep.Store(false)
			start = time.Now()
		}
		fn, t, done := w.fn, w.t, w.done
		w.fn, w.done = nil, nil
		fn(t)
		w.pending.Store(false)
		w.busy.Store(false)
		done.Add(-1)
	}
}
