#!/usr/bin/python3
"""PyTorch side of scripts/trainbench: times SGD training steps of
torchvision's AlexNet (forward in train mode, cross-entropy, backward,
SGD with momentum 0.9 and weight decay 5e-4) on a random batch, and prints
one JSON object: {"engine": "pytorch", "seconds": [per timed step]}.

    /usr/bin/python3 scripts/trainbench/trainbench.py BATCH SIZE CLASSES THREADS WARMUP STEPS [C1,C2,C3,C4,C5 HIDDEN [ARCH]]

ARCH "tiny" and "tiny-bn" are the 64x64 architectures of scripts/trainref
(torchvision's AlexNet with a 5x5 stride-2 stem and a 3x3 average pool,
and that with batch norms).
"""
import os
import json
import sys
import time

import torch
import torch.nn as nn
import torchvision


def narrow(ch, hidden, classes):
    m = torchvision.models.alexnet(num_classes=classes)
    c = [3] + ch
    for i, idx in enumerate([0, 3, 6, 8, 10]):
        old = m.features[idx]
        m.features[idx] = nn.Conv2d(c[i], c[i + 1], old.kernel_size, old.stride, old.padding)
    m.classifier[1] = nn.Linear(ch[4] * 36, hidden)
    m.classifier[4] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, classes)
    return m


def main():
    batch, size, classes, threads, warmup, steps = map(int, sys.argv[1:7])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if len(sys.argv) > 9 and sys.argv[9] in ("tiny", "tiny-bn"):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "trainref"))
        from trainref import tiny_alexnet, tiny_bn_alexnet
        build = tiny_bn_alexnet if sys.argv[9] == "tiny-bn" else tiny_alexnet
        model = build([int(c) for c in sys.argv[7].split(",")], int(sys.argv[8]), classes)
    elif len(sys.argv) > 7:
        model = narrow([int(c) for c in sys.argv[7].split(",")], int(sys.argv[8]), classes)
    else:
        model = torchvision.models.alexnet(num_classes=classes)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    crit = nn.CrossEntropyLoss()
    x = torch.randn(batch, 3, size, size)
    y = torch.randint(0, classes, (batch,))
    secs = []
    for i in range(warmup + steps):
        t = time.perf_counter()
        opt.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
        opt.step()
        d = time.perf_counter() - t
        if i >= warmup:
            secs.append(d)
    print(json.dumps({"engine": "pytorch", "torch": torch.__version__, "seconds": secs}))


if __name__ == "__main__":
    main()
