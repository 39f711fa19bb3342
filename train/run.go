package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/alexnet-go/alexnet/model"
)

// Schedule names a learning-rate schedule of Run.
type Schedule struct {
	// StepSize > 0 is StepLR(StepSize, Gamma): the rate is divided by
	// 1/Gamma every StepSize epochs.
	StepSize int
	Gamma    float64
	// Plateau, when set, is ReduceLROnPlateau on the validation top-1
	// error, stepped after each epoch's validation.
	Plateau *Plateau
	// Cosine anneals the rate to 0 over the run, step by step, after the
	// warm-up (WarmupCosine), multiplying what StepSize or Plateau set.
	Cosine bool
	// WarmupEpochs > 0 ramps the rate up linearly, step by step, from
	// WarmupStart·LR over the first WarmupEpochs epochs (torchvision's
	// --lr-warmup-epochs; WarmupStart is its --lr-warmup-decay, 0.01 if 0).
	WarmupEpochs int
	WarmupStart  float64
}

// perStep returns the step-wise factor of s (WarmupCosine with LR 1) for
// a run of epochs of perEpoch steps.
func (s Schedule) perStep(perEpoch, epochs int) WarmupCosine {
	start := s.WarmupStart
	if start == 0 {
		start = 0.01
	}
	return WarmupCosine{LR: 1, StartFactor: start, Warmup: s.WarmupEpochs * perEpoch,
		Total: epochs * perEpoch, Cosine: s.Cosine}
}

// Config is a training run.
type Config struct {
	Model *model.AlexNet
	Opt   *SGD // its LR is the base learning rate
	Loss  CrossEntropy
	// Train and Val are the data; Val may be nil (no validation).
	Train, Val *Samples
	Aug        *Augment // training transform; Aug.EvalTransform() for Val
	Epochs     int
	Batch      int
	Workers    int // decoding goroutines; < 1 means 1
	Seed       uint64
	Schedule   Schedule
	// FreezeFeatures trains the classifier only (Trainer.FreezeFeatures).
	FreezeFeatures bool
	// Dir receives checkpoint.safetensors, steps.csv, epochs.csv,
	// classes.txt and at the end model.pth and model.safetensors.
	Dir string
	// SaveEvery > 0 also checkpoints every SaveEvery steps.
	SaveEvery int
	// Resume continues from Dir's checkpoint (State).
	Resume bool
	// StopAfter > 0 returns ErrStopped after that many steps of this call
	// without saving anything more, as if the process were killed.
	StopAfter int
	// OnProgress, when set, is called as each phase of an epoch (training,
	// validation) begins, after each of its batches, and as it ends. Log
	// gets one line per epoch and, without OnProgress, a progress line
	// every half minute.
	OnProgress func(Progress)
	// Plot, when set, is called after each epoch with the curves so far
	// (the alexnet command draws them into Dir/curves.png with
	// trainplot.WritePNG); its error ends the run.
	Plot func(*Curves) error
	Log  io.Writer
}

// ErrStopped is Run's error when Config.StopAfter ends it.
var ErrStopped = errors.New("train: stopped (StopAfter)")

// logEvery is how often Run reports progress on Config.Log when it has no
// progress bar.
const logEvery = 30 * time.Second

// CheckpointFile is the name of the checkpoint in Config.Dir.
const CheckpointFile = "checkpoint.safetensors"

// Result is the outcome of Run.
type Result struct {
	Steps               int
	ValTop1, ValTop5    float64 // of the last epoch (NaN without Val)
	Seconds, ImagesPerS float64
}

// Run trains c.Model as c describes. Each epoch visits the training
// samples in EpochOrder, batch by batch, with dropout noise from
// StepRand(seed, step) and augmentation from SampleRand(seed, epoch,
// index); it validates (top-1, top-5, loss) after each epoch and
// checkpoints then and every SaveEvery steps. Resuming from a checkpoint
// repeats the run exactly: the same losses, bit for bit. Run also writes
// the training classes to Dir (weights.WriteClasses), for package predict.
func Run(ctx context.Context, c *Config) (*Result, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	r, err := newRunner(c)
	if err != nil {
		return nil, err
	}
	defer r.logs.close()
	start := time.Now()
	for ; r.st.Epoch < c.Epochs; r.st.Epoch++ {
		if err := r.epoch(ctx); err != nil {
			return nil, err
		}
	}
	return r.finish(start)
}

// check rejects a config Run cannot start.
func (c *Config) check() error {
	if c.Batch < 1 || c.Epochs < 1 || c.Train == nil || c.Train.Len() == 0 {
		return &ConfigError{"Run", fmt.Sprintf("batch %d, epochs %d, training set of %d", c.Batch, c.Epochs, lenOf(c.Train))}
	}
	return c.Opt.Validate()
}

// eta estimates the time left from the pace of this call's steps,
// validation and checkpoints included.
type eta struct {
	start      time.Time
	from, last int
}

func newETA(from, last int) *eta { return &eta{time.Now(), from, last} }

// left is the estimate once the run has made done steps, rounded to
// seconds (0 before this call's first step).
func (e *eta) left(done int) time.Duration { return e.leftAt(done, time.Now()) }

func (e *eta) leftAt(done int, now time.Time) time.Duration {
	if done <= e.from {
		return 0
	}
	per := now.Sub(e.start) / time.Duration(done-e.from)
	return (per * time.Duration(max(e.last-done, 0))).Round(time.Second)
}

func lenOf(s *Samples) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

// top1Hits counts the rows of logits (N,K) whose argmax is the label.
func top1Hits(logits []float32, labels []int) int {
	k := len(logits) / max(len(labels), 1)
	hits := 0
	for i, y := range labels {
		row := logits[i*k : (i+1)*k]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		if best == y {
			hits++
		}
	}
	return hits
}
