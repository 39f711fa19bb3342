package weights

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math/big"

	"github.com/alexnet-go/alexnet/weights/pickle"
)

// legacyMagic and legacyProtocol are MAGIC_NUMBER and PROTOCOL_VERSION of
// torch/serialization.py.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

const legacyProtocol = 1001

// readLegacy reads the format of torch.save(...,
// _use_new_zipfile_serialization=False) (_legacy_save / _legacy_load):
// pickles of MAGIC_NUMBER, PROTOCOL_VERSION and sys_info, the object
// (persistent ids ('storage', class, key, location, numel,
// view_metadata)), the list of storage keys, then for each key in that
// order an int64 element count and the storage's bytes. The older tar
// layout is not supported.
func readLegacy(r io.ReaderAt, size int64, opt *Options) (*StateDict, error) {
	cr := &counter{r: io.NewSectionReader(r, 0, size)}
	br := bufio.NewReader(cr)
	plain := &pickle.Options{Limits: pickle.Limits{MaxInput: 1 << 16}}
	magic, err := pickle.Load(br, plain)
	if m, ok := magic.(*big.Int); err != nil || !ok || m.Cmp(legacyMagic) != 0 {
		return nil, errorf("not a torch.save file: no zip header and no legacy magic number")
	}
	if v, err := pickle.Load(br, plain); err != nil || v != int64(legacyProtocol) {
		return nil, &Error{Err: UnsupportedError(fmt.Sprintf("legacy protocol version (want %d)", legacyProtocol))}
	}
	info, err := pickle.Load(br, plain)
	if err != nil {
		return nil, errorf("sys_info: %v", err)
	}
	if d, ok := info.(*pickle.Dict); ok {
		if le, ok := d.Get("little_endian"); ok && le != true {
			return nil, &Error{Err: UnsupportedError("big-endian legacy file")}
		}
	}
	st := storages{}
	v, err := pickle.Load(br, st.pickleOptions(opt.pickleLimits()))
	if err != nil {
		return nil, &Error{Err: err}
	}
	entries, err := tensorEntries(v)
	if err != nil {
		return nil, err
	}
	keysV, err := pickle.Load(br, &pickle.Options{Limits: opt.pickleLimits()})
	if err != nil {
		return nil, errorf("storage key list: %v", err)
	}
	keys, ok := keysV.(*pickle.List)
	if !ok {
		return nil, errorf("storage key list is a %s", pickle.TypeName(keysV))
	}
	data := map[string][]byte{}
	for _, kv := range keys.Items {
		key, ok := kv.(string)
		if !ok || st[key] == nil {
			return nil, errorf("storage key list names a storage the pickle does not use")
		}
		if _, dup := data[key]; dup {
			return nil, errorf("storage %q listed twice", key)
		}
		var n [8]byte
		if _, err := io.ReadFull(br, n[:]); err != nil {
			return nil, errorf("storage %q: missing element count", key)
		}
		numel := int64(binary.LittleEndian.Uint64(n[:]))
		left := size - (cr.n - int64(br.Buffered()))
		if numel < 0 || numel > left/int64(st[key].dtype.Size()) {
			return nil, errorf("storage %q: %d elements do not fit in the %d bytes left", key, numel, left)
		}
		if data[key], err = readFull(br, numel*int64(st[key].dtype.Size())); err != nil {
			return nil, errorf("storage %q: %v", key, err)
		}
	}
	return build(entries, opt, func(s *storageRef) ([]byte, error) {
		b, ok := data[s.key]
		if !ok {
			return nil, FormatError(fmt.Sprintf("storage %q is not in the file", s.key))
		}
		if need := s.numel * int64(s.dtype.Size()); int64(len(b)) < need {
			return nil, FormatError(fmt.Sprintf("storage too short: %d bytes, need %d", len(b), need))
		}
		return b, nil
	})
}
