package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alexnet-go/alexnet/bench/harness"
)

// Engine names, as used in --engines and in results.json; an int8 engine
// is its float32 engine's name with "-int8".
const (
	engOurs      = "ours"
	engORT       = "ort"
	engTorch     = "pytorch"
	int8Suffix   = "-int8"
	engOursInt8  = engOurs + int8Suffix
	engORTInt8   = engORT + int8Suffix
	engTorchInt8 = engTorch + int8Suffix
)

var allEngines = []string{engOurs, engORT, engTorch, engOursInt8, engORTInt8, engTorchInt8}

// isInt8 reports whether engine e runs an int8 model.
func isInt8(e string) bool { return strings.HasSuffix(e, int8Suffix) }

// vnniPerFMA is how many times the fp32 FMA peak the int8 (VNNI) peak is
// taken to be, as issue 14 does: a 512-bit VPDPBUSD does 64 multiply-adds
// where VFMADD231PS does 16.
const vnniPerFMA = 4

// int8RTol is the most an int8 engine's logits may differ from the float32
// model's, as a fraction of the float32 logits' range (max - min).
const int8RTol = 0.1

// Run is one engine process for one config in one round.
type Run struct {
	Engine       string  `json:"engine"`
	Batch        int     `json:"batch"`
	Threads      int     `json:"threads"`
	Round        int     `json:"round"`
	Mode         string  `json:"mode,omitempty"`
	Iters        int     `json:"iters"`
	Warmup       int     `json:"warmup"`
	MsPerBatch   float64 `json:"ms_per_batch"`
	ImagesPerSec float64 `json:"images_per_sec"`
	// PeakRSS is the child's ru_maxrss as wait4 gives it, the same measure
	// for every engine; PeakRSSSelf is what the engine reported itself.
	PeakRSS     int64   `json:"peak_rss_bytes"`
	PeakRSSSelf int64   `json:"peak_rss_self_bytes"`
	CPUSeconds  float64 `json:"cpu_s"`
	WallSeconds float64 `json:"wall_s"`
	// OtherCores is the CPU time that other processes used during the run
	// (from /proc/stat, steal included) over its wall time: how many cores'
	// worth of other work shared the machine with it.
	OtherCores float64 `json:"other_cores"`
	// Attempts counts the runs made for this one: a run during which other
	// work used more than --busy-threshold cores is retried, and the
	// quietest attempt kept.
	Attempts int             `json:"attempts"`
	Raw      json.RawMessage `json:"raw,omitempty"`
	Err      string          `json:"error,omitempty"`
}

// engineCmd is the command line and environment of one engine run.
func engineCmd(o *options, engine, mode string, b, t int) (argv []string, env map[string]string) {
	bs, ts := strconv.Itoa(b), strconv.Itoa(t)
	it, wu := strconv.Itoa(o.itersFor(b)), strconv.Itoa(o.warmupFor(b))
	env = map[string]string{"OMP_NUM_THREADS": ts, "OPENBLAS_NUM_THREADS": ts, "MKL_NUM_THREADS": ts}
	switch engine {
	case engOurs, engOursInt8:
		argv = []string{o.OursBin, "bench", "--arch", "torchvision", "--batch", bs, "--threads", ts,
			"--iters", it, "--warmup", wu, "--json"}
		if engine == engOursInt8 {
			argv = append(argv, "--precision", "int8")
		}
		argv = append(argv, o.OursArgs...)
		if o.GOMAXPROCS {
			env["GOMAXPROCS"] = ts
		}
	case engORT, engORTInt8:
		model := o.onnxModel()
		if engine == engORTInt8 {
			model = o.ortInt8Model
		}
		argv = []string{o.Node, filepath.Join(o.Dir, "ort.mjs"), "--ort-dir", o.ortDir(), "--model", model,
			"--batch", bs, "--threads", ts, "--iters", it, "--warmup", wu}
	case engTorch, engTorchInt8:
		argv = []string{o.Python, filepath.Join(o.Dir, "torch_bench.py"), "--batch", bs, "--threads", ts,
			"--iters", it, "--warmup", wu, "--mode", mode}
		if engine == engTorchInt8 {
			argv = append(argv, "--precision", "int8", "--qengine", o.qengine)
		}
		env["OPENBLAS_CORETYPE"] = o.OpenBLASCore // "" unsets it
	}
	return argv, env
}

// environ is os.Environ with set's keys replaced (an empty value removes it).
func environ(set map[string]string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for _, k := range slices.Sorted(mapKeys(set)) {
		if set[k] != "" {
			out = append(out, k+"="+set[k])
		}
	}
	return out
}

// engineJSON is the part of each engine's JSON that the driver reads.
type engineJSON struct {
	Batch        int     `json:"batch"`
	Threads      int     `json:"threads"`
	MsPerBatch   float64 `json:"ms_per_batch"`
	ImagesPerSec float64 `json:"images_per_sec"`
	PeakRSS      int64   `json:"peak_rss_bytes"`
	Mode         string  `json:"mode"`
	Precision    string  `json:"precision"` // ours and PyTorch: "int8" when they ran int8
	// Check is PyTorch int8's logits against the float32 model's.
	Check *logitsCheck `json:"check"`
}

// logitsCheck compares quantized logits with float32 ones.
type logitsCheck struct {
	MaxAbsDiff float64 `json:"max_abs_diff"`
	Range      float64 `json:"range"` // of the float32 logits, max - min
	Top1       float64 `json:"top1_agreement"`
}

// torchMode is the mode of torch_bench.py for engine e (pytorch or
// pytorch-int8) at batch b and t threads: the flag's, or under auto the
// probe's best (default where the probe failed).
func torchMode(o *options, res *Results, e string, b, t int) string {
	mode := o.torchMode(e)
	if mode == "auto" {
		mode = "default"
		if p, ok := res.probes(e)[cfgKey(b, t)]; ok && p.Best != "" {
			mode = p.Best
		}
	}
	return mode
}

func runOnce(ctx context.Context, o *options, res *Results, engine string, b, t, round int) Run {
	r := Run{Engine: engine, Batch: b, Threads: t, Round: round, Iters: o.itersFor(b), Warmup: o.warmupFor(b)}
	if engine == engTorch || engine == engTorchInt8 {
		r.Mode = torchMode(o, res, engine, b, t)
	}
	argv, env := engineCmd(o, engine, r.Mode, b, t)
	if engine == engTorchInt8 {
		r.Mode = o.qengine + "/" + r.Mode
	}
	x, err := execute(ctx, o.Timeout, argv, env)
	stdout := x.stdout
	r.WallSeconds, r.CPUSeconds, r.PeakRSS, r.OtherCores = x.wall, x.cpu, x.maxRSS, x.others
	if err != nil {
		r.Err = err.Error()
		return r
	}
	var j engineJSON
	raw, err := lastJSON(stdout)
	if err == nil {
		err = json.Unmarshal(raw, &j)
	}
	switch {
	case err != nil:
		r.Err = fmt.Sprintf("reading its JSON: %v; stdout: %.300q", err, stdout)
		return r
	case j.MsPerBatch <= 0:
		r.Err = fmt.Sprintf("no ms_per_batch in %.300s", raw)
		return r
	case j.Batch != 0 && j.Batch != b, j.Threads != 0 && j.Threads != t:
		r.Err = fmt.Sprintf("ran batch %d threads %d, not %d and %d", j.Batch, j.Threads, b, t)
		return r
	case (engine == engOursInt8 || engine == engTorchInt8) && j.Precision != "int8":
		r.Err = fmt.Sprintf("ran precision %q, not int8", j.Precision)
		return r
	case j.Check != nil && !(j.Check.MaxAbsDiff <= int8RTol*j.Check.Range):
		r.Err = fmt.Sprintf("int8 logits off: max |diff| %.3g from float32's, over %g × their range %.3g", j.Check.MaxAbsDiff, int8RTol, j.Check.Range)
		return r
	}
	r.Raw = raw // ours' includes its per-layer times
	r.MsPerBatch = j.MsPerBatch
	r.ImagesPerSec = float64(b) * 1e3 / j.MsPerBatch
	r.PeakRSSSelf = j.PeakRSS
	if r.PeakRSS == 0 {
		r.PeakRSS = j.PeakRSS
	}
	return r
}

// executed is what execute measured of a finished process.
type executed struct {
	stdout []byte
	wall   float64 // seconds
	cpu    float64 // seconds, user + system, all its threads
	maxRSS int64   // bytes, 0 where unknown
	others float64 // cores' worth of CPU that other processes used meanwhile
}

// execute runs argv with env and measures it; an error carries the tail of
// stderr.
func execute(ctx context.Context, timeout time.Duration, argv []string, env map[string]string) (executed, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = environ(env)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	busy0, ok0 := cpuBusy()
	start := time.Now()
	err := cmd.Run()
	var x executed
	x.wall = time.Since(start).Seconds()
	busy1, ok1 := cpuBusy()
	x.stdout = stdout.Bytes()
	if ps := cmd.ProcessState; ps != nil {
		x.cpu = (ps.UserTime() + ps.SystemTime()).Seconds()
		x.maxRSS = harness.ChildMaxRSS(ps)
		if ok0 && ok1 && x.wall > 0 {
			x.others = max(0, (busy1-busy0-x.cpu)/x.wall)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("timed out after %s", timeout)
		}
		tail := stderr.Bytes()
		if len(tail) > 800 {
			tail = tail[len(tail)-800:]
		}
		return x, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, bytes.TrimSpace(tail))
	}
	return x, nil
}

// lastJSON returns the last top-level JSON object in out (engines may print
// other lines before it; ours may indent it).
func lastJSON(out []byte) (json.RawMessage, error) {
	var last json.RawMessage
	for i := 0; i < len(out); {
		j := bytes.IndexByte(out[i:], '{')
		if j < 0 {
			break
		}
		dec := json.NewDecoder(bytes.NewReader(out[i+j:]))
		var m json.RawMessage
		if err := dec.Decode(&m); err != nil {
			i += j + 1
			continue
		}
		last = m
		i += j + int(dec.InputOffset())
	}
	if last == nil {
		return nil, errors.New("no JSON object in the output")
	}
	return last, nil
}

func decodeLast(out []byte, v any) error {
	raw, err := lastJSON(out)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
