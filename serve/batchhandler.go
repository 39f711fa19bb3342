package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sync"
	"time"
)

// handleBatch answers POST /v1/classify/batch: a multipart/form-data body
// whose parts named "image" are the images. Each image is admitted as it
// is read and classified concurrently with the others, so that they can
// share forward passes.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	top, ok := s.postTop(w, r)
	if !ok {
		return
	}
	mr, err := s.multipartBody(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	b := &multiRequest{s: s, ctx: ctx, top: top}
	if err := b.readParts(mr); err != nil { // stop the others, wait for them, answer err
		cancel()
		b.wg.Wait()
		writeError(w, err)
		return
	}
	b.wg.Wait()
	if len(b.items) == 0 {
		writeError(w, &Error{Status: http.StatusBadRequest, Msg: `the form has no field named "image"`})
		return
	}
	results := make([]BatchResult, len(b.items))
	for i, it := range b.items {
		results[i] = *it
	}
	writeJSON(w, http.StatusOK, BatchResponse{Results: results, Model: s.opt.Model, Ms: ms(time.Since(start))})
}

// multipartBody checks that r's body is multipart/form-data and returns a
// reader of its parts, within the body limit.
func (s *Server) multipartBody(w http.ResponseWriter, r *http.Request) (*multipart.Reader, error) {
	mt, params, err := mediaType(r)
	if err == nil && mt != "multipart/form-data" {
		err = notImage(mt, `multipart/form-data with one field "image" per image`)
	}
	if err != nil {
		return nil, err
	}
	body, err := s.bodyReader(w, r)
	if err != nil {
		return nil, err
	}
	return multipartReader(body, params)
}

// multiRequest is one POST /v1/classify/batch: the images read so far,
// each classified on its own goroutine.
type multiRequest struct {
	s     *Server
	ctx   context.Context // ends the classifications when the request fails
	top   int
	items []*BatchResult // each written by its own goroutine until wg.Wait
	wg    sync.WaitGroup
}

// readParts reads the parts of mr to the end, starting the classification
// of each image part. It returns the first error that fails the request;
// the caller must then stop the classifications already started.
func (b *multiRequest) readParts(mr *multipart.Reader) error {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return readError(err)
		}
		if p.FormName() != imageField {
			continue
		}
		if err := b.start(p); err != nil {
			return err
		}
	}
}

// start admits the image of part p, reads it and classifies it on a new
// goroutine; it refuses an image beyond MaxImages.
func (b *multiRequest) start(p *multipart.Part) error {
	if len(b.items) == b.s.opt.MaxImages {
		return &Error{Status: http.StatusRequestEntityTooLarge,
			Msg: fmt.Sprintf("more than %d images in one request", b.s.opt.MaxImages)}
	}
	release, err := b.s.tryAdmit()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(p)
	if err != nil {
		release()
		return readError(err)
	}
	it := &BatchResult{Name: p.FileName()}
	b.items = append(b.items, it)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer release()
		b.classify(it, data)
	}()
	return nil
}

// classify classifies one image of the request into it: its top classes,
// or the status and message of its error.
func (b *multiRequest) classify(it *BatchResult, data []byte) {
	c, err := b.s.classify(b.ctx, data, it.Name, b.top, false)
	b.s.countImage(err)
	if err != nil {
		e := asError(err)
		it.Status, it.Error = e.Status, e.Msg
		return
	}
	it.Status, it.Top, it.Batch = http.StatusOK, c.top, c.info.Size
}
