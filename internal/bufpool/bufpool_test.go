package bufpool

import "testing"

// Get gives zeroed buffers of the asked length, reused or not.
func TestGetPut(t *testing.T) {
	for _, n := range []int{0, 10, minSize, 3 * minSize, minSize + 1, 5 * minSize} {
		b := Get(n)
		if len(b) != n {
			t.Fatalf("Get(%d): length %d", n, len(b))
		}
		for i := range b {
			if b[i] != 0 {
				t.Fatalf("Get(%d): byte %d is %d", n, i, b[i])
			}
			b[i] = 0xff
		}
		Put(b)
	}
}
