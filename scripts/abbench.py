#!/usr/bin/env python3
"""A/B of two builds of this project, side by side on one machine: the
forward pass (`alexnet bench --json`, torchvision 224x224 at batch 1, 8, 64
with 1 and 2 threads) or the training step (`trainbench -worker`), rounds
interleaved with the order alternating, because the machine is shared.
Prints a Markdown table of medians and the new/old speed.

  go build -o /tmp/old/alexnet ./cmd/alexnet      # at the old commit
  go build -o /tmp/new/alexnet ./cmd/alexnet      # at the new one
  scripts/abbench.py forward /tmp/old/alexnet /tmp/new/alexnet --rounds 7
  scripts/abbench.py train /tmp/old/trainbench /tmp/new/trainbench --rounds 4 \\
      -- -arch tiny-bn -size 64 -classes 200 -channels 32,96,192,128,128 -hidden 1024
"""
import argparse, json, os, statistics, subprocess, sys

ITERS = {1: (30, 5), 8: (10, 2), 64: (5, 1)}  # batch: (timed, warm-up)


def forward(binary, batch, threads):
    iters, warm = ITERS[batch]
    out = subprocess.run([binary, "bench", "--arch", "torchvision", "--batch", str(batch), "--threads", str(threads),
                          "--iters", str(iters), "--warmup", str(warm), "--json"],
                         env=dict(os.environ, GOMAXPROCS=str(threads)), capture_output=True, text=True, check=True)
    return [json.loads(out.stdout)["ms_per_batch"]]


def train(binary, extra):
    out = subprocess.run([binary, "-worker", "-steps", "3", "-warmup", "1"] + extra,
                         capture_output=True, text=True, check=True)
    return [1000 * s for s in json.loads(out.stdout.strip().splitlines()[-1])["seconds"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=["forward", "train"])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--rounds", type=int, default=5)
    argv, extra = sys.argv[1:], []
    if "--" in argv:  # train: trainbench's own flags follow --
        argv, extra = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    a = ap.parse_args(argv)
    a.extra = extra
    configs = [(b, t) for b in ITERS for t in (1, 2)] if a.what == "forward" else [None]
    ms = {}
    for r in range(a.rounds):
        for c in configs:
            order = [("old", a.old), ("new", a.new)][::(-1 if r % 2 else 1)]
            for name, binary in order:
                got = forward(binary, *c) if c else train(binary, a.extra)
                ms.setdefault((c, name), []).extend(got)
    print(f"| config | old ms | new ms | new/old speed | samples each ({a.rounds} rounds) |")
    print("|---|---:|---:|---:|---:|")
    for c in configs:
        o, n = statistics.median(ms[(c, "old")]), statistics.median(ms[(c, "new")])
        label = f"batch {c[0]}, {c[1]} threads" if c else "train step " + (" ".join(a.extra) or "(batch 128, 224)")
        print(f"| {label} | {o:.1f} | {n:.1f} | {o / n:.3f}× | {len(ms[(c, 'old')])} |")


if __name__ == "__main__":
    main()
