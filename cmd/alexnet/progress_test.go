package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// A writer that is not a terminal file gets a bar naming the file; a
// non-terminal *os.File (a log) and nil get none.
func TestDownloadBars(t *testing.T) {
	var buf bytes.Buffer
	bar := fileBar(&buf, "w.pth")
	if bar == nil {
		t.Fatal("no bar for a buffer")
	}
	bar(512, 1024)
	bar(1024, 1024)
	if !strings.Contains(buf.String(), "w.pth") {
		t.Errorf("bar output %q does not name the file", buf.String())
	}
	log, err := os.CreateTemp(t.TempDir(), "log")
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	if downloadBars(log) != nil || downloadBars(nil) != nil || fileBar(nil, "x") != nil {
		t.Error("a bar for a log file or nil")
	}
}
