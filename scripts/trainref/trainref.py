#!/usr/bin/python3
"""PyTorch reference for `alexnet train --preset tiny-imagenet`: the same
recipe, data and epochs in torch 1.13 / torchvision 0.14, to check that the
recipe (not this project's numerics or luck) gives the accuracy.

Run from the repository root with Debian's PyTorch (apt-get install
python3-torch python3-torchvision python3-pil libopenblas0-pthread; without
OpenBLAS the linear layers run on netlib's reference BLAS), its OpenBLAS
set to its fastest kernels here:

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 scripts/trainref/trainref.py train --data ../shared/data/tiny-imagenet-200 --out OUT
    /usr/bin/python3 scripts/trainref/trainref.py eval --data ../shared/data/tiny-imagenet-200 --weights DIR/model.pth

train writes OUT/epochs.csv (epoch, lr, train loss and top-1, val loss,
top-1 and top-5, seconds), OUT/model.pth and OUT/classes.txt, and keeps
OUT/checkpoint.pt after each epoch so that a rerun with the same --out
continues where it stopped. eval scores a state dict saved by either
trainer (the classes are DIR/classes.txt, one wnid a line, in logit order)
and prints one JSON line {"top1": ..., "top5": ..., "images": N}.

The recipe, flag for flag the preset's:
  model      torchvision.models.alexnet(num_classes=200) with the "tiny"
             surgery (features[0] = Conv2d(3, c1, 5, 2, 2), avgpool =
             AdaptiveAvgPool2d(3), classifier[1] = Linear(c5*9, hidden)) and
             a BatchNorm2d after each convolution ("tiny-bn"), at widths
             32,96,192,128,128 and hidden 1024
  init       kaiming_normal_(fan_in, relu) on every conv and hidden linear
             weight, 0 on the last linear weight and on every bias; batch
             norms at PyTorch's defaults
  data       Resize(73), RandomCrop(64), RandomHorizontalFlip, ToTensor,
             PCA lighting (sigma 0.1, the fb.resnet.torch eigenvectors),
             Normalize(ImageNet); validation Resize(73), CenterCrop(64)
  optimiser  SGD(lr 0.05, momentum 0.9, weight_decay 5e-4), batch 128 (the
             last, partial batch of each epoch kept), CrossEntropyLoss
             (label_smoothing 0.1); LinearLR(start_factor 0.01) over the
             first epoch, then CosineAnnealingLR over the other steps, both
             stepped per iteration (SequentialLR)
  epochs     35
"""
import argparse
import csv
import json
import math
import os
import time

import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
EIGVEC = torch.tensor([[-0.5675, 0.7192, 0.4009],
                       [-0.5808, -0.0045, -0.8140],
                       [-0.5836, -0.6948, 0.4203]])


def tiny_alexnet(channels, hidden, classes):
    """torchvision's AlexNet made into this project's "tiny" architecture:
    same module names (so state dicts load both ways), a 5x5 stride-2 stem
    and a 3x3 average pool for 64x64 inputs."""
    m = torchvision.models.alexnet(num_classes=classes)
    c = [3] + list(channels)
    for i, idx in enumerate((0, 3, 6, 8, 10)):
        old = m.features[idx]
        m.features[idx] = nn.Conv2d(c[i], c[i + 1], old.kernel_size, old.stride, old.padding)
    m.features[0] = nn.Conv2d(3, c[1], 5, 2, 2)
    m.avgpool = nn.AdaptiveAvgPool2d((3, 3))
    m.classifier[1] = nn.Linear(c[5] * 9, hidden)
    m.classifier[4] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, classes)
    return m


def tiny_bn_alexnet(channels, hidden, classes):
    """tiny_alexnet with a BatchNorm2d between each convolution and its
    ReLU, as torchvision's vgg*_bn: this project's "tiny-bn"."""
    m = tiny_alexnet(channels, hidden, classes)
    layers = []
    for mod in m.features:
        layers.append(mod)
        if isinstance(mod, nn.Conv2d):
            layers.append(nn.BatchNorm2d(mod.out_channels))
    m.features = nn.Sequential(*layers)
    return m


CONV_INDICES = {"tiny": (0, 3, 6, 8, 10), "tiny-bn": (0, 4, 8, 11, 14)}


def tiny_from_state_dict(sd):
    """The tiny or tiny-bn AlexNet (batch norms when sd has running
    statistics) whose widths fit state dict sd, with sd loaded (strict)."""
    arch = "tiny-bn" if "features.1.running_mean" in sd else "tiny"
    ch = [sd[f"features.{i}.weight"].shape[0] for i in CONV_INDICES[arch]]
    build = tiny_bn_alexnet if arch == "tiny-bn" else tiny_alexnet
    m = build(ch, sd["classifier.1.weight"].shape[0], sd["classifier.6.weight"].shape[0])
    m.load_state_dict(sd)
    return m


def init_he(m):
    """train.InitHe: He-normal (fan_in) weights, last linear 0, biases 0."""
    linears = [l for l in m.modules() if isinstance(l, nn.Linear)]
    for l in m.modules():
        if isinstance(l, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(l.weight, mode="fan_in", nonlinearity="relu")
            nn.init.zeros_(l.bias)
    nn.init.zeros_(linears[-1].weight)


class Lighting:
    """AlexNet's PCA lighting noise on a (3,H,W) tensor in [0,1]."""

    def __init__(self, std):
        self.std = std

    def __call__(self, t):
        alpha = torch.randn(3) * self.std
        return t + (EIGVEC @ (alpha * EIGVAL)).view(3, 1, 1)


class Files(Dataset):
    def __init__(self, items, tf):
        self.items, self.tf = items, tf

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        path, y = self.items[i]
        with Image.open(path) as im:
            return self.tf(im.convert("RGB")), y


def tiny_imagenet(root, split, classes):
    """(path, class index) pairs of a Tiny ImageNet split, classes being
    the wnids in logit order."""
    index = {w: i for i, w in enumerate(classes)}
    items = []
    if split == "train":
        for w in classes:
            d = os.path.join(root, "train", w, "images")
            items += [(os.path.join(d, f), index[w]) for f in sorted(os.listdir(d))]
    else:
        with open(os.path.join(root, "val", "val_annotations.txt")) as f:
            for line in f:
                name, w = line.split("\t")[:2]
                items.append((os.path.join(root, "val", "images", name), index[w]))
    return items


def read_lines(path):
    with open(path) as f:
        return [l.strip() for l in f if l.strip()]


def eval_transform(resize, size):
    return transforms.Compose([transforms.Resize(resize), transforms.CenterCrop(size),
                               transforms.ToTensor(), transforms.Normalize(MEAN, STD)])


def evaluate(model, loader, crit):
    model.eval()
    loss = top1 = top5 = n = 0
    with torch.no_grad():
        for x, y in loader:
            out = model(x)
            loss += crit(out, y).item() * len(y)
            best = out.topk(5, 1).indices
            top1 += (best[:, 0] == y).sum().item()
            top5 += (best == y[:, None]).any(1).sum().item()
            n += len(y)
    return loss / n, top1 / n, top5 / n


def cmd_train(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    classes = read_lines(os.path.join(a.data, "wnids.txt"))
    with open(os.path.join(a.out, "classes.txt"), "w") as f:
        f.write("\n".join(classes) + "\n")
    resize = a.size * 256 // 224
    train_tf = transforms.Compose([
        transforms.Resize(resize), transforms.RandomCrop(a.size), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), Lighting(a.pca), transforms.Normalize(MEAN, STD)])
    train_items, val_items = tiny_imagenet(a.data, "train", classes), tiny_imagenet(a.data, "val", classes)
    if a.limit:  # a smoke test's subset
        train_items = [train_items[i] for i in torch.randperm(len(train_items))[:a.limit].tolist()]
        val_items = val_items[:a.limit]
    train_set = Files(train_items, train_tf)
    val_set = Files(val_items, eval_transform(resize, a.size))
    kw = dict(num_workers=a.workers, persistent_workers=a.workers > 0)
    train_loader = DataLoader(train_set, batch_size=a.batch, shuffle=True, drop_last=False, **kw)
    val_loader = DataLoader(val_set, batch_size=a.batch, shuffle=False, **kw)

    build = tiny_bn_alexnet if a.arch == "tiny-bn" else tiny_alexnet
    model = build([int(c) for c in a.channels.split(",")], a.hidden, len(classes))
    init_he(model)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)
    per_epoch = len(train_loader)
    total, warm = a.epochs * per_epoch, a.warmup * per_epoch
    cosine = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warm)
    sched = cosine
    if warm > 0:
        linear = torch.optim.lr_scheduler.LinearLR(opt, start_factor=0.01, total_iters=warm)
        sched = torch.optim.lr_scheduler.SequentialLR(opt, [linear, cosine], milestones=[warm])
    crit = nn.CrossEntropyLoss(label_smoothing=a.label_smoothing)

    ckpt = os.path.join(a.out, "checkpoint.pt")
    start_epoch = 0
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        torch.set_rng_state(st["rng"])
        start_epoch = st["epoch"]
        print(f"resuming after epoch {start_epoch}", flush=True)
    log = os.path.join(a.out, "epochs.csv")
    if start_epoch == 0:
        with open(log, "w", newline="") as f:
            csv.writer(f).writerow(["epoch", "lr", "loss", "top1", "val_loss", "val_top1", "val_top5", "seconds"])
    run_start = time.time()
    for epoch in range(start_epoch, a.epochs):
        model.train()
        t0, loss_sum, hits, seen = time.time(), 0.0, 0, 0
        for i, (x, y) in enumerate(train_loader):
            lr = opt.param_groups[0]["lr"]
            out = model(x)
            loss = crit(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(y)
            hits += (out.argmax(1) == y).sum().item()
            seen += len(y)
            if i % 50 == 0:
                done = (epoch - start_epoch) * per_epoch + i + 1
                left = (time.time() - run_start) / done * ((a.epochs - start_epoch) * per_epoch - done)
                print(f"epoch {epoch + 1}/{a.epochs} batch {i}/{per_epoch}: loss {loss_sum / seen:.4f} "
                      f"acc {hits / seen:.4f} lr {lr:.4g}, ETA {left / 60:.0f} min", flush=True)
        vl, v1, v5 = evaluate(model, val_loader, crit)
        secs = time.time() - t0
        print(f"epoch {epoch + 1}: train loss {loss_sum / seen:.4f} top-1 {hits / seen:.4f}, "
              f"val loss {vl:.4f} top-1 {v1:.4f} top-5 {v5:.4f}, {secs:.0f} s", flush=True)
        with open(log, "a", newline="") as f:
            csv.writer(f).writerow([epoch + 1, lr, loss_sum / seen, hits / seen, vl, v1, v5, secs])
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(),
                    "rng": torch.get_rng_state(), "epoch": epoch + 1}, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
    torch.save(model.state_dict(), os.path.join(a.out, "model.pth"))


def cmd_eval(a):
    torch.set_num_threads(a.threads)
    sd = torch.load(a.weights)
    model = tiny_from_state_dict(sd)
    classes = read_lines(os.path.join(os.path.dirname(a.weights), "classes.txt"))
    items = tiny_imagenet(a.data, "val", classes)
    if a.limit:
        items = items[:a.limit]
    loader = DataLoader(Files(items, eval_transform(a.size * 256 // 224, a.size)), batch_size=128,
                        num_workers=a.workers)
    _, top1, top5 = evaluate(model, loader, nn.CrossEntropyLoss())
    print(json.dumps({"top1": top1, "top5": top5, "images": len(items),
                      "correct1": round(top1 * len(items)), "correct5": round(top5 * len(items))}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("--data", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--epochs", type=int, default=35)
    t.add_argument("--batch", type=int, default=128)
    t.add_argument("--arch", default="tiny-bn", choices=["tiny", "tiny-bn"])
    t.add_argument("--lr", type=float, default=0.05)
    t.add_argument("--momentum", type=float, default=0.9)
    t.add_argument("--weight-decay", type=float, default=5e-4)
    t.add_argument("--label-smoothing", type=float, default=0.1)
    t.add_argument("--warmup", type=int, default=1, help="epochs of linear warm-up")
    t.add_argument("--pca", type=float, default=0.1)
    t.add_argument("--channels", default="32,96,192,128,128")
    t.add_argument("--hidden", type=int, default=1024)
    t.add_argument("--seed", type=int, default=1)
    t.add_argument("--limit", type=int, default=0, help="train and validate on N images only (smoke tests)")
    for p in (t, sub.add_parser("eval")):
        p.add_argument("--size", type=int, default=64)
        p.add_argument("--threads", type=int, default=2)
        p.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    e = sub.choices["eval"]
    e.add_argument("--data", required=True)
    e.add_argument("--weights", required=True)
    e.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    cmd_train(a) if a.cmd == "train" else cmd_eval(a)


if __name__ == "__main__":
    main()
