#!/usr/bin/env bash
# End-to-end parity with PyTorch (the acceptance check of the inference issue):
# seeded random full-size weights in both torch.save formats, then logits of
# `alexnet classify --json --logits` against torchvision's on the Tiny ImageNet
# validation images and on real full-size photos, and `alexnet preprocess`
# against torchvision's tensors. Needs Debian's python3-torch,
# python3-torchvision, python3-pil (apt-get install), ../shared/data, and
# about 30 minutes on 2 cores per pass over the 10,000 images (two passes).
#
# The full pass uses the fastest kernels the CPU has; then every other kernel
# implementation (ALEXNET_SGEMM=avx2, blocked: the portable Go twin) repeats
# the photos and the first N_VARIANT (default 1000) Tiny ImageNet images.
#
#   scripts/parity.sh [N_TINY (default 10000)] [WORKDIR (default /tmp/alexnet-parity)]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=${2:-/tmp/alexnet-parity}
py=/usr/bin/python3
ref=testdata/gen/reference.py
mkdir -p "$work"
go build -o "$work/alexnet" ./cmd/alexnet
bin="$work/alexnet"

for arch in torchvision original; do
  [ -f "$work/$arch-seed0-legacy.pth" ] || $py $ref weights --arch $arch --seed 0 --out "$work" >/dev/null
done
[ -f "$work/torchvision-kaiming-seed0-legacy.pth" ] ||
  $py $ref weights --arch torchvision --init kaiming --seed 0 --out "$work" >/dev/null

testdata/gen/photos.sh "$work/photos" >/dev/null
ls "$work"/photos/* > "$work/photos.list"
tiny=../shared/data/tiny-imagenet-200/val/images
for i in $(seq 0 $((n - 1))); do echo "$tiny/val_$i.JPEG"; done > "$work/tiny.list"

status=0
echo "== preprocess: alexnet preprocess vs torchvision tensor, per photo"
while read -r f; do
  if "$bin" preprocess "$f" -o "$work/x.npy" 2>"$work/err.txt"; then
    $py $ref tensor --npy "$work/x.npy" "$f" || status=1
  elif $py -c 'import sys; from PIL import Image; Image.open(sys.argv[1]).convert("RGB")' "$f" 2>/dev/null; then
    echo "$f: PIL decodes it and we do not: $(cat "$work/err.txt")"; status=1
  else # a broken file (photos.sh makes a truncated JPEG): an error in both
    echo "$f: fails in PIL too ($(cat "$work/err.txt"))"
  fi
done < "$work/photos.list"

run() { # arch weights list name
  local arch=$1 w=$2 list=$3 name=$4
  [ -f "$work/$name.npy" ] || $py $ref logits --arch "$arch" --weights "$w" --list "$list" --out "$work/$name.npy"
  local t0=$(date +%s) out="$work/$name-$(basename "$w")-${ALEXNET_SGEMM:-default}.jsonl"
  "$bin" classify --arch "$arch" --weights "$w" --json --logits --batch 16 $(cat "$list") > "$out" || true
  echo -n "$name $(basename "$w") kernels ${ALEXNET_SGEMM:-default} ($(( $(date +%s) - t0 )) s): "
  $py $ref compare --ref "$work/$name.npy" --ours "$out" --list "$list" || status=1
}
for fmt in .pth -legacy.pth; do
  run torchvision "$work/torchvision-seed0$fmt" "$work/photos.list" photos-tv
  run original "$work/original-seed0$fmt" "$work/photos.list" photos-orig
done
# torchvision's default init (logits within ~0.05 of each other: top-5 ties
# at float32 resolution are possible) with the zip format, then He-normal
# weights (well-separated logits) with the legacy format.
run torchvision "$work/torchvision-seed0.pth" "$work/tiny.list" tiny-tv
run torchvision "$work/torchvision-kaiming-seed0-legacy.pth" "$work/tiny.list" tiny-kaiming

echo "== every other kernel implementation"
head -n "${N_VARIANT:-1000}" "$work/tiny.list" > "$work/tiny-variant.list"
fastest=$("$bin" bench --batch 1 --iters 1 --warmup 0 --size 63 --json | $py -c 'import json,sys; print(json.load(sys.stdin)["sgemm"])')
for v in avx512 avx2 blocked; do
  [ "$v" = "$fastest" ] && continue
  ALEXNET_SGEMM=$v "$bin" bench --batch 1 --iters 1 --warmup 0 --size 63 >/dev/null 2>&1 || { echo "$v: not on this CPU"; continue; }
  export ALEXNET_SGEMM=$v
  run torchvision "$work/torchvision-seed0.pth" "$work/photos.list" photos-tv
  run original "$work/original-seed0-legacy.pth" "$work/photos.list" photos-orig
  run torchvision "$work/torchvision-kaiming-seed0-legacy.pth" "$work/tiny-variant.list" tiny-kaiming-variant
  unset ALEXNET_SGEMM
done
exit $status
