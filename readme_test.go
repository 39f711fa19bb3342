package alexnet_test

import (
	"os"
	"strings"
	"testing"
)

// The README's "Use it from Go" snippet is the body of Example, line for
// line, so it compiles and gives the output Example checks.
func TestREADMESnippet(t *testing.T) {
	var src [2]string // README.md, example_test.go
	for i, name := range []string{"README.md", "example_test.go"} {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src[i] = string(b)
	}
	_, sec, ok := strings.Cut(src[0], "## Use it from Go\n")
	_, code, ok2 := strings.Cut(sec, "```go\n")
	code, _, ok3 := strings.Cut(code, "```")
	if !ok || !ok2 || !ok3 {
		t.Fatal(`README.md has no "## Use it from Go" section with a go block`)
	}
	lines := strings.Split(strings.TrimSpace(code), "\n")
	if len(lines) > 10 {
		t.Errorf("the snippet has %d lines, more than 10", len(lines))
	}
	body := strings.ReplaceAll(src[1], "\n\t", "\n")
	if !strings.Contains(body, "\n"+strings.Join(lines, "\n")+"\n") {
		t.Errorf("the README snippet is not a run of lines of Example:\n%s", code)
	}
}
