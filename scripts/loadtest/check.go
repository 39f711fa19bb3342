package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
)

// topClass is one class of a top-k answer, as both commands print it.
type topClass struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Prob  float32 `json:"prob"`
}

// check posts each file named in the JSON lines of `alexnet classify
// --json` (path) to /v1/classify with the same ?top=, and reports whether
// the classes are the same, in the same order, and the largest difference
// of their probabilities.
func (c *client) check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var n, same int
	var worst float64
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var want struct {
			File string     `json:"file"`
			Top  []topClass `json:"top"`
		}
		if err := json.Unmarshal(sc.Bytes(), &want); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if len(want.Top) == 0 {
			continue // a file classify could not read
		}
		data, err := os.ReadFile(want.File)
		if err != nil {
			return err
		}
		resp, err := c.http.Post(fmt.Sprintf("%s/v1/classify?top=%d", c.base, len(want.Top)),
			"application/octet-stream", bytes.NewReader(data))
		if err != nil {
			return err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s: status %d: %s", want.File, resp.StatusCode, body)
		}
		var got struct {
			Top []topClass `json:"top"`
		}
		if err := json.Unmarshal(body, &got); err != nil {
			return err
		}
		n++
		ok := len(got.Top) == len(want.Top)
		for i := range min(len(got.Top), len(want.Top)) {
			ok = ok && got.Top[i].Index == want.Top[i].Index && got.Top[i].Label == want.Top[i].Label
			worst = max(worst, math.Abs(float64(got.Top[i].Prob-want.Top[i].Prob)))
		}
		if ok {
			same++
		} else {
			fmt.Printf("differs: %s\n  classify: %v\n  serve:    %v\n", want.File, want.Top, got.Top)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Printf("%d images of %s: the same classes in the same order for %d; max abs probability difference %.3g\n",
		n, path, same, worst)
	if same != n || worst > 1e-5 {
		return fmt.Errorf("/v1/classify differs from alexnet classify")
	}
	return nil
}
