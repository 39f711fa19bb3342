#!/usr/bin/env bash
# serverss.sh: peak resident memory (VmHWM) of `alexnet serve` after
# classifying images one request at a time.
#
#   scripts/serverss.sh [-n IMAGES] [-d IMAGE_DIR] -- SERVE_ARGS...
#   scripts/serverss.sh -- --weights q.safetensors --precision int8
#   scripts/serverss.sh -- --weights model.safetensors
#
# It builds the command, starts it on a free local port with SERVE_ARGS,
# waits for /readyz, POSTs IMAGES (20) JPEGs of IMAGE_DIR (Tiny ImageNet's
# validation images under ../shared/data) to /v1/classify one at a time,
# and prints the requests answered 200 and the process's VmHWM and VmRSS
# (Linux /proc).
set -euo pipefail
cd "$(dirname "$0")/.."
n=20
dir=../shared/data/tiny-imagenet-200/val/images
while [[ $# -gt 0 && $1 != -- ]]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	-d) dir=$2; shift 2 ;;
	*) echo "usage: $0 [-n IMAGES] [-d IMAGE_DIR] -- SERVE_ARGS..." >&2; exit 2 ;;
	esac
done
[[ ${1:-} == -- ]] && shift
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT
go build -o "$tmp/alexnet" ./cmd/alexnet
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$tmp/alexnet" serve --addr "127.0.0.1:$port" "$@" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 200); do
	curl -sf "127.0.0.1:$port/readyz" >/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$tmp/log" >&2; exit 1; }
	sleep 0.2
done
ok=0
for f in $(find "$dir" -name '*.JPEG' -o -name '*.jpg' | sort | head -n "$n"); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: image/jpeg' --data-binary "@$f" "127.0.0.1:$port/v1/classify")
	[[ $code == 200 ]] && ok=$((ok + 1))
done
echo "$ok of $n requests answered 200; $(grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' ')"
