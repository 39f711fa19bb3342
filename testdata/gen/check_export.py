#!/usr/bin/python3
"""Check that a model exported by `alexnet train` loads in PyTorch and gives
the logits `alexnet classify` gives (issue 6, acceptance b).

Run from the repository root with Debian's PyTorch 1.13:
    /usr/bin/python3 testdata/gen/check_export.py OUT_DIR IMAGE... [--alexnet BIN] [--narrow | --arch tiny|tiny-bn]

OUT_DIR is an `alexnet train --out` folder (model.pth, model.safetensors,
classes.txt). The script

  1. builds torchvision.models.alexnet(num_classes=N), N = lines of
     classes.txt, and calls load_state_dict(torch.load(OUT_DIR/model.pth))
     (strict: every name and shape must match);
  2. runs each image through Resize(256), CenterCrop(224) (tiny: 73, 64), ToTensor,
     Normalize(ImageNet) and the model in eval mode;
  3. runs `alexnet classify --weights OUT_DIR/model.pth --json --logits` and
     the same with model.safetensors, on the same images;
  4. prints the largest absolute logit difference and whether the argmax
     agrees, and exits 1 when a difference exceeds 1e-4 (relative to the
     largest logit magnitude, floor 1).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms


def narrow(model, sd, n):
    """torchvision's AlexNet with the conv widths and hidden width of sd."""
    import torch.nn as nn
    ch = [3]
    for idx in (0, 3, 6, 8, 10):
        old = model.features[idx]
        ch.append(sd[f"features.{idx}.weight"].shape[0])
        model.features[idx] = nn.Conv2d(ch[-2], ch[-1], old.kernel_size, old.stride, old.padding)
    hidden = sd["classifier.1.weight"].shape[0]
    model.classifier[1] = nn.Linear(ch[-1] * 36, hidden)
    model.classifier[4] = nn.Linear(hidden, hidden)
    model.classifier[6] = nn.Linear(hidden, n)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("images", nargs="+")
    ap.add_argument("--alexnet", default="alexnet", help="the alexnet binary")
    ap.add_argument("--narrow", action="store_true",
                    help="for `alexnet train --channels/--hidden` models: torchvision's AlexNet "
                         "with the state dict's widths (same module names) instead of alexnet(num_classes=N)")
    ap.add_argument("--arch", default="torchvision",
                    help="tiny or tiny-bn: the 64x64 architectures (`alexnet train --preset tiny-imagenet`), "
                         "built by scripts/trainref from torchvision's AlexNet, Resize(73), CenterCrop(64)")
    a = ap.parse_args()

    torch.set_num_threads(2)
    with open(os.path.join(a.out, "classes.txt")) as f:
        n = len([l for l in f if l.strip()])
    sd = torch.load(os.path.join(a.out, "model.pth"))
    resize, crop = 256, 224
    if a.arch in ("tiny", "tiny-bn"):
        sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts", "trainref"))
        from trainref import tiny_from_state_dict
        model = tiny_from_state_dict(sd)  # strict
        resize, crop = 73, 64
    else:
        model = torchvision.models.alexnet(num_classes=n)
        if a.narrow:
            model = narrow(model, sd, n)
        model.load_state_dict(sd)  # strict
    model.eval()
    tf = transforms.Compose([
        transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor(),
        transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    x = torch.stack([tf(Image.open(p).convert("RGB")) for p in a.images])
    with torch.no_grad():
        want = model(x).numpy()
    print(f"torch.load + load_state_dict: ok ({len(sd)} tensors, {n} classes)")

    worst = 0.0
    for wf in ("model.pth", "model.safetensors"):
        res = subprocess.run([a.alexnet, "classify", "--arch", a.arch, "--weights", os.path.join(a.out, wf),
                              "--json", "--logits"] + a.images,
                             check=True, capture_output=True, text=True)
        rows = [json.loads(l) for l in res.stdout.splitlines() if l.strip()]
        got = np.array([r["logits"] for r in rows], dtype=np.float32)
        d = np.abs(got - want).max()
        scale = max(1.0, float(np.abs(want).max()))
        same = (got.argmax(1) == want.argmax(1)).all()
        print(f"{wf}: {len(rows)} images, max |logit diff| {d:.3g} (largest |logit| {np.abs(want).max():.3g}), "
              f"argmax {'identical' if same else 'DIFFERS'}")
        worst = max(worst, d / scale)
    if worst > 1e-4:
        print("FAIL: logits differ")
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
