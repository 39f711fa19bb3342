#!/usr/bin/env bash
# Regenerates onnx.pb.go from onnx.proto (see README.md). Run by
# `go generate` in this directory.
set -euo pipefail
want="libprotoc 3.21.12"
if [ "$(protoc --version 2>/dev/null)" != "$want" ]; then
  echo "gen.sh: need protoc \"$want\" (Debian: apt-get install protobuf-compiler), have \"$(protoc --version 2>&1 || true)\"" >&2
  exit 1
fi
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
# protoc-gen-go at the version go.mod pins.
go build -o "$bin/protoc-gen-go" google.golang.org/protobuf/cmd/protoc-gen-go
protoc --plugin=protoc-gen-go="$bin/protoc-gen-go" --go_out=. --go_opt=paths=source_relative \
  --go_opt=Monnx.proto=github.com/alexnet-go/alexnet/weights/onnxpb onnx.proto
