package jpeg

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

const tinyVal = "../../../shared/data/tiny-imagenet-200/val/images"

// rgbBytes is np.asarray(im.convert('RGB')).tobytes() for a decoded image:
// gray replicated to three channels, RGBA without alpha.
func rgbBytes(m image.Image) []byte {
	switch m := m.(type) {
	case *image.Gray:
		b := make([]byte, 0, 3*len(m.Pix))
		for _, v := range m.Pix {
			b = append(b, v, v, v)
		}
		return b
	case *image.RGBA:
		_, b := pixels(m)
		return b
	}
	return nil
}

// TestTinyImageNet decodes all 10,000 Tiny ImageNet validation images and
// compares a hash of their RGB bytes with Pillow's, from
// testdata/jpeg/tiny-imagenet-val.txt. Skipped when the data set is absent.
func TestTinyImageNet(t *testing.T) {
	if _, err := os.Stat(tinyVal); err != nil {
		t.Skipf("Tiny ImageNet not found at %s", tinyVal)
	}
	f, err := os.Open(filepath.Join(fixtures, "tiny-imagenet-val.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type job struct{ name, hash string }
	var jobs []job
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 2 && !strings.HasPrefix(fs[0], "#") {
			jobs = append(jobs, job{fs[0], fs[1]})
		}
	}
	if len(jobs) != 10000 {
		t.Fatalf("%d hashes in fixture, want 10000", len(jobs))
	}
	ch := make(chan job)
	var mu sync.Mutex
	bad := 0
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				got, err := tinyHash(filepath.Join(tinyVal, j.name))
				if err != nil || got != j.hash {
					mu.Lock()
					if bad++; bad <= 10 {
						t.Errorf("%s: hash %s err %v, Pillow %s", j.name, got, err, j.hash)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	t.Logf("%d of %d images match Pillow", len(jobs)-bad, len(jobs))
}

func tinyHash(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	m, err := Decode(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(rgbBytes(m))
	return hex.EncodeToString(s[:8]), nil
}
