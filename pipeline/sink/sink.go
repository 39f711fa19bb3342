// Package sink writes the pipeline's rows as JSON Lines shards,
// PREFIX-SSSSS-of-NNNNN.jsonl, so that retries neither lose nor
// duplicate a row.
//
// A row goes to the shard its key hashes to; after a GroupByKey one call
// writes each shard whole, its rows sorted, to a temporary file that is
// then renamed into place. A shard's content is a function of the rows
// alone: a runner that retries the writing bundle, or a job that is run
// again (prism does not retry bundles: see package runner), writes the
// same bytes under the same name, and the rows of a failed upstream
// bundle never reach it, since runners discard a failed bundle's
// output. Every shard is written, empty ones too.
package sink

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"reflect"
	"slices"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/alexnet-go/alexnet/pipeline/elem"
)

func init() {
	beam.RegisterType(reflect.TypeOf((*Written)(nil)).Elem())
	register.DoFn2x0[elem.Line, func(int, elem.Line)](&shardFn{})
	register.DoFn2x0[[]byte, func(int, elem.Line)](&markFn{})
	register.DoFn4x1[context.Context, int, func(*elem.Line) bool, func(Written), error](&writeFn{})
	register.Emitter2[int, elem.Line]()
	register.Emitter1[Written]()
	register.Iter1[elem.Line]()
}

// Written is one shard file the sink wrote and its number of rows.
type Written struct {
	Path string
	Rows int
}

// ShardName is the name of shard i of n under prefix.
func ShardName(prefix string, i, n int) string {
	return fmt.Sprintf("%s-%05d-of-%05d.jsonl", prefix, i, n)
}

// Write writes lines into shards files named by ShardName and returns
// a PCollection of Written, one per shard.
func Write(s beam.Scope, prefix string, shards int, lines beam.PCollection) beam.PCollection {
	s = s.Scope("sink.Write")
	shards = max(shards, 1)
	keyed := beam.ParDo(s, &shardFn{Shards: shards}, lines)
	marks := beam.ParDo(s, &markFn{Shards: shards}, beam.Impulse(s))
	grouped := beam.GroupByKey(s, beam.Flatten(s, keyed, marks))
	return beam.ParDo(s, &writeFn{Prefix: prefix, Shards: shards}, grouped)
}

// shardFn keys a line by its shard: the FNV-1a hash of its key.
type shardFn struct{ Shards int }

func (fn *shardFn) ProcessElement(l elem.Line, emit func(int, elem.Line)) {
	h := fnv.New32a()
	h.Write([]byte(l.Key))
	emit(int(h.Sum32()%uint32(fn.Shards)), l)
}

// markFn emits an empty line for every shard, so that empty shards are
// written too.
type markFn struct{ Shards int }

func (fn *markFn) ProcessElement(_ []byte, emit func(int, elem.Line)) {
	for i := range fn.Shards {
		emit(i, elem.Line{})
	}
}

// writeFn writes one shard, atomically where the file system renames.
type writeFn struct {
	Prefix string
	Shards int
}

func (fn *writeFn) ProcessElement(ctx context.Context, shard int, iter func(*elem.Line) bool, emit func(Written)) error {
	var lines []elem.Line
	var l elem.Line
	for iter(&l) {
		if l.Text != "" {
			lines = append(lines, l)
		}
	}
	slices.SortFunc(lines, func(a, b elem.Line) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Text, b.Text)
	})
	path := ShardName(fn.Prefix, shard, fn.Shards)
	if err := writeAtomic(ctx, path, func(w *bufio.Writer) error {
		for _, l := range lines {
			w.WriteString(l.Text)
			w.WriteByte('\n')
		}
		return nil
	}); err != nil {
		return err
	}
	emit(Written{Path: path, Rows: len(lines)})
	return nil
}

// writeAtomic writes path through a temporary file beside it that is
// renamed into place (filesystem.Rename: a copy and delete where the
// file system cannot rename; object stores make a written object
// appear whole anyway).
func writeAtomic(ctx context.Context, path string, write func(*bufio.Writer) error) error {
	fs, err := filesystem.New(ctx, path)
	if err != nil {
		return fmt.Errorf("sink %s: %w", path, err)
	}
	defer fs.Close()
	var r [8]byte
	rand.Read(r[:])
	tmp := path + ".tmp-" + hex.EncodeToString(r[:])
	wc, err := fs.OpenWrite(ctx, tmp)
	if err != nil {
		return fmt.Errorf("sink %s: %w", path, err)
	}
	w := bufio.NewWriterSize(wc, 1<<20)
	err = write(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := wc.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = filesystem.Rename(ctx, fs, tmp, path)
	}
	if err != nil {
		if rm, ok := fs.(filesystem.Remover); ok {
			rm.Remove(ctx, tmp)
		}
		return fmt.Errorf("sink %s: %w", path, err)
	}
	return nil
}

// WriteFile writes data to path atomically, as the shards are written.
func WriteFile(ctx context.Context, path string, data []byte) error {
	return writeAtomic(ctx, path, func(w *bufio.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
