#!/usr/bin/env bash
# Serving throughput beside the model's own: ROUNDS times, alternately,
# `alexnet bench --batch B` (its images/s) and a fresh `alexnet serve` under
# `go run ./scripts/loadtest` (CLIENTS clients x N requests each, loopback),
# printing each round's served images/s as a share of bench's and the median.
# B is the batch size the server formed most often in that round.
#
#   scripts/servebench.sh WEIGHTS [IMAGES (file or folder; default the 500x375 JPEG)] [ROUNDS (3)]
#   CLIENTS=32 N=20 PORT=18190 scripts/servebench.sh W.pth ../shared/data/tiny-imagenet-200/val/images
set -euo pipefail
cd "$(dirname "$0")/.."
weights=${1:?usage: scripts/servebench.sh WEIGHTS [IMAGES] [ROUNDS]}
images=${2:-testdata/jpeg/bench_500x375_420.jpg}
rounds=${3:-3}
clients=${CLIENTS:-32} n=${N:-20} port=${PORT:-18190}
work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
go build -o "$work/alexnet" ./cmd/alexnet
go build -o "$work/loadtest" ./scripts/loadtest
url=http://127.0.0.1:$port
shares=()
for r in $(seq "$rounds"); do
  "$work/alexnet" serve --weights "$weights" --addr "127.0.0.1:$port" --log-level warn 2>"$work/serve.log" &
  pid=$!
  "$work/loadtest" -url "$url" -c "$clients" -n "$n" -images "$images" -limit 100 > "$work/load.txt"
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
  row=$(awk -v c="$clients" '$1 == c' "$work/load.txt")
  served=$(echo "$row" | awk '{print $6}')
  batch=$(echo "$row" | awk '{best=0; for (i = 9; i <= NF; i++) { split($i, p, ":"); if (p[2] > best) { best = p[2]; b = p[1] } } print b}')
  bench=$("$work/alexnet" bench --batch "$batch" --iters 30 --json | sed 's/.*"images_per_sec":\([0-9.]*\).*/\1/')
  share=$(awk -v s="$served" -v b="$bench" 'BEGIN { printf "%.1f", 100 * s / b }')
  bench=$(awk -v b="$bench" 'BEGIN { printf "%.1f", b }')
  shares+=("$share")
  echo "round $r: served $served img/s (p50 $(echo "$row" | awk '{print $4}') ms, p99 $(echo "$row" | awk '{print $5}') ms, errors $(echo "$row" | awk '{print $3}'), batches $(echo "$row" | awk '{for (i = 9; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "")}')); alexnet bench --batch $batch: $bench img/s; served $share%"
done
printf '%s\n' "${shares[@]}" | sort -n | awk '{v[NR] = $1} END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "median: served %.1f%% of alexnet bench\n", m }'
