package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/weights"
	"github.com/schollz/progressbar/v3"
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
	// curves.png and at the end model.pth and model.safetensors.
	Dir string
	// SaveEvery > 0 also checkpoints every SaveEvery steps.
	SaveEvery int
	// Resume continues from Dir's checkpoint (State).
	Resume bool
	// StopAfter > 0 returns ErrStopped after that many steps of this call
	// without saving anything more, as if the process were killed.
	StopAfter int
	// Progress, when set, shows progress bars; Log gets one line per
	// epoch.
	Progress, Log io.Writer
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
// repeats the run exactly: the same losses, bit for bit.
func Run(ctx context.Context, c *Config) (*Result, error) {
	if c.Batch < 1 || c.Epochs < 1 || c.Train == nil || c.Train.Len() == 0 {
		return nil, &ConfigError{"Run", fmt.Sprintf("batch %d, epochs %d, training set of %d", c.Batch, c.Epochs, lenOf(c.Train))}
	}
	if err := c.Opt.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, err
	}
	baseLR := c.Opt.LR
	st := &State{Seed: c.Seed, LR: baseLR, BatchSize: c.Batch, Samples: c.Train.Len()}
	if c.Schedule.Plateau != nil {
		st.Plateau = &PlateauState{}
	}
	ckpt := filepath.Join(c.Dir, CheckpointFile)
	// A kill during a checkpoint write leaves weights.Save's temporary
	// file; the checkpoint itself is whole (the rename never happened).
	if stale, _ := filepath.Glob(filepath.Join(c.Dir, ".*.tmp*")); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	if c.Resume {
		var err error
		if st, _, err = LoadCheckpoint(ckpt, c.Model, c.Opt); err != nil {
			return nil, err
		}
		if st.Seed != c.Seed || st.BatchSize != c.Batch || st.Samples != c.Train.Len() {
			return nil, fmt.Errorf("train: %s was trained with seed %d, batch %d, %d samples; this run has %d, %d, %d",
				ckpt, st.Seed, st.BatchSize, st.Samples, c.Seed, c.Batch, c.Train.Len())
		}
		if st.Plateau != nil && c.Schedule.Plateau != nil {
			c.Schedule.Plateau.SetState(*st.Plateau)
		}
	}
	logs, err := openLogs(c.Dir, st)
	if err != nil {
		return nil, err
	}
	defer logs.close()

	tr := NewTrainer(c.Model, c.Opt, nil)
	tr.FreezeFeatures = c.FreezeFeatures
	tr.Loss = c.Loss
	classes := c.Train.Classes
	save := func() error {
		if c.Schedule.Plateau != nil {
			ps := c.Schedule.Plateau.State()
			st.Plateau = &ps
		}
		if err := logs.flush(); err != nil {
			return err
		}
		return SaveCheckpoint(ckpt, c.Model, c.Opt, st, classes)
	}
	res := &Result{ValTop1: math.NaN(), ValTop5: math.NaN()}
	start, images, steps := time.Now(), 0, 0
	perEpoch := (c.Train.Len() + c.Batch - 1) / c.Batch
	factor := c.Schedule.perStep(perEpoch, c.Epochs)
	eta := newETA(st.Step, c.Epochs*perEpoch)
	lastLog := time.Now()
	for ; st.Epoch < c.Epochs; st.Epoch++ {
		if st.Batch == 0 {
			if c.Schedule.StepSize > 0 {
				st.LR = StepLR{baseLR, c.Schedule.StepSize, c.Schedule.Gamma}.At(st.Epoch)
			}
			st.LossSum, st.Correct, st.Seen = 0, 0, 0
		}
		c.Opt.LR = st.LR
		epochStart, epochImages := time.Now(), 0
		bar := newBar(c.Progress, perEpoch, fmt.Sprintf("epoch %d/%d", st.Epoch+1, c.Epochs))
		bar.Set(st.Batch)
		order := EpochOrder(c.Train.Len(), c.Seed, st.Epoch, true)
		lctx, cancel := context.WithCancel(ctx)
		for b := range Load(lctx, c.Train, order, c.Batch, st.Batch, c.Seed, st.Epoch, c.Aug, nil, c.Workers) {
			if b.Err != nil {
				cancel()
				return nil, b.Err
			}
			tr.Rand = StepRand(c.Seed, st.Step)
			c.Opt.LR = st.LR * factor.At(st.Step)
			loss, err := tr.Step(b.X, b.Labels)
			if err != nil {
				cancel()
				return nil, err
			}
			hits := top1Hits(tr.Logits().Data, b.Labels)
			st.Batch++
			st.Step++
			st.LossSum += loss * float64(len(b.Labels))
			st.Correct += hits
			st.Seen += len(b.Labels)
			images += len(b.Labels)
			epochImages += len(b.Labels)
			steps++
			logs.step(st, c.Opt.LR, loss, float64(hits)/float64(len(b.Labels)))
			rate := float64(epochImages) / time.Since(epochStart).Seconds()
			left := eta.left(st.Step)
			bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f acc %.3f %.1f img/s, ETA %s", st.Epoch+1, c.Epochs,
				st.LossSum/float64(st.Seen), float64(st.Correct)/float64(st.Seen), rate, left))
			bar.Add(1)
			if c.Progress == nil && c.Log != nil && time.Since(lastLog) >= logEvery {
				lastLog = time.Now()
				fmt.Fprintf(c.Log, "epoch %d/%d batch %d/%d step %d: loss %.4f acc %.4f (epoch means), lr %.4g, %.1f img/s, ETA %s\n",
					st.Epoch+1, c.Epochs, st.Batch, perEpoch, st.Step, st.LossSum/float64(st.Seen),
					float64(st.Correct)/float64(st.Seen), c.Opt.LR, rate, left)
			}
			if c.StopAfter > 0 && steps >= c.StopAfter {
				cancel()
				logs.flush()
				return nil, ErrStopped
			}
			if c.SaveEvery > 0 && st.Step%c.SaveEvery == 0 && st.Batch < perEpoch {
				if err := save(); err != nil {
					cancel()
					return nil, err
				}
			}
		}
		cancel()
		bar.Finish()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		er := epochRow{Epoch: st.Epoch + 1, Step: st.Step, LR: c.Opt.LR,
			Loss: st.LossSum / float64(max(st.Seen, 1)), Top1: float64(st.Correct) / float64(max(st.Seen, 1)),
			ValLoss: math.NaN(), ValTop1: math.NaN(), ValTop5: math.NaN(),
			Seconds: time.Since(epochStart).Seconds()}
		er.ImagesPerS = float64(epochImages) / er.Seconds
		if c.Val != nil {
			v, err := Validate(ctx, c.Model, c.Val, c.Aug.EvalTransform(), c.Batch, c.Workers, c.Progress)
			if err != nil {
				return nil, err
			}
			er.ValLoss, er.ValTop1, er.ValTop5 = v.Loss, v.Top1, v.Top5
			res.ValTop1, res.ValTop5 = v.Top1, v.Top5
			if c.Schedule.Plateau != nil {
				if st.LR, err = c.Schedule.Plateau.Step(1-v.Top1, st.LR); err != nil {
					return nil, err
				}
			}
		}
		if c.Log != nil {
			fmt.Fprintf(c.Log, "epoch %d: train loss %.4f top-1 %.4f, val loss %.4f top-1 %.4f top-5 %.4f, %.0f s, %.1f img/s, ETA %s\n",
				er.Epoch, er.Loss, er.Top1, er.ValLoss, er.ValTop1, er.ValTop5, er.Seconds, er.ImagesPerS, eta.left(st.Step))
		}
		logs.epoch(er)
		st.Batch = 0
		st.Epoch++
		err := save()
		st.Epoch--
		if err != nil {
			return nil, err
		}
		if err := logs.plot(filepath.Join(c.Dir, "curves.png")); err != nil {
			return nil, err
		}
	}
	res.Steps, res.Seconds = st.Step, time.Since(start).Seconds()
	res.ImagesPerS = float64(images) / res.Seconds
	sd := StateDict(c.Model)
	for _, name := range []string{"model.pth", "model.safetensors"} {
		if err := weights.Save(filepath.Join(c.Dir, name), sd); err != nil {
			return nil, err
		}
	}
	return res, nil
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

// newBar returns a progress bar on w, or a silent one when w is nil.
func newBar(w io.Writer, n int, desc string) *progressbar.ProgressBar {
	if w == nil {
		return progressbar.DefaultSilent(int64(n))
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc), progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionFullWidth(), progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
}
