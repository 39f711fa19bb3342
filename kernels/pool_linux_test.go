package kernels

import (
	"syscall"
	"testing"
	"unsafe"
)

// On Linux, guardedSlice places the floats right before a page mapped
// PROT_NONE.
func init() {
	guardedSlice = func(t testing.TB, n int) []float32 {
		page := syscall.Getpagesize()
		size := (4*n + page - 1) / page * page
		mem, err := syscall.Mmap(-1, 0, size+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = syscall.Munmap(mem) })
		if err := syscall.Mprotect(mem[size:], syscall.PROT_NONE); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return nil
		}
		return unsafe.Slice((*float32)(unsafe.Pointer(&mem[size-4*n])), n)
	}
}
