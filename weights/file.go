package weights

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Load reads the weights file at path: a .pth in either torch.save layout,
// a safetensors file or an ONNX model (see ReadONNX), told apart by their
// first bytes, except that a name ending in ".onnx" is always read as
// ONNX. Errors are *Error values naming path.
func Load(path string, opt *Options) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, withFile(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, withFile(path, err)
	}
	var head [9]byte
	n, _ := f.ReadAt(head[:], 0)
	var sd *StateDict
	switch {
	case strings.EqualFold(filepath.Ext(path), ".onnx"):
		sd, err = ReadONNX(f, fi.Size(), onnxOptions(opt, path))
	// safetensors first: its header length's low byte may be 0x80, a
	// pickle's first byte; a pickle's ninth byte is never '{' (it lies
	// in the legacy magic number).
	case n == 9 && head[8] == '{':
		sd, err = ReadSafetensors(f, fi.Size(), opt)
	case n >= 4 && string(head[:4]) == "PK\x03\x04", n >= 1 && head[0] == 0x80:
		sd, err = ReadPTH(f, fi.Size(), opt)
	// ModelProto's field 1, ir_version, which torch.onnx.export and
	// onnx.save write first.
	case n >= 1 && head[0] == 0x08:
		sd, err = ReadONNX(f, fi.Size(), onnxOptions(opt, path))
	default:
		err = errorf("neither a torch.save file, safetensors nor ONNX")
	}
	if err != nil {
		return nil, withFile(path, err)
	}
	return sd, nil
}

// onnxOptions is opt with ONNXDir the folder of path, unless set.
func onnxOptions(opt *Options, path string) *Options {
	o := Options{}
	if opt != nil {
		o = *opt
	}
	if o.ONNXDir == "" {
		o.ONNXDir = filepath.Dir(path)
	}
	return &o
}

// Save writes sd to path as safetensors (see WriteSafetensors) if path
// ends in ".safetensors", else as a torch 1.13 zip .pth whose archive folder is
// the file's stem, as torch.save names it. It writes a temporary file in
// the same directory and renames it over path.
func Save(path string, sd *StateDict) error {
	if err := sd.validate(); err != nil {
		return withFile(path, err)
	}
	return withFile(path, writeAtomic(path, func(w io.Writer) error {
		if strings.HasSuffix(path, ".safetensors") {
			return WriteSafetensors(w, sd)
		}
		return WritePTH(w, archiveName(path), sd)
	}))
}

// SaveONNX writes sd as the ONNX model e describes (see WriteONNX) to
// path, through a temporary file renamed over it.
func SaveONNX(path string, sd *StateDict, e ONNXExport) error {
	return withFile(path, writeAtomic(path, func(w io.Writer) error { return WriteONNX(w, sd, e) }))
}

// archiveName is the file's stem restricted to [A-Za-z0-9_.-], or
// "archive".
func archiveName(path string) string {
	base := filepath.Base(path)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	ok := stem != "" && stem != "." && stem != ".."
	for _, r := range stem {
		if !(r == '_' || r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			ok = false
		}
	}
	if !ok {
		return "archive"
	}
	return stem
}

// writeAtomic lets write fill a temporary file next to path (through a
// buffer), syncs it and renames it to path; on error it removes it.
func writeAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
