package weights

import (
	"archive/zip"
	"encoding/binary"
	"hash/crc32"
	"io"
	"math"
	"strconv"

	"github.com/alexnet-go/alexnet/weights/pickle"
)

// zipAlign is the alignment torch's PyTorchStreamWriter gives each
// record's data (caffe2/serialize/inline_container.cc), padding the local
// header's extra field with an "FB" block.
const zipAlign = 64

// WritePTH writes sd as float32 in the zip layout of torch 1.13's
// torch.save: "<archive>/data.pkl" (protocol 2: an OrderedDict of
// _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()) with
// persistent ids ('storage', torch.FloatStorage, "<i>", "cpu", numel)),
// "<archive>/data/<i>" with each tensor's little-endian bytes, and
// "<archive>/version" = "3\n". Entries are stored uncompressed and
// 64-byte aligned. torch.load names no constraint on archive; torch.save
// uses the file's stem. An empty archive becomes "archive".
func WritePTH(w io.Writer, archive string, sd *StateDict) error {
	if err := sd.validate(); err != nil {
		return err
	}
	if archive == "" {
		archive = "archive"
	}
	cw := &counter{w: w}
	zw := zip.NewWriter(cw)
	add := func(name string, data []byte) error {
		if err := zw.Flush(); err != nil {
			return err
		}
		hdrEnd := cw.n + 30 + int64(len(name)) + 4
		pad := int((zipAlign - hdrEnd%zipAlign) % zipAlign)
		extra := make([]byte, 4+pad)
		binary.LittleEndian.PutUint16(extra, 0x4246) // "FB"
		binary.LittleEndian.PutUint16(extra[2:], uint16(pad))
		fw, err := zw.CreateRaw(&zip.FileHeader{
			Name: name, Method: zip.Store, Extra: extra,
			CRC32: crc32.ChecksumIEEE(data), CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data)),
		})
		if err != nil {
			return err
		}
		_, err = fw.Write(data)
		return err
	}
	if err := add(archive+"/data.pkl", statePickle(sd)); err != nil {
		return &Error{Err: err}
	}
	for i, name := range sd.Names {
		if err := add(archive+"/data/"+strconv.Itoa(i), f32Bytes(sd.Tensors[name].Data)); err != nil {
			return tensorErr(name, err)
		}
	}
	if err := add(archive+"/version", []byte("3\n")); err != nil {
		return &Error{Err: err}
	}
	if err := zw.Close(); err != nil {
		return &Error{Err: err}
	}
	return nil
}

// statePickle encodes sd as torch 1.13 pickles a state dict (without the
// _metadata attribute, which load_state_dict does not need).
func statePickle(sd *StateDict) []byte {
	var e pickle.Encoder
	e.Proto(2)
	e.Global("collections", "OrderedDict")
	e.EmptyTuple()
	e.Reduce()
	e.Mark()
	for i, name := range sd.Names {
		t := sd.Tensors[name]
		e.String(name)
		e.Global("torch._utils", "_rebuild_tensor_v2")
		e.Mark()
		e.Mark() // persistent id
		e.String("storage")
		e.Global("torch", "FloatStorage")
		e.String(strconv.Itoa(i))
		e.String("cpu")
		e.Int(int64(len(t.Data)))
		e.Tuple()
		e.BinPersID()
		e.Int(0)
		e.Mark()
		for _, d := range t.Shape {
			e.Int(int64(d))
		}
		e.Tuple()
		e.Mark()
		for _, s := range rowMajor(t.Shape) {
			e.Int(s)
		}
		e.Tuple()
		e.Bool(false)
		e.Global("collections", "OrderedDict")
		e.EmptyTuple()
		e.Reduce()
		e.Tuple()
		e.Reduce()
	}
	e.SetItems()
	e.Stop()
	return e.Bytes()
}

func f32Bytes(data []float32) []byte {
	b := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}
