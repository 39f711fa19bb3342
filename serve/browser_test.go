package serve

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/alexnet-go/alexnet/predict"
)

// Flags of TestBrowser, to make the README's screenshot:
//
//	go test ./serve -run TestBrowser -screenshot ../docs/serve.png \
//	    -browser.weights W.pth -browser.image PHOTO -browser.width 420
var (
	screenshot     = flag.String("screenshot", "", "TestBrowser: save a PNG of the page with its result to this file")
	browserWeights = flag.String("browser.weights", narrowWeights, "TestBrowser: weights of the server")
	browserImage   = flag.String("browser.image", photos[0], "TestBrowser: the image to upload")
	browserWidth   = flag.Int("browser.width", 420, "TestBrowser: viewport width in CSS pixels (a phone is 360-430)")
)

// chromium finds a Chromium or Chrome binary: $ALEXNET_CHROMIUM, else the
// usual names on $PATH; "" when there is none.
func chromium() string {
	if p := os.Getenv("ALEXNET_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// synthetic draws a 300x200 PNG in the page and hands it over as a file
// named %[1]s by a "paste" or a "drop" event (%[2]s).
const synthetic = `(async () => {
	const c = document.createElement("canvas");
	c.width = 300; c.height = 200;
	const g = c.getContext("2d");
	g.fillStyle = "#c33"; g.fillRect(0, 0, 300, 200);
	g.fillStyle = "#33c"; g.fillRect(60, 40, 120, 120);
	const blob = await new Promise((done) => c.toBlob(done, "image/png"));
	const dt = new DataTransfer();
	dt.items.add(new File([blob], "%[1]s", {type: "image/png"}));
	if ("%[2]s" === "paste") {
		document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true}));
	} else {
		document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
	}
	return true;
})()`

// recompress re-encodes a PNG at Go's best compression (Chromium's
// encoder favours speed), to keep the committed screenshot small.
func recompress(t *testing.T, b []byte) []byte {
	m, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, m); err != nil {
		t.Fatal(err)
	}
	if out.Len() > len(b) {
		return b
	}
	return out.Bytes()
}

// shownClass is a row of the page's bar chart.
type shownClass struct {
	Index int     `json:"index"`
	Label string  `json:"label"`
	Prob  float64 `json:"prob"`
	Text  string  `json:"text"`
}

// The page in headless Chromium, at a phone's width: a file that is not an
// image shows an error in plain words; a photo (chosen, pasted, dropped)
// shows the crop the model sees and a top-5 whose classes and
// probabilities are predict's. Skipped where there is no Chromium, unless
// $ALEXNET_REQUIRE_CHROMIUM is set (as in CI).
func TestBrowser(t *testing.T) {
	bin := requireChromium(t)
	p, err := predict.Load("torchvision", *browserWeights, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := New(p, &Options{Logger: quietLogger(), Model: "torchvision/" + filepath.Base(*browserWeights)})
	ts := newHTTPTestServer(t, s)
	photo, err := filepath.Abs(*browserImage)
	if err != nil {
		t.Fatal(err)
	}
	want := reference(t, p, []string{photo}, 5)[photo]
	notImage := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notImage, []byte("a shopping list, not a photo"), 0o644)

	bctx := newBrowser(t, bin)
	checkNotImageShown(t, bctx, ts.URL, notImage)
	checkPhotoShown(t, bctx, photo, want)
	checkPasteAndDrop(t, bctx)
	// Back to the photo for the screenshot.
	err = chromedp.Do(bctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{photo}),
		chromedp.Poll[chromedp.Void](`document.getElementById("status").textContent.startsWith("Done: `+filepath.Base(photo)+`")`,
			chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.WaitVisible(chromedp.ID("box")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if *screenshot != "" {
		writeScreenshot(t, bctx, *screenshot)
	}
}

// requireChromium returns the Chromium binary, skipping the test where
// there is none unless $ALEXNET_REQUIRE_CHROMIUM is set, then failing it.
func requireChromium(t *testing.T) string {
	t.Helper()
	bin := chromium()
	if bin == "" && os.Getenv("ALEXNET_REQUIRE_CHROMIUM") != "" {
		t.Fatal("no Chromium found ($ALEXNET_CHROMIUM, chromium, chromium-browser, google-chrome on $PATH) " +
			"and $ALEXNET_REQUIRE_CHROMIUM is set")
	}
	if bin == "" {
		t.Skip("no Chromium found ($ALEXNET_CHROMIUM, chromium, chromium-browser, google-chrome on $PATH): " +
			"install Debian's chromium package to run the browser test")
	}
	return bin
}

// newBrowser starts headless Chromium bin, for at most 90 s, with a
// profile of its own; it stops at the test's end.
func newBrowser(t *testing.T, bin string) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

// checkNotImageShown opens the page at url at the test's width, chooses
// the file notImage and checks the error it shows.
func checkNotImageShown(t *testing.T, bctx context.Context, url, notImage string) {
	t.Helper()
	err := chromedp.Do(bctx,
		chromedp.EmulateViewport(int64(*browserWidth), 800, chromedp.EmulateScale(1)),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.ID("drop")),
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{notImage}),
		chromedp.WaitVisible(chromedp.ID("error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID("error")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "not an image") {
		t.Errorf("error shown for a text file: %q", msg)
	}
}

// checkPhotoShown chooses photo and checks the top-5 the page shows
// against want, and the page's state: the 224-pixel crop, no error, the
// timing, nothing wider than the window.
func checkPhotoShown(t *testing.T, bctx context.Context, photo string, want []predict.Class) {
	t.Helper()
	err := chromedp.Do(bctx,
		chromedp.SetUploadFiles(chromedp.ID("file"), []string{photo}),
		chromedp.WaitVisible(chromedp.CSS("#top li")),
		chromedp.WaitVisible(chromedp.ID("box")),
	)
	if err != nil {
		t.Fatal(err)
	}
	shown, err := chromedp.Run(bctx, chromedp.Evaluate[[]shownClass](`Array.from(document.querySelectorAll("#top li")).map(li => ({
		index: +li.dataset.index, prob: +li.dataset.prob,
		label: li.querySelector(".label").firstChild.textContent.trim(),
		text: li.querySelector(".prob").textContent}))`))
	if err != nil {
		t.Fatal(err)
	}
	got := make([]predict.Class, len(shown))
	for i, c := range shown {
		got[i] = predict.Class{Index: c.Index, Label: c.Label, Prob: float32(c.Prob)}
		if c.Text == "" || !strings.HasSuffix(c.Text, "%") {
			t.Errorf("row %d shows %q", i, c.Text)
		}
	}
	sameTop(t, "page", got, want)
	state, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]any](`({
		crop: document.getElementById("crop").naturalWidth,
		errorHidden: document.getElementById("error").hidden,
		timing: document.getElementById("timing").textContent,
		overflow: document.documentElement.scrollWidth > window.innerWidth})`))
	if err != nil {
		t.Fatal(err)
	}
	if state["crop"] != float64(224) || state["errorHidden"] != true || state["overflow"] != false ||
		!strings.Contains(state["timing"].(string), " ms") {
		t.Errorf("page state after the result: %v", state)
	}
	t.Logf("page top-5: %v", shown)
}

// checkPasteAndDrop pastes, then drops, an image the page draws itself,
// and checks that each is classified with its size in the caption.
func checkPasteAndDrop(t *testing.T, bctx context.Context) {
	t.Helper()
	for _, how := range []string{"paste", "drop"} {
		name := how + "d.png"
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](fmt.Sprintf(synthetic, name, how), chromedp.EvalAwaitPromise)); err != nil {
			t.Fatalf("%s: %v", how, err)
		}
		status, err := chromedp.Run(bctx, chromedp.Poll[string](fmt.Sprintf(
			`document.getElementById("status").textContent.includes("Done: %s") && document.getElementById("original-cap").textContent`, name),
			chromedp.WithPollingTimeout(30*time.Second)))
		if err != nil {
			t.Fatalf("%s: no result: %v", how, err)
		}
		if !strings.Contains(status, "300×200") {
			t.Errorf("%s: caption %q", how, status)
		}
	}
}

// writeScreenshot writes a screenshot of the whole page to path.
func writeScreenshot(t *testing.T, bctx context.Context, path string) {
	t.Helper()
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot = recompress(t, shot)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", path, len(shot))
}
