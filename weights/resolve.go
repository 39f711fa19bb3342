package weights

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
)

// ResolveOptions configure Resolve. A nil *ResolveOptions means the
// official weights, downloading allowed, no progress reports.
type ResolveOptions struct {
	Offline bool // never download
	// URL, FileName and SHA256Prefix default to OfficialURL,
	// OfficialFile and OfficialSHA256Prefix. With another URL, FileName
	// defaults to the URL's last element and an empty SHA256Prefix skips
	// the check.
	URL          string
	FileName     string
	SHA256Prefix string
	Client       *http.Client
	// OnProgress, when set, is called as the download proceeds (see
	// DownloadOptions).
	OnProgress func(done, total int64)
	// Explicit says, in messages, what gives Resolve's explicit path
	// (e.g. "the --weights flag"); empty means "an explicit path".
	Explicit string
}

// NotFoundError reports that no weights file was found and none could be
// downloaded. Its message says where to put the file.
type NotFoundError struct {
	File      string // file name, e.g. alexnet-owt-7be5be79.pth
	URL       string
	CachePath string // our cache path for File
	TorchPath string // torch's cache path for File
	Explicit  string // what gives an explicit path (ResolveOptions.Explicit)
	Err       error  // why downloading failed; nil when offline
}

func (e *NotFoundError) Error() string {
	why := "downloading is off"
	if e.Err != nil {
		why = "download failed: " + e.Err.Error()
	}
	return fmt.Sprintf("weights: %s not found and %s.\n"+
		"Download it from %s\n"+
		"and put it at %s\n"+
		"(or at %s, torch's cache),\n"+
		"or give its path with %s or the %s environment variable.",
		e.File, why, e.URL, e.CachePath, e.TorchPath, explicitOr(e.Explicit), EnvWeights)
}

func (e *NotFoundError) Unwrap() error { return e.Err }

// Resolve returns the path of the weights file to use, trying in order:
//  1. explicit (a path the caller was given, e.g. by a flag), which must
//     exist;
//  2. $ALEXNET_WEIGHTS, which must exist;
//  3. CacheDir()/FileName;
//  4. TorchCacheDir()/FileName (a file torchvision already downloaded);
//  5. a download from URL into CacheDir()/FileName, unless opt.Offline.
//
// When nothing is found and downloading is off or fails, the error is a
// *NotFoundError saying where to put the file.
func Resolve(ctx context.Context, explicit string, opt *ResolveOptions) (string, error) {
	var o ResolveOptions
	if opt != nil {
		o = *opt
	}
	if o.URL == "" {
		o.URL = OfficialURL
		if o.SHA256Prefix == "" {
			o.SHA256Prefix = OfficialSHA256Prefix
		}
	}
	if o.FileName == "" {
		o.FileName = path.Base(o.URL)
	}
	if explicit != "" {
		return existing(explicit, "given with "+explicitOr(o.Explicit))
	}
	if p := os.Getenv(EnvWeights); p != "" {
		return existing(p, "named by $"+EnvWeights)
	}
	cacheDir, err := CacheDir()
	if err != nil {
		return "", fmt.Errorf("weights: no cache directory (set $%s): %w", EnvHome, err)
	}
	cachePath := filepath.Join(cacheDir, o.FileName)
	if isFile(cachePath) {
		return cachePath, nil
	}
	torchPath := "~/.cache/torch/hub/checkpoints/" + o.FileName
	if d, err := TorchCacheDir(); err == nil {
		torchPath = filepath.Join(d, o.FileName)
		if isFile(torchPath) {
			return torchPath, nil
		}
	}
	nf := &NotFoundError{File: o.FileName, URL: o.URL, CachePath: cachePath, TorchPath: torchPath, Explicit: o.Explicit}
	if o.Offline {
		return "", nf
	}
	err = Download(ctx, o.URL, cachePath, o.SHA256Prefix, &DownloadOptions{Client: o.Client, OnProgress: o.OnProgress})
	if err != nil {
		nf.Err = err
		return "", nf
	}
	return cachePath, nil
}

// explicitOr is explicit, or "an explicit path" when it is empty.
func explicitOr(explicit string) string {
	if explicit == "" {
		return "an explicit path"
	}
	return explicit
}

// existing returns p if it is a regular file.
func existing(p, how string) (string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("weights %s (%s): file does not exist", p, how)
		}
		return "", fmt.Errorf("weights %s (%s): %w", p, how, err)
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("weights %s (%s): not a regular file", p, how)
	}
	return p, nil
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
