package weights

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/alexnet-go/alexnet/weights/pickle"
)

// maxDeflateRatio is deflate's largest expansion; a compressed storage
// entry claiming more is rejected before anything is allocated.
const maxDeflateRatio = 1032

// readZip reads the zip layout of torch.save (torch/serialization.py
// _save, read by _load): "<archive>/data.pkl" is the pickle, whose
// persistent ids ('storage', class, key, location, numel) name
// "<archive>/data/<key>". The archive folder is the saved file's stem, so
// any single top-level name is accepted. An optional "<archive>/byteorder"
// (written by torch >= 2.1) must say "little".
func readZip(r io.ReaderAt, size int64, opt *Options) (*StateDict, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{Err: FormatError("bad zip archive: " + err.Error())}
	}
	files := map[string]*zip.File{}
	prefix := ""
	for _, f := range zr.File {
		files[f.Name] = f
		if dir, ok := strings.CutSuffix(f.Name, "/data.pkl"); ok && !strings.Contains(dir, "/") {
			if prefix != "" {
				return nil, errorf("zip archive has two data.pkl files")
			}
			prefix = dir + "/"
		}
	}
	if prefix == "" {
		return nil, errorf("zip archive has no <archive>/data.pkl")
	}
	if f := files[prefix+"byteorder"]; f != nil {
		b, err := readEntry(f, 16)
		if err != nil {
			return nil, err
		}
		if s := string(b); s != "little" {
			return nil, &Error{Err: UnsupportedError(fmt.Sprintf("byte order %q", s))}
		}
	}
	pkl := files[prefix+"data.pkl"]
	rc, err := pkl.Open()
	if err != nil {
		return nil, errorf("data.pkl: %v", err)
	}
	defer rc.Close()
	st := storages{}
	v, err := pickle.Load(bufio.NewReader(rc), st.pickleOptions(opt.pickleLimits()))
	if err != nil {
		return nil, &Error{Err: err}
	}
	entries, err := tensorEntries(v)
	if err != nil {
		return nil, err
	}
	return build(entries, opt, func(s *storageRef) ([]byte, error) {
		f := files[prefix+"data/"+s.key]
		if f == nil {
			return nil, FormatError(fmt.Sprintf("storage %q: no entry data/%s in the archive", s.key, s.key))
		}
		need := s.numel * int64(s.dtype.Size())
		if f.UncompressedSize64 < uint64(need) {
			return nil, FormatError(fmt.Sprintf("storage too short: data/%s has %d bytes, need %d", s.key, f.UncompressedSize64, need))
		}
		return readEntry(f, need)
	})
}

// readEntry reads the first n bytes of a zip entry (all of it if it is
// shorter), after checking that a stored entry lies inside the archive
// and that a compressed one could expand to n bytes.
func readEntry(f *zip.File, n int64) ([]byte, error) {
	if int64(f.UncompressedSize64) < n {
		n = int64(f.UncompressedSize64)
	}
	if f.Method == zip.Store && f.CompressedSize64 != f.UncompressedSize64 ||
		f.Method != zip.Store && f.CompressedSize64 < uint64(n)/maxDeflateRatio {
		return nil, FormatError(fmt.Sprintf("zip entry %s: sizes %d and %d do not match", f.Name, f.CompressedSize64, f.UncompressedSize64))
	}
	rc, err := f.Open()
	if err != nil {
		return nil, FormatError(fmt.Sprintf("zip entry %s: %v", f.Name, err))
	}
	defer rc.Close()
	b, err := readFull(rc, n)
	if err != nil {
		return nil, FormatError(fmt.Sprintf("zip entry %s: %v", f.Name, err))
	}
	return b, nil
}
