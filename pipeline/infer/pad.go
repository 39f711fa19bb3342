package infer

import (
	"bytes"
	"image"
	"image/png"

	"github.com/alexnet-go/alexnet/predict"
)

// padName names the padding inputs; no file or parquet row has it.
const padName = "\x00alexnet-pipeline padding"

// padImage is the padding image: a 1×1 grey PNG, which always decodes.
var padImage = func() []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		panic(err)
	}
	return b.Bytes()
}()

// pad sends n padding images after the bundle's inputs, so that the
// bundle's last real images are in a full batch (RunSource flushes a
// batch when it holds Batch images that decoded). The padding that is
// left over runs in a batch of its own, whose results collect drops.
func (b *bundle) pad(n int) error {
	for range n {
		select {
		case b.in <- predict.Input{Name: padName, Data: padImage, Label: -1}:
		case err := <-b.done:
			return err
		}
	}
	return nil
}
