package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// setup builds ours, installs onnxruntime-node, exports (and quantizes)
// the ONNX model and checks PyTorch, as the selected engines need. An int8
// engine that cannot run here (no quantized engine in torch, no
// python3-onnx) is dropped from o.Engines, with why in res.Dropped.
func setup(ctx context.Context, o *options, res *Results, tmp string) error {
	if o.has(engOurs) || o.has(engOursInt8) {
		if err := setupOurs(ctx, o, res, tmp); err != nil {
			return err
		}
	}
	if o.has(engORT) || o.has(engTorch) || o.has(engORTInt8) || o.has(engTorchInt8) {
		if err := os.MkdirAll(o.Cache, 0o755); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, o.Python, "-c", "import torch, torchvision; "+
			"print(torch.__version__, torchvision.__version__, ','.join(torch.backends.quantized.supported_engines))").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cannot import torch and torchvision (%v): %s\n"+
				"install them with: apt-get update && apt-get install -y python3-torch python3-torchvision python3-numpy",
				o.Python, err, bytes.TrimSpace(out))
		}
		if v := strings.Fields(string(out)); len(v) == 3 {
			res.Versions["torch"], res.Versions["torchvision"] = v[0], v[1]
			res.TorchQEngines = slices.DeleteFunc(strings.Split(v[2], ","), func(q string) bool { return q == "none" })
		}
	}
	if o.has(engTorchInt8) {
		q, err := pickQEngine(o.TorchQEngine, res.TorchQEngines)
		switch {
		case err != nil && o.TorchQEngine != "auto":
			return err
		case err != nil:
			drop(o, res, engTorchInt8, err.Error())
		default:
			o.qengine, res.TorchQEngine = q, q
			logf("PyTorch int8 runs on the %s quantized engine (this torch has %s)", q, strings.Join(res.TorchQEngines, ", "))
		}
	}
	if o.has(engORT) || o.has(engORTInt8) {
		if err := setupORT(ctx, o, res); err != nil {
			return err
		}
	}
	if o.has(engORTInt8) {
		if err := setupORTInt8(ctx, o, res); err != nil {
			return err
		}
	}
	if len(o.Engines) == 0 {
		return errors.New("no engine left to run")
	}
	return nil
}

// setupOurs builds ours unless --ours-bin is given, and checks that it has
// `bench --json` (and --precision, for ours-int8).
func setupOurs(ctx context.Context, o *options, res *Results, tmp string) error {
	if o.OursBin == "" {
		o.OursBin = filepath.Join(tmp, "alexnet")
		logf("building ours: go build -o %s ./cmd/alexnet", o.OursBin)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", o.OursBin, "./cmd/alexnet")
		cmd.Dir = o.Root
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/alexnet: %w\n%s", err, b)
		}
	}
	b, err := exec.CommandContext(ctx, o.OursBin, "bench", "--help").CombinedOutput()
	if err != nil || !bytes.Contains(b, []byte("--json")) {
		return fmt.Errorf("%s has no `bench --json` command (%v); run other engines with --engines ort,pytorch\n%s", o.OursBin, err, b)
	}
	if o.has(engOursInt8) && !bytes.Contains(b, []byte("--precision")) {
		return fmt.Errorf("%s has no `bench --precision` (int8); run without ours-int8\n%s", o.OursBin, b)
	}
	if rev, err := exec.CommandContext(ctx, "git", "-C", o.Root, "describe", "--always", "--dirty").Output(); err == nil {
		res.Versions[engOurs] = strings.TrimSpace(string(rev))
	}
	return nil
}

// pickQEngine is want, or for "auto" the first of qengines that have holds.
func pickQEngine(want string, have []string) (string, error) {
	if want != "auto" {
		if !slices.Contains(have, want) {
			return "", fmt.Errorf("--torch-qengine %s: this torch has %s", want, strings.Join(have, ", "))
		}
		return want, nil
	}
	for _, q := range qengines {
		if slices.Contains(have, q) {
			return q, nil
		}
	}
	return "", fmt.Errorf("this torch has no quantized engine (it has %s)", strings.Join(have, ", "))
}

// drop removes engine e from o.Engines, saying why.
func drop(o *options, res *Results, e, why string) {
	o.Engines = slices.DeleteFunc(o.Engines, func(x string) bool { return x == e })
	if res.Dropped == nil {
		res.Dropped = map[string]string{}
	}
	res.Dropped[e] = why
	logf("not running %s: %s", e, why)
}

func (o *options) ortDir() string { return filepath.Join(o.Cache, "ort") }
func (o *options) onnxModel() string {
	return filepath.Join(o.Cache, fmt.Sprintf("alexnet-opset%d.onnx", o.Opset))
}

func setupORT(ctx context.Context, o *options, res *Results) error {
	dir := o.ortDir()
	installed := func() string {
		b, err := os.ReadFile(filepath.Join(dir, "node_modules", "onnxruntime-node", "package.json"))
		if err != nil {
			return ""
		}
		var p struct{ Version string }
		json.Unmarshal(b, &p)
		return p.Version
	}
	if v := installed(); v == "" || (o.ORTVersion != "" && v != o.ORTVersion) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		pj := filepath.Join(dir, "package.json")
		if _, err := os.Stat(pj); err != nil {
			if err := os.WriteFile(pj, []byte(`{"name":"alexnet-bench-ort","private":true}`+"\n"), 0o644); err != nil {
				return err
			}
		}
		pkg := "onnxruntime-node"
		if o.ORTVersion != "" {
			pkg += "@" + o.ORTVersion
		}
		logf("installing %s into %s (npm install --ignore-scripts)", pkg, dir)
		cmd := exec.CommandContext(ctx, "npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", pkg)
		cmd.Dir = dir
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("npm install %s: %w\n%s", pkg, err, b)
		}
	}
	res.Versions["onnxruntime-node"] = installed()
	model := o.onnxModel()
	if _, err := os.Stat(model); err != nil {
		logf("exporting %s with %s (torch.onnx.export, opset %d)", model, o.Python, o.Opset)
		cmd := exec.CommandContext(ctx, o.Python, filepath.Join(o.Dir, "export_onnx.py"), model, "--opset", strconv.Itoa(o.Opset))
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("ONNX export: %w\n%s", err, b)
		}
	}
	// ORT must compute what PyTorch computed, or the timing means little.
	b, err := exec.CommandContext(ctx, o.Node, filepath.Join(o.Dir, "ort.mjs"), "--ort-dir", dir, "--model", model, "--check").CombinedOutput()
	if err != nil {
		return fmt.Errorf("ort.mjs --check: %w\n%s", err, b)
	}
	var chk struct {
		Diff float64 `json:"check_max_abs_diff"`
	}
	if err := decodeLast(b, &chk); err != nil {
		return fmt.Errorf("ort.mjs --check: %w\n%s", err, b)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("ONNX Runtime vs PyTorch logits (batch 2): max |diff| %.3g", chk.Diff))
	logf("ORT %s matches PyTorch: max |diff| %.3g", res.Versions["onnxruntime-node"], chk.Diff)
	return nil
}

// setupORTInt8 makes the QDQ model of ort-int8 from the float32 export with
// quantize_onnx.py (needs python3-onnx; without it ort-int8 is dropped),
// unless the cache has it, and checks ONNX Runtime's logits on it against
// PyTorch's float32 ones. The model's name carries a hash of the script,
// so that a changed script makes a new one.
func setupORTInt8(ctx context.Context, o *options, res *Results) error {
	script := filepath.Join(o.Dir, "quantize_onnx.py")
	src, err := os.ReadFile(script)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(src)
	o.ortInt8Model = strings.TrimSuffix(o.onnxModel(), ".onnx") + fmt.Sprintf("-int8qdq-%x.onnx", sum[:4])
	if _, err := os.Stat(o.ortInt8Model); err != nil {
		if out, err := exec.CommandContext(ctx, o.Python, "-c", "import onnx").CombinedOutput(); err != nil {
			drop(o, res, engORTInt8, fmt.Sprintf("%s cannot import onnx (apt-get install -y python3-onnx): %s",
				o.Python, lastLine(string(out))))
			return nil
		}
		logf("quantizing %s into %s (quantize_onnx.py)", o.onnxModel(), o.ortInt8Model)
		cmd := exec.CommandContext(ctx, o.Python, script, o.onnxModel(), o.ortInt8Model)
		if b, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("quantize_onnx.py: %w\n%s", err, b)
		}
	}
	// The int8 logits may differ by a fraction of their range, and most
	// images' top-1 class must stay.
	b, err := exec.CommandContext(ctx, o.Node, filepath.Join(o.Dir, "ort.mjs"), "--ort-dir", o.ortDir(), "--model", o.ortInt8Model,
		"--check", "--rtol", fmt.Sprint(int8RTol), "--min-top1", "0.75").CombinedOutput()
	var chk struct {
		Diff  float64 `json:"check_max_abs_diff"`
		Range float64 `json:"check_range"`
		Top1  float64 `json:"check_top1_agreement"`
		N     int     `json:"images"`
	}
	if err == nil {
		err = decodeLast(b, &chk)
	}
	if err != nil {
		return fmt.Errorf("ort.mjs --check (int8 model %s): %w\n%s", o.ortInt8Model, err, b)
	}
	msg := fmt.Sprintf("ORT int8 (QDQ) vs PyTorch float32 logits (batch %d): max |diff| %.3g (%.1f%% of their range %.3g), top-1 agreement %.0f%%",
		chk.N, chk.Diff, 100*chk.Diff/chk.Range, chk.Range, 100*chk.Top1)
	res.Notes = append(res.Notes, msg)
	logf("%s", msg)
	return nil
}
