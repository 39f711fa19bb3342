// Package bufpool recycles the large byte buffers of image decoding and
// resizing (a photo's planes and pixels, hundreds of kilobytes each), so
// that a server decoding many images reuses warm memory instead of making
// the garbage collector and the kernel supply fresh pages for every one.
// It is safe for concurrent use.
package bufpool

import "sync"

// minSize is the smallest buffer worth pooling.
const minSize = 32 << 10

var pool sync.Pool // *[]byte

// Get returns a zeroed buffer of length n: a pooled one when one is large
// enough, else a new one.
func Get(n int) []byte {
	if n >= minSize {
		if p, ok := pool.Get().(*[]byte); ok {
			if cap(*p) >= n {
				b := (*p)[:n]
				clear(b)
				return b
			}
			pool.Put(p) // too small for this one: keep it for a smaller image
		}
	}
	return make([]byte, n)
}

// Put hands b, which its owner no longer uses or shares, to later Gets.
func Put(b []byte) {
	if cap(b) >= minSize {
		pool.Put(&b)
	}
}
