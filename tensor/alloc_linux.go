package tensor

import "syscall"

// adviseHuge asks for transparent huge pages for b (madvise
// MADV_HUGEPAGE). It is advice: an error (THP off, an old kernel) leaves
// ordinary pages.
func adviseHuge(b []byte) { _ = syscall.Madvise(b, syscall.MADV_HUGEPAGE) }
