package dataset

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/alexnet-go/alexnet/weights"
)

// DefaultHubURL is the Hugging Face Hub's address.
const DefaultHubURL = "https://huggingface.co"

// TinyImageNetRepo is the Hugging Face data set of Tiny ImageNet.
const TinyImageNetRepo = "Maysee/tiny-imagenet"

// knownHub lists the parquet files of the splits of data sets whose
// layout is fixed, so that they need no Hub API call.
var knownHub = map[string]map[string][]string{
	TinyImageNetRepo: {
		"valid": {"data/valid-00000-of-00001-70d52db3c749a935.parquet"}, // 10,000 rows
		"train": {"data/train-00000-of-00001-1359597a978bc4fa.parquet"}, // 100,000 rows
	},
}

// openHub opens split of the Hub data set repo ("owner/name"), fetching
// its parquet files into the cache. For repos in knownHub the files are
// fixed ("val" and "validation" mean "valid", the default); for others
// the split's files are listed by the Hub's parquet API,
// GET <hub>/api/datasets/<repo>/parquet/default/<split>, which answers a
// JSON list of URLs (the default split is "validation"). The list is
// cached too, so Offline works for both.
func openHub(ctx context.Context, repo string, opt *Options) (Dataset, error) {
	if !validRepo(repo) {
		return nil, &LayoutError{Path: "hf:" + repo, Msg: "want hf:owner/name"}
	}
	hub := strings.TrimRight(opt.HubURL, "/")
	if hub == "" {
		hub = DefaultHubURL
	}
	cache := opt.CacheDir
	if cache == "" {
		c, err := weights.CacheDir()
		if err != nil {
			return nil, fmt.Errorf("dataset: cache directory: %w", err)
		}
		cache = c
	}
	base := filepath.Join(cache, "datasets", filepath.FromSlash(repo))
	var fallback []string
	if strings.EqualFold(repo, TinyImageNetRepo) {
		fallback = TinyImageNetWNIDs()
	}
	var urls, paths []string
	split := opt.Split
	if known, ok := knownHub[repo]; ok {
		if split == "" || split == "val" || split == "validation" {
			split = "valid"
		}
		ps, ok := known[split]
		if !ok {
			return nil, &LayoutError{Path: "hf:" + repo, Msg: fmt.Sprintf("no split %q (want valid or train)", split)}
		}
		for _, p := range ps {
			urls = append(urls, hub+"/datasets/"+repo+"/resolve/main/"+p)
			paths = append(paths, p)
		}
	} else {
		if split == "" || split == "val" {
			split = "validation"
		}
		if strings.ContainsAny(split, `/\`) || split == "." || split == ".." {
			return nil, &LayoutError{Path: "hf:" + repo, Msg: fmt.Sprintf("bad split %q", split)}
		}
		listURL := hub + "/api/datasets/" + repo + "/parquet/default/" + url.PathEscape(split)
		listFile := filepath.Join(base, "parquet", "default", split+".json")
		if err := fetch(ctx, listURL, listFile, opt); err != nil {
			return nil, err
		}
		b, err := os.ReadFile(listFile)
		if err != nil {
			return nil, fmt.Errorf("dataset: %w", err)
		}
		if err := json.Unmarshal(b, &urls); err != nil || len(urls) == 0 {
			return nil, &FormatError{File: listFile, Msg: fmt.Sprintf("want a JSON list of parquet URLs from %s", listURL)}
		}
		for i, u := range urls {
			p := path.Base(u)
			if _, after, ok := strings.Cut(u, "/api/datasets/"+repo+"/parquet/"); ok {
				p = "parquet/" + after
			} else {
				p = "parquet/default/" + split + "/" + fmt.Sprint(i) + "-" + p
			}
			paths = append(paths, p)
		}
	}
	var files []string
	for i, p := range paths {
		if !cleanRelPath(p) || !strings.HasSuffix(p, ".parquet") {
			return nil, &LayoutError{Path: urls[i], Msg: "not a parquet file path"}
		}
		dst := filepath.Join(base, filepath.FromSlash(p))
		if err := fetch(ctx, urls[i], dst, opt); err != nil {
			return nil, err
		}
		files = append(files, dst)
	}
	return openParquet(fmt.Sprintf("%s (%s)", repo, split), files, fallback)
}

// fetch makes sure dst holds url's content: a cached file is reused,
// else it is downloaded unless opt.Offline.
func fetch(ctx context.Context, url, dst string, opt *Options) error {
	if isFile(dst) {
		return nil
	}
	if opt.Offline {
		return &OfflineError{File: dst, URL: url}
	}
	dopt := &weights.DownloadOptions{Client: opt.Client}
	if opt.OnProgress != nil {
		name := filepath.Base(dst)
		dopt.OnProgress = func(done, total int64) { opt.OnProgress(name, done, total) }
	}
	err := weights.Download(ctx, url, dst, "", dopt)
	if err != nil {
		return fmt.Errorf("dataset: %w", err)
	}
	return nil
}

// validRepo reports whether repo is "owner/name" in the Hub's characters.
func validRepo(repo string) bool {
	owner, name, ok := strings.Cut(repo, "/")
	return ok && validName(owner) && validName(name)
}

func validName(s string) bool {
	if s == "" || s == "." || s == ".." || len(s) > 96 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// cleanRelPath reports whether p is a relative slash path without empty,
// "." or ".." segments or odd characters.
func cleanRelPath(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if !validName(seg) {
			return false
		}
	}
	return true
}
