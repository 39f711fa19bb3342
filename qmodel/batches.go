package qmodel

import "github.com/alexnet-go/alexnet/tensor"

// BatchesOf streams n images in batches of at most size: load(lo, hi)
// returns the (hi-lo,3,H,W) batch of images lo to hi-1, and each is
// yielded in turn. An error of load or yield stops it.
func BatchesOf(n, size int, load func(lo, hi int) (*tensor.Tensor, error)) Batches {
	return func(yield func(*tensor.Tensor) error) error {
		for lo := 0; lo < n; lo += max(size, 1) {
			x, err := load(lo, min(lo+max(size, 1), n))
			if err != nil {
				return err
			}
			if err := yield(x); err != nil {
				return err
			}
		}
		return nil
	}
}
