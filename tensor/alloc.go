package tensor

import "unsafe"

// hugeMin is the size from which New backs a tensor with huge pages.
const hugeMin = 4 << 20

// hugeAlign is the huge page size New aligns large tensors to (x86-64 and
// arm64 with 4 KiB base pages).
const hugeAlign = 2 << 20

// alloc returns n zeroed float32s. A buffer of hugeMin bytes or more
// starts on a hugeAlign boundary and, before any of it is touched, is
// advised to be backed by transparent huge pages (adviseHuge; Linux only,
// where THP is "madvise" by default): streaming the fully connected
// layers' weights (150 MB for fc6) from memory then misses the TLB once
// per 2 MiB instead of once per 4 KiB, measured here at 13.5 against
// 8.5 GB/s on one core. Fresh large allocations come from the OS
// untouched, so the advice takes effect as the pages are first written.
func alloc(n int) []float32 {
	if n*4 < hugeMin {
		return make([]float32, n)
	}
	buf := make([]float32, n+hugeAlign/4)
	a := uintptr(unsafe.Pointer(&buf[0]))
	off := int((((a + hugeAlign - 1) &^ (hugeAlign - 1)) - a) / 4)
	buf = buf[off : off+n : off+n]
	adviseHuge(unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), 4*n))
	return buf
}
