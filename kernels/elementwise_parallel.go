package kernels

// ElementGrain is the fewest elements ParFor gives one goroutine in the
// elementwise kernels: 64 KiB of float32, so that small tensors stay on
// the calling goroutine, and a multiple of 16 so that no two goroutines
// write one cache line.
const ElementGrain = 1 << 14

// ParFor runs fn over [0, n) split into up to threads contiguous ranges,
// each a multiple of grain long but the last (which ends at n), each run
// by the caller or a pool worker (see parallel); it returns when all are
// done. Threads below 1 means 1, and when n is at most grain fn
// runs once, on the calling goroutine. As each range is a fixed function
// of n, grain and threads, an fn whose elements are independent gives the
// same result for every thread count.
func ParFor(n, grain, threads int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	parallel(n, max(grain, 1), threads, fn)
}

// ClearThreads sets x[i] = 0 for i < len(x), split over threads
// goroutines (ParFor with ElementGrain).
func ClearThreads(x []float32, threads int) {
	ParFor(len(x), ElementGrain, threads, func(lo, hi int) { clear(x[lo:hi]) })
}

// MulThreads is Mul split over threads goroutines (ParFor with
// ElementGrain): y[i] = a[i] * b[i] for i < len(a); y may alias a or b.
func MulThreads(a, b, y []float32, threads int) {
	b, y = b[:len(a)], y[:len(a)]
	ParFor(len(a), ElementGrain, threads, func(lo, hi int) { Mul(a[lo:hi], b[lo:hi], y[lo:hi]) })
}

// ReLUBackwardThreads is ReLUBackward split over threads goroutines
// (ParFor with ElementGrain): dx[i] = dy[i] if y[i] > 0, else 0, for
// i < len(dy). dx may alias dy.
func ReLUBackwardThreads(y, dy, dx []float32, threads int) {
	y, dx = y[:len(dy)], dx[:len(dy)]
	ParFor(len(dy), ElementGrain, threads, func(lo, hi int) { ReLUBackward(y[lo:hi], dy[lo:hi], dx[lo:hi]) })
}
