package eval

import (
	"bytes"
	"fmt"
	"html"
	"html/template"
	"os"
	"path/filepath"
	"slices"
)

// WriteReport writes dir/report.html, a self-contained page (inline SVG
// charts, thumbnails as data: URIs, no external resources) with the
// summary, per-class accuracy bars, the most confused class pairs and the
// files that failed, and dir/summary.json (WriteJSON). dir is created if
// needed.
func WriteReport(dir string, s *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var j bytes.Buffer
	if err := WriteJSON(&j, s); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), j.Bytes(), 0o644); err != nil {
		return err
	}
	var h bytes.Buffer
	err := reportTmpl.Execute(&h, map[string]any{
		"S":         s,
		"Data":      describe(s),
		"Over":      argmaxOver(s),
		"Top1":      fmt.Sprintf("%.2f%%", 100*s.Top1),
		"Top5":      fmt.Sprintf("%.2f%%", 100*s.Top5),
		"Top1Err":   fmt.Sprintf("%.2f%%", 100*(1-s.Top1)),
		"Top5Err":   fmt.Sprintf("%.2f%%", 100*(1-s.Top5)),
		"Speed":     fmt.Sprintf("%.1f", s.ImagesPerSec),
		"ClassSVG":  classChart(s.PerClass),
		"ConfusSVG": confusionChart(s.Confusions),
	})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "report.html"), h.Bytes(), 0o644)
}

// classChart draws one row per class, sorted by top-1 (worst first): a
// light bar for top-5 behind a dark one for top-1.
func classChart(per []ClassStats) template.HTML {
	if len(per) == 0 {
		return ""
	}
	cs := slices.Clone(per)
	slices.SortStableFunc(cs, func(a, b ClassStats) int {
		if c := cmpF(a.Top1, b.Top1); c != 0 {
			return c
		}
		return cmpF(a.Top5, b.Top5)
	})
	const row, label, width = 14, 260, 400
	h := row*len(cs) + 30
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`, label+width+70, h)
	for _, x := range []float64{0, 0.25, 0.5, 0.75, 1} {
		px := label + int(x*width)
		fmt.Fprintf(&b, `<line x1="%d" y1="0" x2="%d" y2="%d" stroke="#ddd"/><text x="%d" y="%d" text-anchor="middle">%d%%</text>`,
			px, px, h-20, px, h-6, int(100*x))
	}
	for i, c := range cs {
		y := i * row
		fmt.Fprintf(&b, `<g><title>%s</title>`, esc(fmt.Sprintf("%s %s: top-1 %.1f%%, top-5 %.1f%% of %d", c.WNID, c.Name, 100*c.Top1, 100*c.Top5, c.Images)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, label-6, y+11, esc(c.WNID+" "+c.Name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#9ecae1"/>`, label, y+2, c.Top5*width, row-3)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#3182bd"/>`, label, y+2, c.Top1*width, row-3)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%.0f%%</text></g>`, label+width+6, y+11, 100*c.Top1)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// confusionChart draws one row per confused pair: a bar for its count,
// the pair's names and the example thumbnails.
func confusionChart(cs []*Confusion) template.HTML {
	if len(cs) == 0 {
		return ""
	}
	const row, label, width = ThumbSize + 10, 360, 200
	most := cs[0].Count
	thumbs := 0
	for _, c := range cs {
		thumbs = max(thumbs, len(c.Examples))
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">`,
		label+width+40+thumbs*(ThumbSize+4), row*len(cs))
	for i, c := range cs {
		y := i * row
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`, label-6, y+row/2-2, esc(fmt.Sprintf("%s %s", c.TrueWNID, c.TrueName)))
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="#a50f15">→ %s</text>`, label-6, y+row/2+12, esc(fmt.Sprintf("%d %s", c.PredIndex, c.PredName)))
		w := float64(c.Count) / float64(most) * width
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="#de2d26"/><text x="%.1f" y="%d">%d</text>`,
			label, y+row/2-10, w, 16, float64(label)+w+4, y+row/2+3, c.Count)
		for k, e := range c.Examples {
			x := label + width + 40 + k*(ThumbSize+4)
			if e.Thumb == "" {
				continue
			}
			fmt.Fprintf(&b, `<image x="%d" y="%d" width="%d" height="%d" href="%s"><title>%s</title></image>`,
				x, y+4, ThumbSize, ThumbSize, e.Thumb, esc(e.Name))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func esc(s string) string { return html.EscapeString(s) }

var reportTmpl = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>alexnet eval: {{.Data}}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:72em}
table{border-collapse:collapse}td,th{padding:.2em .8em;text-align:left;border-bottom:1px solid #eee}
.num{text-align:right}.bad{color:#a50f15}
</style></head><body>
<h1>alexnet eval</h1>
<table>
<tr><th>data</th><td>{{.Data}}</td></tr>
<tr><th>model</th><td>{{.S.Arch}} {{.S.Weights}}</td></tr>
<tr><th>test-time augmentation</th><td>{{.S.TTA}}</td></tr>
<tr><th>images</th><td>{{.S.Images}} read, {{.S.Classified}} classified, {{len .S.Errors}} failed, {{.S.Unmapped}} of unmapped classes, {{.S.Unlabeled}} unlabelled</td></tr>
<tr><th>top-1</th><td>{{.Top1}} (error {{.Top1Err}}), {{.S.Top1Correct}} of {{.S.Scored}}</td></tr>
<tr><th>top-5</th><td>{{.Top5}} (error {{.Top5Err}}), {{.S.Top5Correct}} of {{.S.Scored}}</td></tr>
<tr><th>speed</th><td>{{.Speed}} images/s, encoded bytes to predictions</td></tr>
</table>
<p>Accuracy is over the {{.S.Scored}} images that were classified and whose class maps to an ImageNet-1k index;
the top-k is taken over {{.Over}}.</p>
{{if .S.UnmappedClasses}}<p>Classes with no ImageNet-1k wnid ({{len .S.UnmappedClasses}}; their images are not scored):
{{range $i, $c := .S.UnmappedClasses}}{{if $i}}, {{end}}{{$c}}{{end}}</p>{{end}}
<h2>Accuracy per class</h2>
<p>Dark: top-1; light: top-5. Worst first.</p>
{{.ClassSVG}}
<h2>Most confused pairs</h2>
{{if .S.Confusions}}<p>True class → top-1 prediction, with the number of images and examples.</p>
{{.ConfusSVG}}{{else}}<p>No top-1 mistakes.</p>{{end}}
<h2>Files that failed ({{len .S.Errors}})</h2>
{{if .S.Errors}}<table><tr><th>file</th><th>error</th></tr>
{{range .S.Errors}}<tr><td>{{.Name}}</td><td class="bad">{{.Error}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
</body></html>
`))
