package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// parallel runs fn over [0, n) split into up to threads contiguous ranges
// of whole units (the last range ends at n), each range one call of
// runTeam's, run by the caller or a pool worker; it returns when all are
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

// runTeam calls fn(t) once for every t < threads and returns when all
// have returned. The calls run on the calling goroutine and on workers of
// a pool, each participant claiming the next unclaimed t until none is
// left, so fn must not depend on which goroutine runs it or on two calls
// running at the same time.
//
// A parallel section of a batch-1 forward pass lasts tens of microseconds,
// and waking a sleeping thread (a goroutine started on an idle P) costs
// about as much on a virtual machine. So the pool's workers, between
// jobs, wait spinning (yielding their P to any runnable goroutine) for
// up to teamSpin before they sleep, and the caller spins too while it
// waits for calls in progress. A worker that is slow to start (its P
// taken by another goroutine, as in a server that decodes images beside
// the forward passes) delays nothing: the caller claims its share.
func runTeam(threads int, fn func(t int)) {
	if threads <= 1 {
		fn(0)
		return
	}
	j := &teamJob{fn: fn, threads: int32(threads)}
	j.left.Store(int32(threads))
	posted := 0
	for _, w := range teamWorkers() {
		if posted == threads-1 {
			break
		}
		if w.busy.CompareAndSwap(false, true) {
			w.post(j)
			posted++
		}
	}
	j.work()
	for i := 0; j.left.Load() != 0; i++ {
		if i%1024 == 1023 {
			runtime.Gosched()
		}
	}
}

// teamJob is one runTeam call: its participants claim t's from next and
// count left down as their calls return.
type teamJob struct {
	fn      func(int)
	threads int32
	next    atomic.Int32
	left    atomic.Int32
}

// work runs unclaimed calls of j until none is left to claim.
func (j *teamJob) work() {
	for {
		t := j.next.Add(1) - 1
		if t >= j.threads {
			return
		}
		j.fn(int(t))
		j.left.Add(-1)
	}
}

// teamSpin is how long an idle pool worker spins before it sleeps.
const teamSpin = 1000 * time.Microsecond

// teamWorker is one goroutine of runTeam's pool.
type teamWorker struct {
	busy    atomic.Bool // reserved by a caller of runTeam, until its job is done
	pending atomic.Bool // a job is posted
	asleep  atomic.Bool // the worker is (about to be) blocked on wake
	wake    chan struct{}

	job *teamJob
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

// post hands w (reserved by the caller) job j to take part in.
func (w *teamWorker) post(j *teamJob) {
	w.job = j
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
		j := w.job
		w.job = nil
		j.work()
		w.pending.Store(false)
		w.busy.Store(false)
	}
}
