package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/alexnet-go/alexnet/dataset"
	"github.com/alexnet-go/alexnet/model"
	"github.com/alexnet-go/alexnet/train"
	"github.com/alexnet-go/alexnet/train/trainplot"
)

type trainFlags struct {
	data, split, val, valSplit, arch, schedule, out, aug, init, initFrom, freeze string
	preset                                                                       string
	epochs, batch, size, resize, saveEvery, limit, valLimit, workers, hidden     int
	warmup                                                                       int
	stopAfter                                                                    int
	lr, momentum, weightDecay, pca, labelSmoothing                               float64
	seed                                                                         uint64
	channels                                                                     []int
	resume, offline                                                              bool
}

// trainLong is the help text of `alexnet train`.
const trainLong = `Train AlexNet from scratch (or fine-tune it) on a labelled data set with
minibatch SGD with momentum and weight decay, softmax cross-entropy and
dropout, as torch.optim.SGD and torchvision's model compute them.

--data is what eval reads (a Tiny ImageNet root, an ImageFolder, parquet
files, hf:OWNER/NAME), its --split "train" by default; with an ImageFolder,
class i is the i-th folder name in sorted order, as in torchvision. --val
is read the same way with --val-split ("val"); its classes are matched to
the training classes by name.

Augmentation (--aug): "paper" is Resize(--resize), a random --size crop, a
horizontal flip and the paper's PCA lighting noise (σ --pca); "rrc" is
torchvision's RandomResizedCrop(--size) and a flip (plus --pca if set);
"none" is the validation transform. Validation is Resize(--resize),
CenterCrop(--size). --size 224 --resize 256 is the paper's ImageNet
setting; Tiny ImageNet's 64×64 images train at --size 64 --resize 72 with
the same torchvision architecture (its adaptive average pool takes any
input of at least 63 pixels), and "alexnet eval --resize 72 --crop 64"
scores the result.

Each sample's augmentation draws from a generator seeded by (--seed, epoch,
sample index) and each step's dropout from (--seed, step), so a run is the
same whatever the worker count, and --resume continues from --out's
checkpoint (written atomically after every epoch and every --save-every
steps) exactly as if it had not stopped.

--out receives checkpoint.safetensors, steps.csv (one row per step),
epochs.csv (train loss and top-1, validation loss, top-1 and top-5,
images/s), curves.png, and at the end model.pth (loadable with
torchvision.models.alexnet(num_classes=N).load_state_dict(torch.load(f)))
and model.safetensors, and classes.txt.

--init-from FILE (or "torchvision" for the official weights) starts from a
state dict, skipping classifier.6 when its class count differs (a new
head); --freeze features then trains the classifier only.`

func trainCmd() *cobra.Command {
	var f trainFlags
	cmd := newCommand("train --data PATH|hf:REPO --out DIR [flags]",
		"Train AlexNet by SGD, as PyTorch does, and export .pth and safetensors", trainLong,
		cobra.NoArgs, func(cmd *cobra.Command, args []string) error {
			if err := applyPreset(cmd, f.preset); err != nil {
				return err
			}
			return runTrain(cmd, f)
		})
	fl := cmd.Flags()
	f.addDataFlags(fl)
	f.addModelFlags(fl)
	f.addRunFlags(fl)
	cmd.MarkFlagRequired("data")
	cmd.MarkFlagRequired("out")
	return cmd
}

// addDataFlags registers the flags of the data, the output and the preset.
func (f *trainFlags) addDataFlags(fl *pflag.FlagSet) {
	fl.StringVar(&f.preset, "preset", "", "defaults for a data set: tiny-imagenet (flags given explicitly win)")
	fl.StringVar(&f.data, "data", "", "training data: folder, .parquet file or hf:OWNER/NAME (required)")
	fl.StringVar(&f.split, "split", "train", "split of --data")
	fl.StringVar(&f.val, "val", "", "validation data, read like --data (none if empty)")
	fl.StringVar(&f.valSplit, "val-split", "val", "split of --val")
	fl.StringVar(&f.out, "out", "", "output folder (required)")
	fl.IntVar(&f.limit, "limit", 0, "train on N samples drawn at random (from --seed); 0 means all")
	fl.IntVar(&f.valLimit, "val-limit", 0, "validate on N samples drawn at random; 0 means all")
	fl.IntVar(&f.workers, "workers", 0, "decoding goroutines (default: --threads)")
	fl.BoolVar(&f.offline, "offline", false, "never download")
}

// addModelFlags registers the flags of the model, its initialisation and
// the input transforms.
func (f *trainFlags) addModelFlags(fl *pflag.FlagSet) {
	addArchFlag(fl, &f.arch)
	fl.IntSliceVar(&f.channels, "channels", nil, "the five convolution widths (default: the architecture's)")
	fl.IntVar(&f.hidden, "hidden", 0, "width of the hidden fully connected layers (default 4096)")
	fl.IntVar(&f.size, "size", 224, "input side (crop size)")
	fl.IntVar(&f.resize, "resize", 0, "shorter side before cropping (default size·256/224)")
	fl.StringVar(&f.aug, "aug", "paper", "augmentation: paper, rrc or none")
	fl.Float64Var(&f.pca, "pca", 0.1, "σ of the PCA lighting noise (0: off)")
	fl.StringVar(&f.init, "init", "torchvision", "initialisation: torchvision (PyTorch's default), paper (the 2012 paper's), kaiming (torchvision's VGG init) or he (N(0, 2/fan_in), last layer 0)")
	fl.StringVar(&f.initFrom, "init-from", "", "start from this state dict (.pth, .safetensors, or torchvision)")
	fl.StringVar(&f.freeze, "freeze", "", `"features": train the classifier only`)
}

// addRunFlags registers the flags of the optimisation, its schedule and
// the checkpoints.
func (f *trainFlags) addRunFlags(fl *pflag.FlagSet) {
	fl.IntVar(&f.epochs, "epochs", 90, "epochs")
	fl.IntVar(&f.batch, "batch", 128, "minibatch size")
	fl.Float64Var(&f.lr, "lr", 0.01, "learning rate")
	fl.Float64Var(&f.momentum, "momentum", 0.9, "SGD momentum")
	fl.Float64Var(&f.weightDecay, "weight-decay", 5e-4, "L2 weight decay")
	fl.Float64Var(&f.labelSmoothing, "label-smoothing", 0, "cross-entropy label smoothing")
	fl.StringVar(&f.schedule, "schedule", "step:30", "learning-rate schedule: step:N (÷10 every N epochs), plateau[:PATIENCE] (÷10 when val top-1 stalls), cosine (to 0, step by step) or none")
	fl.IntVar(&f.warmup, "warmup", 0, "epochs of linear warm-up from lr/100, step by step (torchvision's --lr-warmup-epochs)")
	fl.Uint64Var(&f.seed, "seed", 1, "random seed (initialisation, shuffling, augmentation, dropout)")
	fl.BoolVar(&f.resume, "resume", false, "continue from --out's checkpoint")
	fl.IntVar(&f.saveEvery, "save-every", 0, "also checkpoint every N steps")
	fl.IntVar(&f.stopAfter, "stop-after", 0, "stop after N steps without saving, as a kill would (for tests)")
	fl.MarkHidden("stop-after")
}

// trainChoices are the settings of the flags that name them, read before
// any work.
type trainChoices struct {
	sched train.Schedule
	init  train.InitFunc
	aug   *train.Augment
}

// parseChoices reads --schedule, --warmup, --freeze, --init and --aug
// (and defaults --resize from --size).
func (f *trainFlags) parseChoices() (trainChoices, error) {
	var ch trainChoices
	var err error
	if ch.sched, err = train.ParseSchedule(f.schedule); err != nil {
		return ch, flagError("--schedule", err)
	}
	if f.warmup < 0 {
		return ch, fmt.Errorf("--warmup %d: want a number of epochs ≥ 0", f.warmup)
	}
	ch.sched.WarmupEpochs = f.warmup
	if f.freeze != "" && f.freeze != "features" {
		return ch, fmt.Errorf(`--freeze %q: only "features" can be frozen`, f.freeze)
	}
	if f.resize == 0 {
		f.resize = f.size * 256 / 224
	}
	if ch.init, err = train.InitByName(f.init); err != nil {
		return ch, flagError("--init", err)
	}
	if ch.aug, err = train.AugmentByName(f.aug, f.resize, f.size, f.pca); err != nil {
		return ch, flagError("--aug", err)
	}
	return ch, nil
}

func openSamples(ctx context.Context, spec, split string, f trainFlags, stderr *os.File) (*train.Samples, error) {
	opt := &dataset.Options{Split: split, Offline: f.offline}
	if stderr != nil {
		opt.OnProgress = downloadBars(stderr)
	}
	ds, err := dataset.Open(ctx, spec, opt)
	if err != nil {
		return nil, err
	}
	return train.NewSamples(ctx, ds)
}

// openTrainData opens --data and --val (nil without it), the validation
// classes matched to the training classes, each subset to its limit.
func openTrainData(ctx context.Context, f trainFlags, errFile *os.File) (trainSet, valSet *train.Samples, err error) {
	if trainSet, err = openSamples(ctx, f.data, f.split, f, errFile); err != nil {
		return nil, nil, err
	}
	trainSet.Subset(f.limit, f.seed)
	if f.val == "" {
		return trainSet, nil, nil
	}
	if valSet, err = openSamples(ctx, f.val, f.valSplit, f, errFile); err != nil {
		return nil, nil, err
	}
	if err := valSet.MatchClasses(trainSet.Classes); err != nil {
		return nil, nil, err
	}
	valSet.Subset(f.valLimit, f.seed)
	return trainSet, valSet, nil
}

// newTrainModel builds the model of --arch, --channels and --hidden for
// classes classes and initialises it (init, then --init-from unless
// resuming).
func newTrainModel(cmd *cobra.Command, f trainFlags, classes int, init train.InitFunc) (*model.AlexNet, error) {
	cfg, err := model.ConfigFor(f.arch)
	if err != nil {
		return nil, err
	}
	if len(f.channels) > 0 {
		if len(f.channels) != 5 {
			return nil, fmt.Errorf("--channels: want 5 widths, got %d", len(f.channels))
		}
		copy(cfg.Channels[:], f.channels)
	}
	if f.hidden > 0 {
		cfg.Hidden = f.hidden
	}
	cfg.NumClasses, cfg.InputSize, cfg.Threads = classes, f.size, threadsFlag(cmd)
	m, err := model.New(cfg)
	if err != nil {
		return nil, err
	}
	init(m, rand.New(rand.NewPCG(f.seed, 0x1417)))
	if f.initFrom == "" || f.resume {
		return m, nil
	}
	stderr := cmd.ErrOrStderr()
	official := func(ctx context.Context) (string, error) { return resolveWeights(ctx, f.arch, "", stderr) }
	_, skipped, err := train.InitFromFile(commandContext(cmd), m, f.initFrom, official)
	var ie *train.InitFromError
	if errors.As(err, &ie) {
		return nil, fmt.Errorf("--init-from %s: %w", ie.Path, ie.Err)
	}
	if err != nil {
		return nil, err
	}
	if len(skipped) > 0 {
		fmt.Fprintf(stderr, "--init-from: new %s (%d classes)\n", strings.Join(skipped, ", "), cfg.NumClasses)
	}
	return m, nil
}

func runTrain(cmd *cobra.Command, f trainFlags) error {
	ctx := commandContext(cmd)
	stderr := cmd.ErrOrStderr()
	errFile, _ := stderr.(*os.File)
	ch, err := f.parseChoices()
	if err != nil {
		return err
	}
	trainSet, valSet, err := openTrainData(ctx, f, errFile)
	if err != nil {
		return err
	}
	m, err := newTrainModel(cmd, f, len(trainSet.Classes), ch.init)
	if err != nil {
		return err
	}
	workers := f.workers
	if workers < 1 {
		workers = threadsFlag(cmd)
	}
	c := &train.Config{Model: m, Opt: &train.SGD{LR: f.lr, Momentum: f.momentum, WeightDecay: f.weightDecay},
		Train: trainSet, Val: valSet, Aug: ch.aug, Epochs: f.epochs, Batch: f.batch, Workers: workers,
		Seed: f.seed, Schedule: ch.sched, FreezeFeatures: f.freeze == "features", Dir: f.out,
		SaveEvery: f.saveEvery, Resume: f.resume, StopAfter: f.stopAfter, Log: stderr, Loss: train.CrossEntropy{LabelSmoothing: f.labelSmoothing}}
	c.Plot = func(cv *train.Curves) error { return trainplot.WritePNG(filepath.Join(f.out, "curves.png"), cv) }
	if isTerminal(stderr) {
		c.OnProgress = (&trainBars{w: stderr}).update
	}
	fmt.Fprintf(stderr, "train: %d images, %d classes, val %d images; %s %dx%d, %d parameters\n",
		trainSet.Len(), len(trainSet.Classes), lenSamples(valSet), m.Config().Arch, f.size, f.size, m.NumParams())
	res, err := train.Run(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "trained %d steps in %.0f s (%.1f images/s); val top-1 %.4f top-5 %.4f; weights in %s\n",
		res.Steps, res.Seconds, res.ImagesPerS, res.ValTop1, res.ValTop5,
		filepath.Join(f.out, "model.pth"))
	return nil
}

func lenSamples(s *train.Samples) int {
	if s == nil {
		return 0
	}
	return s.Len()
}
