package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"net/http"
	"strings"
)

// badRequest is one kind of request the server must refuse.
type badRequest struct {
	method, path, contentType string
	body                      []byte
	want                      int
}

// badRequests sends n bad requests, a mix of every kind, checks each
// status, and prints the server's RSS (its process_resident_memory_bytes)
// before and after, and whether /healthz still answers.
func (c *client) badRequests(n int) error {
	kinds := badKinds(c.images[0])
	before, err := c.scrape()
	if err != nil {
		return err
	}
	wrong := map[string]int{}
	for i := range n {
		k := kinds[i%len(kinds)]
		req, _ := http.NewRequest(k.method, c.base+k.path, bytes.NewReader(k.body))
		if k.contentType != "" {
			req.Header.Set("Content-Type", k.contentType)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != k.want {
			wrong[fmt.Sprintf("%s %s: %d, want %d", k.method, k.path, resp.StatusCode, k.want)]++
		}
	}
	after, err := c.scrape()
	if err != nil {
		return err
	}
	health := "down"
	if resp, err := c.http.Get(c.base + "/healthz"); err == nil {
		resp.Body.Close()
		health = resp.Status
	}
	fmt.Printf("\n%d bad requests (%d kinds: 400, 404, 405, 413, 415, 422): %d with a wrong status\n", n, len(kinds), len(wrong))
	for w, k := range wrong {
		fmt.Printf("  %dx %s\n", k, w)
	}
	fmt.Printf("server RSS %.1f MB before, %.1f MB after (%+.1f%%); /healthz: %s\n",
		before.rss/1e6, after.rss/1e6, 100*(after.rss-before.rss)/before.rss, health)
	if len(wrong) > 0 {
		return fmt.Errorf("%d kinds of bad request got the wrong status", len(wrong))
	}
	return nil
}

func badKinds(photo []byte) []badRequest {
	bomb := hugePNG(50000, 50000)
	return []badRequest{
		{"POST", "/v1/classify", "image/jpeg", photo[:len(photo)/2], 400},
		{"POST", "/v1/classify?top=0", "image/jpeg", photo, 400},
		{"GET", "/v1/classify", "", nil, 405},
		{"POST", "/nowhere", "", nil, 404},
		{"POST", "/v1/classify", "text/plain", []byte(strings.Repeat("not an image ", 100)), 415},
		{"POST", "/v1/classify", "image/png", []byte("<svg/> or any text"), 415},
		{"POST", "/v1/classify", "image/png", bomb, 422},
		{"POST", "/v1/classify", "image/jpeg", make([]byte, 33<<20), 413}, // over the default 32 MiB
	}
}

// hugePNG is a small valid PNG whose header claims w×h pixels.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2)))
	d := b.Bytes()
	binary.BigEndian.PutUint32(d[16:], w)
	binary.BigEndian.PutUint32(d[20:], h)
	binary.BigEndian.PutUint32(d[29:], crc32.ChecksumIEEE(d[12:29]))
	return d
}
