package train

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/alexnet-go/alexnet/weights"
)

// runner is one call of Run: its config, where the run stands, and what
// this call has done.
type runner struct {
	c        *Config
	st       *State
	ckpt     string // the checkpoint's path
	logs     *logs
	tr       *Trainer
	baseLR   float64
	perEpoch int          // batches per epoch
	factor   WarmupCosine // the schedule's step-wise factor
	eta      *eta
	lastLog  time.Time // of the last progress line on c.Log
	images   int       // trained on by this call
	steps    int       // made by this call
	res      *Result
}

// epochClock is the pace of the epoch under way, in this call.
type epochClock struct {
	start  time.Time
	images int
}

// newRunner prepares c.Dir and starts the run afresh or, with c.Resume,
// from c.Dir's checkpoint.
func newRunner(c *Config) (*runner, error) {
	if err := prepareDir(c.Dir, c.Train.Classes); err != nil {
		return nil, err
	}
	r := &runner{c: c, ckpt: filepath.Join(c.Dir, CheckpointFile), baseLR: c.Opt.LR,
		res: &Result{ValTop1: math.NaN(), ValTop5: math.NaN()}}
	r.st = &State{Seed: c.Seed, LR: r.baseLR, BatchSize: c.Batch, Samples: c.Train.Len()}
	if c.Schedule.Plateau != nil {
		r.st.Plateau = &PlateauState{}
	}
	if c.Resume {
		if err := r.resume(); err != nil {
			return nil, err
		}
	}
	var err error
	if r.logs, err = openLogs(c.Dir, r.st); err != nil {
		return nil, err
	}
	r.tr = NewTrainer(c.Model, c.Opt, nil)
	r.tr.FreezeFeatures = c.FreezeFeatures
	r.tr.Loss = c.Loss
	r.perEpoch = (c.Train.Len() + c.Batch - 1) / c.Batch
	r.factor = c.Schedule.perStep(r.perEpoch, c.Epochs)
	r.eta = newETA(r.st.Step, c.Epochs*r.perEpoch)
	r.lastLog = time.Now()
	return r, nil
}

// prepareDir makes dir, writes the classes into it and removes what a
// kill during a checkpoint write leaves: weights.Save's temporary file
// (the checkpoint itself is whole, the rename never happened).
func prepareDir(dir string, classes []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := weights.WriteClasses(dir, classes); err != nil {
		return err
	}
	stale, _ := filepath.Glob(filepath.Join(dir, ".*.tmp*"))
	for _, f := range stale {
		os.Remove(f)
	}
	return nil
}

// resume loads the checkpoint into the model, the optimiser, r.st and the
// plateau schedule; it must be of this run's seed, batch size and data.
func (r *runner) resume() error {
	c := r.c
	st, _, err := LoadCheckpoint(r.ckpt, c.Model, c.Opt)
	if err != nil {
		return err
	}
	if st.Seed != c.Seed || st.BatchSize != c.Batch || st.Samples != c.Train.Len() {
		return fmt.Errorf("train: %s was trained with seed %d, batch %d, %d samples; this run has %d, %d, %d",
			r.ckpt, st.Seed, st.BatchSize, st.Samples, c.Seed, c.Batch, c.Train.Len())
	}
	if st.Plateau != nil && c.Schedule.Plateau != nil {
		c.Schedule.Plateau.SetState(*st.Plateau)
	}
	r.st = st
	return nil
}

// epoch trains the rest of epoch r.st.Epoch, validates, logs, checkpoints
// as of the start of the next epoch and calls Config.Plot.
func (r *runner) epoch(ctx context.Context) error {
	r.beginEpoch()
	clock := &epochClock{start: time.Now()}
	if err := r.trainEpoch(ctx, clock); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	er, err := r.validate(ctx, clock)
	if err != nil {
		return err
	}
	if r.c.Log != nil {
		fmt.Fprintf(r.c.Log, "epoch %d: train loss %.4f top-1 %.4f, val loss %.4f top-1 %.4f top-5 %.4f, %.0f s, %.1f img/s, ETA %s\n",
			er.Epoch, er.Loss, er.Top1, er.ValLoss, er.ValTop1, er.ValTop5, er.Seconds, er.ImagesPerS, r.eta.left(r.st.Step))
	}
	r.logs.epoch(er)
	r.st.Batch = 0
	if err := r.checkpoint(r.st.Epoch + 1); err != nil {
		return err
	}
	if r.c.Plot == nil {
		return nil
	}
	return r.c.Plot(&r.logs.curves)
}

// beginEpoch sets the epoch's learning rate (StepLR) and clears its
// running sums, unless the epoch is under way (a resumed checkpoint).
func (r *runner) beginEpoch() {
	st, s := r.st, r.c.Schedule
	if st.Batch == 0 {
		if s.StepSize > 0 {
			st.LR = StepLR{r.baseLR, s.StepSize, s.Gamma}.At(st.Epoch)
		}
		st.LossSum, st.Correct, st.Seen = 0, 0, 0
	}
	r.c.Opt.LR = st.LR
}

// trainEpoch runs the SGD steps of the epoch's remaining batches, with
// progress, the StopAfter stop and the SaveEvery checkpoints.
func (r *runner) trainEpoch(ctx context.Context, clock *epochClock) error {
	c, st := r.c, r.st
	r.report(Progress{Event: PhaseBegin, Phase: PhaseTrain, Done: st.Batch})
	order := EpochOrder(c.Train.Len(), c.Seed, st.Epoch, true)
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for b := range Load(lctx, c.Train, order, c.Batch, st.Batch, c.Seed, st.Epoch, c.Aug, nil, c.Workers) {
		if b.Err != nil {
			return b.Err
		}
		if err := r.step(b, clock); err != nil {
			return err
		}
		r.progress(clock)
		if c.StopAfter > 0 && r.steps >= c.StopAfter {
			r.logs.flush()
			return ErrStopped
		}
		if c.SaveEvery > 0 && st.Step%c.SaveEvery == 0 && st.Batch < r.perEpoch {
			if err := r.checkpoint(st.Epoch); err != nil {
				return err
			}
		}
	}
	r.report(Progress{Event: PhaseEnd, Phase: PhaseTrain, Done: st.Batch})
	return nil
}

// step is one SGD step on b, counted in r.st and logged to steps.csv.
func (r *runner) step(b Batch, clock *epochClock) error {
	c, st := r.c, r.st
	r.tr.Rand = StepRand(c.Seed, st.Step)
	c.Opt.LR = st.LR * r.factor.At(st.Step)
	loss, err := r.tr.Step(b.X, b.Labels)
	if err != nil {
		return err
	}
	n := len(b.Labels)
	hits := top1Hits(r.tr.Logits().Data, b.Labels)
	st.Batch++
	st.Step++
	st.LossSum += loss * float64(n)
	st.Correct += hits
	st.Seen += n
	r.images += n
	clock.images += n
	r.steps++
	r.logs.step(st, c.Opt.LR, loss, float64(hits)/float64(n))
	return nil
}

// report passes p, completed with the epoch (and, training, the batches
// per epoch), to c.OnProgress if set.
func (r *runner) report(p Progress) {
	if r.c.OnProgress == nil {
		return
	}
	p.Epoch, p.Epochs = r.st.Epoch+1, r.c.Epochs
	if p.Phase == PhaseTrain {
		p.Total = r.perEpoch
	}
	r.c.OnProgress(p)
}

// progress reports a training step to c.OnProgress or, without it,
// writes a line to c.Log every logEvery.
func (r *runner) progress(clock *epochClock) {
	c, st := r.c, r.st
	rate := float64(clock.images) / time.Since(clock.start).Seconds()
	left := r.eta.left(st.Step)
	r.report(Progress{Event: BatchDone, Phase: PhaseTrain, Done: st.Batch, Loss: st.LossSum / float64(st.Seen),
		Top1: float64(st.Correct) / float64(st.Seen), ImagesPerS: rate, ETA: left})
	if c.OnProgress == nil && c.Log != nil && time.Since(r.lastLog) >= logEvery {
		r.lastLog = time.Now()
		fmt.Fprintf(c.Log, "epoch %d/%d batch %d/%d step %d: loss %.4f acc %.4f (epoch means), lr %.4g, %.1f img/s, ETA %s\n",
			st.Epoch+1, c.Epochs, st.Batch, r.perEpoch, st.Step, st.LossSum/float64(st.Seen),
			float64(st.Correct)/float64(st.Seen), c.Opt.LR, rate, left)
	}
}

// validate is the epoch's row of epochs.csv: its training figures and,
// with c.Val, the validation's, which also step the plateau schedule.
func (r *runner) validate(ctx context.Context, clock *epochClock) (epochRow, error) {
	c, st := r.c, r.st
	er := epochRow{Epoch: st.Epoch + 1, Step: st.Step, LR: c.Opt.LR,
		Loss: st.LossSum / float64(max(st.Seen, 1)), Top1: float64(st.Correct) / float64(max(st.Seen, 1)),
		ValLoss: math.NaN(), ValTop1: math.NaN(), ValTop5: math.NaN(),
		Seconds: time.Since(clock.start).Seconds()}
	er.ImagesPerS = float64(clock.images) / er.Seconds
	if c.Val == nil {
		return er, nil
	}
	total := (c.Val.Len() + c.Batch - 1) / c.Batch
	r.report(Progress{Event: PhaseBegin, Phase: PhaseValidate, Total: total})
	var done int
	v, err := Validate(ctx, c.Model, c.Val, c.Aug.EvalTransform(), c.Batch, c.Workers, func(d, n int) {
		done = d
		r.report(Progress{Event: BatchDone, Phase: PhaseValidate, Done: d, Total: n})
	})
	r.report(Progress{Event: PhaseEnd, Phase: PhaseValidate, Done: done, Total: total})
	if err != nil {
		return er, err
	}
	er.ValLoss, er.ValTop1, er.ValTop5 = v.Loss, v.Top1, v.Top5
	r.res.ValTop1, r.res.ValTop5 = v.Top1, v.Top5
	if c.Schedule.Plateau != nil {
		if st.LR, err = c.Schedule.Plateau.Step(1-v.Top1, st.LR); err != nil {
			return er, err
		}
	}
	return er, nil
}

// checkpoint flushes the logs and saves the checkpoint of r.st as of
// epoch: the epoch under way for a checkpoint within it, the next one at
// its end.
func (r *runner) checkpoint(epoch int) error {
	if r.c.Schedule.Plateau != nil {
		ps := r.c.Schedule.Plateau.State()
		r.st.Plateau = &ps
	}
	if err := r.logs.flush(); err != nil {
		return err
	}
	st := *r.st
	st.Epoch = epoch
	return SaveCheckpoint(r.ckpt, r.c.Model, r.c.Opt, &st, r.c.Train.Classes)
}

// finish fills the result of a run this call began at start and exports
// the weights as model.pth and model.safetensors.
func (r *runner) finish(start time.Time) (*Result, error) {
	res := r.res
	res.Steps, res.Seconds = r.st.Step, time.Since(start).Seconds()
	res.ImagesPerS = float64(r.images) / res.Seconds
	sd := StateDict(r.c.Model)
	for _, name := range []string{"model.pth", "model.safetensors"} {
		if err := weights.Save(filepath.Join(r.c.Dir, name), sd); err != nil {
			return nil, err
		}
	}
	return res, nil
}
