package dataset

import "fmt"

// FormatError reports a malformed line of a labels or annotations file.
type FormatError struct {
	File string // the file's path
	Line int    // 1-based line number; 0 when the error concerns the whole file
	Msg  string
}

func (e *FormatError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("dataset %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("dataset %s: %s", e.File, e.Msg)
}

// LayoutError reports a path that Open cannot use as a data set: a folder
// of no known layout, one without classes, or a split that is absent.
type LayoutError struct {
	Path string
	Msg  string
}

func (e *LayoutError) Error() string {
	return fmt.Sprintf("dataset %s: %s", e.Path, e.Msg)
}

// OfflineError reports a Hub file that Options.Offline forbids
// downloading because it is not in the cache.
type OfflineError struct {
	File string // the cache path that is missing
	URL  string // where it would be downloaded from
}

func (e *OfflineError) Error() string {
	return fmt.Sprintf("dataset: offline and %s is not cached (download it from %s)", e.File, e.URL)
}

// SampleError reports one sample that could not be read; it is passed in
// Sample.Err, never returned by Each.
type SampleError struct {
	Name string // the sample's Name
	Err  error
}

func (e *SampleError) Error() string { return fmt.Sprintf("dataset sample %s: %v", e.Name, e.Err) }

func (e *SampleError) Unwrap() error { return e.Err }
