package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/eval"
	"github.com/alexnet-go/alexnet/internal/testutil"
)

// runCmd runs the command with args and returns its exit status and
// output.
func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, 2},
		{[]string{"frobnicate"}, 2},
		{[]string{"classify", "--output", "x"}, 2},
		{[]string{"classify", "--input", "x"}, 2},
		{[]string{"eval", "--output", "x"}, 2},
		{[]string{"classify", "--no-such-flag"}, 2},
		{[]string{"classify", "-h"}, 0},
	} {
		if code, _, stderr := runCmd(c.args...); code != c.code {
			t.Errorf("%q: exit status %d, want %d (%s)", c.args, code, c.code, stderr)
		}
	}
}

// images links n Tiny ImageNet validation images into a folder of wnid
// folders (an ImageFolder) and adds a file that does not decode.
func images(t *testing.T, n int) string {
	t.Helper()
	val := testutil.SharedData(t, "tiny-imagenet-200", "val")
	ann, err := os.ReadFile(filepath.Join(val, "val_annotations.txt"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, line := range strings.Split(string(ann), "\n")[:n] {
		f := strings.Fields(line)
		if err := os.MkdirAll(filepath.Join(dir, f[1]), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(val, "images", f[0]), filepath.Join(dir, f[1], f[0])); err != nil {
			t.Fatal(err)
		}
	}
	bad := filepath.Join(dir, strings.Fields(string(ann))[1], "bad.JPEG")
	if err := os.WriteFile(bad, []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// classify and eval on prism: exit status 1 and a message when an image
// fails, its dead letter written, and eval's JSON summary on stdout.
func TestClassifyAndEval(t *testing.T) {
	dir := images(t, 16)
	w := testutil.NarrowWeights(t)
	out := filepath.Join(t.TempDir(), "o")
	code, _, stderr := runCmd("classify", "--input", filepath.Join(dir, "*", "*.JPEG"), "--output", out,
		"--weights", w, "--shards", "2", "--threads", "2")
	if code != 1 || !strings.Contains(stderr, "1 of 17 images failed") {
		t.Errorf("classify: exit status %d, stderr:\n%s", code, stderr)
	}
	for _, f := range []string{"o-00000-of-00002.jsonl", "o-00001-of-00002.jsonl", "o-errors-00000-of-00001.jsonl"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(out), f)); err != nil {
			t.Error(err)
		}
	}
	code, stdout, stderr := runCmd("eval", "--data", dir, "--output", out, "--weights", w, "--json", "--threads", "2")
	var s eval.Summary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("eval --json: %v\n%s", err, stdout)
	}
	if code != 1 || s.Images != 17 || s.Classified != 16 || len(s.Errors) != 1 || s.Seconds <= 0 {
		t.Errorf("eval: exit status %d, summary %+v\nstderr: %s", code, s, stderr)
	}
}
