package serve

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

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
// probabilities are predict's; "why?" lays the server's heat map of the
// class picked over the crop and its box. Skipped where there is no Chromium, unless
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
	checkWhy(t, bctx, ts.URL, photo, want)
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

// heatState is the page's "why?" part: the toggle, its caption, the rows
// of the top-5 marked selected, the two overlays and the box.
type heatState struct {
	Pressed  string    `json:"pressed"`
	Caption  string    `json:"caption"`
	Selected []int     `json:"selected"`
	Crop     heatImage `json:"crop"`
	Original heatImage `json:"original"`
	CropRect []float64 `json:"cropRect"` // the crop's <img>: x, y, width, height
	BoxRect  []float64 `json:"boxRect"`  // the box over the photo
	BoxStyle []string  `json:"boxStyle"` // its left, top, width, height
	Error    string    `json:"error"`    // "" when hidden
	Overflow bool      `json:"overflow"`
}

// heatImage is an overlay <img>.
type heatImage struct {
	Visible      bool      `json:"visible"`
	Src          string    `json:"src"`
	Class        int       `json:"class"` // data-class; -1 when absent
	NaturalWidth int       `json:"naturalWidth"`
	Opacity      float64   `json:"opacity"`
	Style        []string  `json:"style"` // left, top, width, height
	Rect         []float64 `json:"rect"`
}

// String shows h with its src cut short, for failures.
func (h heatImage) String() string {
	src := h.Src
	if len(src) > 40 {
		src = src[:40] + "…"
	}
	return fmt.Sprintf("{visible %v, class %d, %d px wide, opacity %g, style %q, at %v, src %s}",
		h.Visible, h.Class, h.NaturalWidth, h.Opacity, h.Style, h.Rect, src)
}

const readHeatState = `(() => {
	const $ = (id) => document.getElementById(id);
	const rect = (e) => { const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; };
	const img = (e) => ({
		visible: !e.hidden && getComputedStyle(e).display !== "none" && e.getBoundingClientRect().width > 0,
		src: e.getAttribute("src") || "", class: "class" in e.dataset ? +e.dataset.class : -1,
		naturalWidth: e.naturalWidth, opacity: +getComputedStyle(e).opacity,
		style: [e.style.left, e.style.top, e.style.width, e.style.height], rect: rect(e)});
	return {pressed: $("why").getAttribute("aria-pressed"), caption: $("why-cap").textContent,
		selected: Array.from(document.querySelectorAll('#top li[aria-selected="true"]')).map((li) => +li.dataset.index),
		crop: img($("heat-crop")), original: img($("heat-original")), cropRect: rect($("crop")), boxRect: rect($("box")),
		boxStyle: ["left", "top", "width", "height"].map((p) => $("box").style[p]),
		error: $("error").hidden ? "" : $("error").textContent,
		overflow: document.documentElement.scrollWidth > window.innerWidth};
})()`

// heatOf waits until the page shows the heat map of class k (the overlay
// over the crop loaded, no explanation in flight) and returns its state.
func heatOf(t *testing.T, bctx context.Context, k int) heatState {
	t.Helper()
	_, err := chromedp.Run(bctx, chromedp.Poll[bool](fmt.Sprintf(`(() => {
		const h = document.getElementById("heat-crop");
		return !h.hidden && h.dataset.class === "%d" && h.complete && h.naturalWidth > 0 &&
			!document.getElementById("pictures").hasAttribute("aria-busy");
	})()`, k), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		st, _ := chromedp.Run(bctx, chromedp.Evaluate[heatState](readHeatState))
		t.Fatalf("no heat map of class %d shown: %v; page: %+v", k, err, st)
	}
	st, err := chromedp.Run(bctx, chromedp.Evaluate[heatState](readHeatState))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// explainDirect POSTs photo to url's /v1/explain for class k, as the page
// does.
func explainDirect(t *testing.T, url, photo string, k int) ExplainResponse {
	t.Helper()
	data, err := os.ReadFile(photo)
	if err != nil {
		t.Fatal(err)
	}
	code, _, body := do(t, "POST", fmt.Sprintf("%s/v1/explain?method=gradcam&top=5&class=%d", url, k), "", bytes.NewReader(data))
	if code != 200 {
		t.Fatalf("explain class %d: status %d: %s", k, code, body)
	}
	var r ExplainResponse
	decodeJSON(t, body, &r)
	return r
}

// checkHeat checks that st shows e, the server's explanation of photo's
// class e.Class: the same heat map over the crop, at the crop's size,
// and over the crop box of the photo, half transparent, with a caption
// naming the class, that row selected, and nothing wider than the window.
func checkHeat(t *testing.T, st heatState, e ExplainResponse) {
	t.Helper()
	k := e.Class.Index
	if st.Pressed != "true" || st.Error != "" || st.Overflow || !slices.Equal(st.Selected, []int{k}) {
		t.Errorf("class %d: toggle %s, error %q, overflow %v, rows selected %v", k, st.Pressed, st.Error, st.Overflow, st.Selected)
	}
	if !strings.Contains(st.Caption, "“"+e.Class.Label+"”") || !strings.Contains(st.Caption, "Grad-CAM") {
		t.Errorf("class %d (%s): caption %q", k, e.Class.Label, st.Caption)
	}
	for _, h := range []struct {
		name string
		img  heatImage
	}{{"crop", st.Crop}, {"original", st.Original}} {
		if !h.img.Visible || h.img.Class != k || h.img.Opacity <= 0.2 || h.img.Opacity >= 0.8 ||
			h.img.NaturalWidth != 224 || !strings.HasPrefix(h.img.Src, "data:image/png;base64,") {
			t.Errorf("class %d: overlay over the %s: visible %v, class %d, opacity %g, %d pixels wide, src %.40q",
				k, h.name, h.img.Visible, h.img.Class, h.img.Opacity, h.img.NaturalWidth, h.img.Src)
		}
		if h.img.Src != e.Heatmap {
			t.Errorf("class %d: the overlay over the %s is not the server's heat map", k, h.name)
		}
	}
	// The overlay over the photo is placed on the crop box, in percent of
	// the photo (as CSS keeps them, to 6 digits), as the box is, and lies
	// where the box does; the other covers the crop.
	im := e.Image
	x0, y0, x1, y1 := float64(im.CropBox[0]), float64(im.CropBox[1]), float64(im.CropBox[2]), float64(im.CropBox[3])
	w, h := float64(im.Width), float64(im.Height)
	box := []float64{100 * x0 / w, 100 * y0 / h, 100 * (x1 - x0) / w, 100 * (y1 - y0) / h}
	for i, s := range st.Original.Style {
		v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
		if err != nil || !strings.HasSuffix(s, "%") || math.Abs(v-box[i]) > 1e-3 {
			t.Errorf("overlay over the photo at %q, want the crop box %v%% (%v of %d×%d)", st.Original.Style, box, im.CropBox, im.Width, im.Height)
			break
		}
	}
	if !slices.Equal(st.Original.Style, st.BoxStyle) {
		t.Errorf("overlay over the photo at %q, the box at %q", st.Original.Style, st.BoxStyle)
	}
	near := func(a, b []float64) bool {
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1 {
				return false
			}
		}
		return len(a) == len(b)
	}
	if !near(st.Original.Rect, st.BoxRect) || !near(st.Crop.Rect, st.CropRect) {
		t.Errorf("overlays at %v and %v, want the box's %v and the crop's %v", st.Original.Rect, st.Crop.Rect, st.BoxRect, st.CropRect)
	}
}

// checkWhy turns "why?" on for photo, shown with the top-5 want: the
// server's heat map of the top-1 class lies over the crop and its box;
// a click on the second row, then Space on the third, explains that
// class; the photo chosen again resets it to the top-1; rows picked in a
// burst end on the last; Enter on the toggle hides the overlays; a 501 of
// /v1/explain shows in plain words.
func checkWhy(t *testing.T, bctx context.Context, url, photo string, want []predict.Class) {
	t.Helper()
	st, err := chromedp.Run(bctx, chromedp.Evaluate[heatState](readHeatState))
	if err != nil {
		t.Fatal(err)
	}
	if st.Pressed != "false" || st.Crop.Visible || st.Original.Visible || !slices.Equal(st.Selected, []int{want[0].Index}) {
		t.Errorf("before the toggle: %+v", st)
	}
	steps := []struct {
		name   string
		action chromedp.Action[chromedp.Void]
		row    int
	}{
		{"toggle on", chromedp.Click(chromedp.ID("why")), 0},
		{"click row 2", chromedp.Click(chromedp.CSS("#top li:nth-child(2)")), 1},
		{"Space on row 3", chromedp.Steps(chromedp.Focus(chromedp.CSS("#top li:nth-child(3)")), chromedp.KeyEvent(" ")), 2},
		{"photo again", chromedp.SetUploadFiles(chromedp.ID("file"), []string{photo}), 0},
	}
	for _, s := range steps {
		if _, err := chromedp.Run(bctx, s.action); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		k := want[s.row].Index
		st := heatOf(t, bctx, k)
		checkHeat(t, st, explainDirect(t, url, photo, k))
		t.Logf("%s: %s", s.name, st.Caption)
	}
	checkWhyLatestWins(t, bctx, url, photo, want)
	err = chromedp.Do(bctx, chromedp.Focus(chromedp.ID("why")), chromedp.KeyEvent(kb.Enter))
	if err != nil {
		t.Fatalf("toggle off: %v", err)
	}
	st, err = chromedp.Run(bctx, chromedp.Poll[heatState](`document.getElementById("why").getAttribute("aria-pressed") === "false" && `+readHeatState,
		chromedp.WithPollingTimeout(5*time.Second)))
	if err != nil || st.Crop.Visible || st.Original.Visible || strings.Contains(st.Caption, want[0].Label) || st.Overflow {
		t.Errorf("toggle off: %v: %+v", err, st)
	}
	checkWhyNotImplemented(t, bctx)
}

// burst counts the page's requests to /v1/explain and how many run at
// once, then picks rows 4, 5, 4 and 5 of the top-5 at once.
const burst = `(() => {
	window.explains = {sent: 0, running: 0, most: 0};
	const real = window.fetch;
	window.fetch = async (url, init) => {
		if (!String(url).startsWith("/v1/explain")) return real(url, init);
		const n = window.explains;
		n.sent++; n.running++; n.most = Math.max(n.most, n.running);
		try { return await real(url, init); } finally { n.running--; }
	};
	window.realFetch = real;
	for (const i of [4, 5, 4, 5]) document.querySelector("#top li:nth-child(" + i + ")").click();
	return true;
})()`

// checkWhyLatestWins picks four rows at once with "why?" on: the page
// sends one request at a time, two in all (the first row's, then the
// last's), and shows the last row's class.
func checkWhyLatestWins(t *testing.T, bctx context.Context, url, photo string, want []predict.Class) {
	t.Helper()
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](burst)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Run(bctx, chromedp.Evaluate[bool](unstub))
	st := heatOf(t, bctx, want[4].Index)
	checkHeat(t, st, explainDirect(t, url, photo, want[4].Index))
	n, err := chromedp.Run(bctx, chromedp.Evaluate[map[string]int](`window.explains`))
	if err != nil {
		t.Fatal(err)
	}
	if n["sent"] != 2 || n["most"] != 1 {
		t.Errorf("rows 4, 5, 4, 5 picked at once: %d requests to /v1/explain, at most %d at a time; want 2, 1", n["sent"], n["most"])
	}
}

// stub501 makes the page's next requests to /v1/explain answer as an
// int8 server does; unstub restores fetch.
const (
	stub501 = `(() => {
	window.realFetch = window.fetch;
	window.fetch = (url, init) => String(url).startsWith("/v1/explain") ?
		Promise.resolve(new Response(JSON.stringify({error: "explanations need the float32 model; this server runs an int8 one"}),
			{status: 501, headers: {"Content-Type": "application/json"}})) :
		window.realFetch(url, init);
	return true;
})()`
	unstub = `(() => { window.fetch = window.realFetch; return true; })()`
)

// checkWhyNotImplemented turns "why?" on while /v1/explain answers 501:
// the page says so in plain words and turns the toggle back off.
func checkWhyNotImplemented(t *testing.T, bctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](stub501)); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Run(bctx, chromedp.Evaluate[bool](unstub))
	err := chromedp.Do(bctx, chromedp.Click(chromedp.ID("why")), chromedp.WaitVisible(chromedp.ID("error")))
	if err != nil {
		t.Fatalf("toggle on with a 501: %v", err)
	}
	st, err := chromedp.Run(bctx, chromedp.Evaluate[heatState](readHeatState))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(st.Error, "This server runs an int8 model, which cannot explain its answers.") ||
		st.Pressed != "false" || st.Crop.Visible || st.Original.Visible {
		t.Errorf("a 501 of /v1/explain: %+v", st)
	}
}
