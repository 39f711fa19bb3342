package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/alexnet-go/alexnet/serve"
)

// `alexnet serve` end to end: flags and ALEXNET_* variables (a flag wins),
// the listening address in the log, a classification with the same top-5
// as `alexnet classify --json`, the body limit, and a clean stop when its
// context ends (as on SIGTERM).
func TestServeCommand(t *testing.T) {
	t.Setenv("ALEXNET_MAX_BATCH", "3")
	t.Setenv("ALEXNET_MAX_IMAGES", "5")
	t.Setenv("ALEXNET_MAX_BODY", "1MiB") // the flag below wins
	t.Setenv("ALEXNET_LOG_FORMAT", "json")
	srv := startServe(t, "--weights", narrowWeights, "--addr", "127.0.0.1:0", "--max-body", "100KiB", "--threads", "1")

	var info serve.ModelInfo
	getJSON(t, srv.base+"/v1/model", &info)
	if info.MaxBatch != 3 || info.MaxImages != 5 || info.MaxBodyBytes != 100<<10 || info.Model != "torchvision/tv_narrow.pth" {
		t.Errorf("settings %+v: want max_batch 3 and max_images 5 from the environment, max_body 100 KiB from the flag", info)
	}
	checkServeMatchesClassify(t, srv.base, images(t)[0]) // jpeg_420.jpg

	resp, err := http.Post(srv.base+"/v1/classify", "image/png", bytes.NewReader(make([]byte, 200<<10)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("200 KiB body with --max-body 100KiB: %d", resp.StatusCode)
	}

	srv.stop(t)
	if l := srv.logs.String(); !strings.Contains(l, `"msg":"stopped"`) || !strings.Contains(l, `"request_id"`) {
		t.Errorf("log lacks the stop or the request ids:\n%s", l)
	}
}

// checkServeMatchesClassify posts img to base's /v1/classify and checks
// the answer's top-5 against `alexnet classify --json` on the same file.
func checkServeMatchesClassify(t *testing.T, base, img string) {
	t.Helper()
	stdout, _, err := run(t, "classify", "--json", "--weights", narrowWeights, img)
	if err != nil {
		t.Fatal(err)
	}
	var want classifyLine
	if err := json.Unmarshal([]byte(stdout), &want); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(img)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/v1/classify", "image/jpeg", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got serve.ClassifyResponse
	json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != 200 || len(got.Top) != 5 {
		t.Fatalf("classify: %d %+v", resp.StatusCode, got)
	}
	for i := range want.Top {
		if got.Top[i] != want.Top[i] {
			t.Errorf("rank %d: serve %+v, classify --json %+v", i, got.Top[i], want.Top[i])
		}
	}
}

// Bad settings are refused before the server starts, naming the flag or
// the variable.
func TestServeSettingsErrors(t *testing.T) {
	for _, c := range []struct {
		env, val string
		args     []string
		want     string
	}{
		{"ALEXNET_MAX_WAIT", "soon", nil, "$ALEXNET_MAX_WAIT"},
		{"ALEXNET_MAX_BODY", "-3", nil, "$ALEXNET_MAX_BODY"},
		{"", "", []string{"--max-body", "12 parsecs"}, "max-body"},
		{"", "", []string{"--log-format", "xml"}, "--log-format"},
		{"", "", []string{"--log-level", "loud"}, "--log-level"},
	} {
		if c.env != "" {
			t.Setenv(c.env, c.val)
		}
		_, _, err := run(t, append([]string{"serve", "--weights", narrowWeights, "--addr", "127.0.0.1:0"}, c.args...)...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%q %v: err %v, want one naming %s", c.env, c.val, c.args, err, c.want)
		}
		if c.env != "" {
			os.Unsetenv(c.env)
		}
	}
}

// byteSize parses plain bytes and binary and decimal units.
func TestByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "512KiB": 512 << 10, "32MiB": 32 << 20, "10MB": 10e6, "1GiB": 1 << 30, "7 B": 7} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("%q: %d, %v; want %d", in, b, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "MiB", "1.5MiB", "99999999999GiB"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("%q accepted as %d", in, b)
		}
	}
	var b byteSize
	if err := b.Set("x"); !strings.Contains(err.Error(), "32MiB") || errors.Unwrap(err) != nil {
		t.Errorf("error %v", err)
	}
}
