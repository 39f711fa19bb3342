#!/usr/bin/python3
"""PyTorch reference for the end-to-end parity checks (nothing here is committed).

Rerun from the repository root with Debian's PyTorch (/usr/bin/python3):

  /usr/bin/python3 testdata/gen/reference.py weights --arch torchvision --seed 0 --out DIR
      [--init default|kaiming]: writes DIR/<arch>-seed<S>.pth (torch.save zip
      format) and DIR/<arch>-seed<S>-legacy.pth (_use_new_zipfile_serialization=False):
      seeded random weights for the full-size model (torchvision's own init,
      or He-normal with --init kaiming: <arch>-kaiming-seed<S>*.pth).
  /usr/bin/python3 testdata/gen/reference.py logits --arch A --weights F --out OUT.npy FILE...
      (or --list LISTFILE): logits of torchvision's pipeline for each image:
      Image.open(f).convert('RGB'), Resize(256), CenterCrop(224 or 227),
      ToTensor, Normalize(ImageNet mean/std), model.eval() forward.
      OUT.npy is (N, 1000) float32 in input order; images PIL cannot open
      get a row of NaN.
  /usr/bin/python3 testdata/gen/reference.py tensor --crop 224 --npy OURS.npy IMAGE
      compares `alexnet preprocess IMAGE -o OURS.npy` with torchvision's
      normalized tensor and the uint8 crop it came from; prints the max abs
      difference.
  /usr/bin/python3 testdata/gen/reference.py evalcheck --ref OUT.npy --predictions P.csv
      --list LIST --annotations val_annotations.txt --imagenet-wnids wnids.txt
      checks `alexnet eval --predictions` rows (label and top-5 per image, in
      list order) against PyTorch's logits, and prints PyTorch's accuracies.
  /usr/bin/python3 testdata/gen/reference.py compare --ref OUT.npy --ours CLASSIFY.jsonl [--list LISTFILE]
      compares with `alexnet classify --json --logits` output: max abs logit
      difference and top-5 agreement per image.

The 'original' arch is the 2012 paper's network built from nn modules
(LocalResponseNorm, grouped Conv2d), with the same state_dict names as the Go
model (features.0,4,8,10,12 / classifier.1,4,6).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torchvision import transforms


def original_alexnet(num_classes=1000):
    """The 2012 architecture: 96-256-384-384-256, LRN after conv1/conv2, groups=2 on conv2/4/5."""
    features = nn.Sequential(
        nn.Conv2d(3, 96, 11, stride=4, padding=0), nn.ReLU(inplace=True),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=2), nn.ReLU(inplace=True),
        nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(384, 384, 3, padding=1, groups=2), nn.ReLU(inplace=True),
        nn.Conv2d(384, 256, 3, padding=1, groups=2), nn.ReLU(inplace=True),
        nn.MaxPool2d(3, 2),
    )
    m = nn.Module()
    m.features = features
    m.avgpool = nn.AdaptiveAvgPool2d((6, 6))
    m.classifier = nn.Sequential(
        nn.Dropout(0.5), nn.Linear(256 * 36, 4096), nn.ReLU(inplace=True),
        nn.Dropout(0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
        nn.Linear(4096, num_classes),
    )

    def forward(x):
        x = m.avgpool(m.features(x))
        return m.classifier(torch.flatten(x, 1))
    m.forward = forward
    return m


def build(arch):
    if arch == "torchvision":
        return torchvision.models.alexnet(), 224
    if arch == "original":
        return original_alexnet(), 227
    sys.exit("unknown arch " + arch)


def cmd_weights(a):
    torch.manual_seed(a.seed)
    model, _ = build(a.arch)
    if a.init == "kaiming":
        # He-normal weights and small biases: logits spread O(1), so top-5
        # orders are not decided by float rounding (torchvision's default
        # init gives logits within ~0.05 of each other, dominated by biases).
        for mod in model.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
                nn.init.normal_(mod.bias, std=0.01)
    sd = model.state_dict()
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, "%s-%sseed%d" % (a.arch, "" if a.init == "default" else a.init + "-", a.seed))
    torch.save(sd, base + ".pth")
    torch.save(sd, base + "-legacy.pth", _use_new_zipfile_serialization=False)
    print(base + ".pth", base + "-legacy.pth")


def files_of(a):
    files = list(getattr(a, "files", []))
    if a.list:
        with open(a.list) as f:
            files += [l.rstrip("\n") for l in f if l.strip()]
    return files


def cmd_logits(a):
    torch.set_num_threads(a.threads)
    model, crop = build(a.arch)
    model.load_state_dict(torch.load(a.weights))
    model.eval()
    tf = transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(crop), transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    files = files_of(a)
    out = np.full((len(files), 1000), np.nan, dtype=np.float32)
    batch, idx = [], []

    def flush():
        if batch:
            with torch.no_grad():
                out[idx] = model(torch.stack(batch)).numpy()
            batch.clear()
            idx.clear()
    for i, f in enumerate(files):
        try:
            with Image.open(f) as im:
                x = tf(im.convert("RGB"))
        except Exception as e:  # noqa: BLE001 - a bad file is a NaN row
            print("%s: %s" % (f, e), file=sys.stderr)
            continue
        batch.append(x)
        idx.append(i)
        if len(batch) == a.batch:
            flush()
    flush()
    np.save(a.out, out)


def cmd_tensor(a):
    with Image.open(a.image) as im:
        rgb = im.convert("RGB")
    crop = transforms.CenterCrop(a.crop)(transforms.Resize(256)(rgb))
    t = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])(
        transforms.ToTensor()(crop)).numpy()
    ours = np.load(a.npy)
    if ours.shape != t.shape:
        print(json.dumps({"image": a.image, "error": "shape %s vs %s" % (ours.shape, t.shape)}))
        sys.exit(1)
    d = float(np.max(np.abs(ours.astype(np.float64) - t.astype(np.float64))))
    print(json.dumps({"image": a.image, "mode": im.mode, "format": im.format, "max_abs_diff": d}))
    sys.exit(0 if d <= a.tol else 1)


def cmd_evalcheck(a):
    """`alexnet eval --predictions` vs PyTorch's logits for Tiny ImageNet val."""
    import csv
    ref = np.load(a.ref)
    files = files_of(a)
    wnids = [l.strip() for l in open(a.imagenet_wnids)]
    index = {w: i for i, w in enumerate(wnids)}
    ann = {}
    for l in open(a.annotations):
        f = l.split("\t")
        ann[f[0]] = index[f[1]]
    with open(a.predictions) as f:
        rows = list(csv.DictReader(f))
    if len(rows) != len(files):
        sys.exit("%d prediction rows for %d images" % (len(rows), len(files)))
    bad, top1, top5, n = 0, 0, 0, 0
    for i, f in enumerate(files):  # rows are in data set order: val_0, val_1, ...
        base = os.path.basename(f)
        r = rows[i]
        t_ref = list(np.argsort(-ref[i].astype(np.float64), kind="stable")[:5])
        label = ann[base]
        n += 1
        top1 += t_ref[0] == label
        top5 += label in t_ref
        ours = [int(r["top%d" % k]) for k in range(1, 6)]
        if ours != t_ref or int(r["label_index"]) != label:
            bad += 1
            if bad <= 10:
                print("differs: %s ours %s label %s, torch %s label %d" % (f, ours, r["label_index"], t_ref, label))
    print(json.dumps({"images": n, "rows": len(rows), "top5_or_label_mismatches": bad,
                      "pytorch_top1": top1 / n, "pytorch_top5": top5 / n}))
    sys.exit(0 if bad == 0 else 1)


def cmd_compare(a):
    ref = np.load(a.ref)
    rows = [json.loads(l) for l in open(a.ours) if l.strip()]
    files = files_of(a) if a.list else [r["file"] for r in rows]
    by_file = {r["file"]: r for r in rows}
    worst, worst_file, top5_bad, n, missing, both_failed = 0.0, "", 0, 0, 0, 0
    for i, f in enumerate(files):
        r = by_file.get(f)
        if np.isnan(ref[i]).all():  # PIL could not read it: we must fail too
            if r is None or "error" not in r:
                missing += 1
                print("PIL failed but we did not: %s" % f)
            else:
                both_failed += 1
            continue
        if r is None or "logits" not in r:
            missing += 1
            print("no logits from us: %s %s" % (f, r and r.get("error")))
            continue
        ours = np.asarray(r["logits"], dtype=np.float64)
        d = float(np.max(np.abs(ours - ref[i].astype(np.float64))))
        if d > worst:
            worst, worst_file = d, f
        t_ref = list(np.argsort(-ref[i].astype(np.float64), kind="stable")[:5])
        t_ours = [t["index"] for t in r["top"][:5]]
        if t_ref != t_ours:
            top5_bad += 1
            if top5_bad <= 10:
                print("top-5 differs: %s ours %s torch %s" % (f, t_ours, t_ref))
        n += 1
    print(json.dumps({"images": n, "missing": missing, "max_abs_logit_diff": worst,
                      "worst_file": worst_file, "top5_mismatches": top5_bad,
                      "failed_in_both": both_failed}))
    ok = missing == 0 and top5_bad == 0 and worst <= a.tol
    sys.exit(0 if ok else 1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("weights")
    w.add_argument("--arch", default="torchvision")
    w.add_argument("--seed", type=int, default=0)
    w.add_argument("--init", choices=["default", "kaiming"], default="default")
    w.add_argument("--out", required=True)
    lg = sub.add_parser("logits")
    lg.add_argument("--arch", default="torchvision")
    lg.add_argument("--weights", required=True)
    lg.add_argument("--out", required=True)
    lg.add_argument("--list")
    lg.add_argument("--batch", type=int, default=64)
    lg.add_argument("--threads", type=int, default=2)
    lg.add_argument("files", nargs="*")
    c = sub.add_parser("compare")
    c.add_argument("--ref", required=True)
    c.add_argument("--ours", required=True)
    c.add_argument("--list")
    c.add_argument("--tol", type=float, default=1e-4)
    t = sub.add_parser("tensor")
    t.add_argument("--crop", type=int, default=224)
    t.add_argument("--npy", required=True)
    t.add_argument("--tol", type=float, default=1e-6)
    t.add_argument("image")
    e = sub.add_parser("evalcheck")
    e.add_argument("--ref", required=True)
    e.add_argument("--predictions", required=True)
    e.add_argument("--list", required=True)
    e.add_argument("--annotations", required=True)
    e.add_argument("--imagenet-wnids", required=True)
    a = p.parse_args()
    {"weights": cmd_weights, "logits": cmd_logits, "compare": cmd_compare,
     "tensor": cmd_tensor, "evalcheck": cmd_evalcheck}[a.cmd](a)


if __name__ == "__main__":
    main()
