package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// setup builds ours, installs onnxruntime-node, exports the ONNX model and
// checks PyTorch, as the selected engines need.
func setup(ctx context.Context, o *options, res *Results, tmp string) error {
	has := func(e string) bool { return slices.Contains(o.Engines, e) }
	if has(engOurs) {
		if o.OursBin == "" {
			o.OursBin = filepath.Join(tmp, "alexnet")
			logf("building ours: go build -o %s ./cmd/alexnet", o.OursBin)
			cmd := exec.CommandContext(ctx, "go", "build", "-o", o.OursBin, "./cmd/alexnet")
			cmd.Dir = o.Root
			if b, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("go build ./cmd/alexnet: %w\n%s", err, b)
			}
		}
		if b, err := exec.CommandContext(ctx, o.OursBin, "bench", "--help").CombinedOutput(); err != nil ||
			!bytes.Contains(b, []byte("--json")) {
			return fmt.Errorf("%s has no `bench --json` command (%v); run other engines with --engines ort,pytorch\n%s", o.OursBin, err, b)
		}
		if rev, err := exec.CommandContext(ctx, "git", "-C", o.Root, "describe", "--always", "--dirty").Output(); err == nil {
			res.Versions[engOurs] = strings.TrimSpace(string(rev))
		}
	}
	if has(engORT) || has(engTorch) {
		if err := os.MkdirAll(o.Cache, 0o755); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, o.Python, "-c",
			"import torch, torchvision; print(torch.__version__, torchvision.__version__)").CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s cannot import torch and torchvision (%v): %s\n"+
				"install them with: apt-get update && apt-get install -y python3-torch python3-torchvision python3-numpy",
				o.Python, err, bytes.TrimSpace(out))
		}
		if v := strings.Fields(string(out)); len(v) == 2 {
			res.Versions["torch"], res.Versions["torchvision"] = v[0], v[1]
		}
	}
	if has(engORT) {
		if err := setupORT(ctx, o, res); err != nil {
			return err
		}
	}
	return nil
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
