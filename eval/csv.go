package eval

import (
	"encoding/csv"
	"io"
	"strconv"
)

// PredictionsHeader is the header row of the predictions CSV.
var PredictionsHeader = []string{"file", "label_index", "label_wnid", "top1", "top2", "top3", "top4", "top5"}

// WritePredictionsHeader writes the header line of the predictions CSV.
// Each later row (one per classified image; failed ones are only in
// Summary.Errors) holds the sample's name, its label's ImageNet-1k index
// (-1 when unlabelled or unmapped), its data set class id ("" when
// unlabelled) and the five best ImageNet-1k indices, best first (fewer
// with Restrict over fewer than five classes).
func WritePredictionsHeader(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(PredictionsHeader)
	cw.Flush()
	return cw.Error()
}

func writePrediction(w io.Writer, name string, m LabelMap, label int, top []int) error {
	row := make([]string, 3, 8)
	row[0] = name
	row[1] = strconv.Itoa(m.Index(label))
	if label >= 0 && label < len(m.Classes) {
		row[2] = m.Classes[label]
	}
	for _, i := range top {
		row = append(row, strconv.Itoa(i))
	}
	for len(row) < 8 {
		row = append(row, "")
	}
	cw := csv.NewWriter(w)
	cw.Write(row)
	cw.Flush()
	return cw.Error()
}
