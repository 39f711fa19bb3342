package train

import "time"

// ProgressEvent says what a Progress reports.
type ProgressEvent int

// The events of Config.OnProgress.
const (
	// PhaseBegin: a phase begins; Done batches of it are done already
	// (those of a resumed checkpoint).
	PhaseBegin ProgressEvent = iota
	// BatchDone: one more batch of the phase is done.
	BatchDone
	// PhaseEnd: the phase is over (completed or not).
	PhaseEnd
)

// The phases of a Progress.
const (
	PhaseTrain    = "train"
	PhaseValidate = "validate"
)

// Progress is where Run stands, for Config.OnProgress: a program draws
// its progress bars from it.
type Progress struct {
	Event         ProgressEvent
	Phase         string // PhaseTrain or PhaseValidate
	Epoch, Epochs int    // Epoch counts from 1
	Done, Total   int    // batches of the phase
	// With Phase PhaseTrain and Event BatchDone: the epoch's mean
	// training loss and top-1 so far, its images per second, and the
	// estimated time left in the run.
	Loss, Top1, ImagesPerS float64
	ETA                    time.Duration
}
