#!/usr/bin/python3
"""Fixtures for the end-to-end classify tests (predict, cmd/alexnet).

Rerun from the repository root with Debian's PyTorch:
    /usr/bin/python3 testdata/gen/classify.py
(needs testdata/imageproc/ from testdata/gen/imageproc.py for the images).

Writes testdata/classify/:
  tv_narrow.pth          torch.save zip format: a narrow torchvision-structure
                         AlexNet (8-16-16-16-16 filters, hidden 32, 1000 classes),
                         seeded random weights
  orig_narrow_legacy.pth legacy format (_use_new_zipfile_serialization=False):
                         a narrow original-structure AlexNet (LRN, groups=2)
  images.txt             the input images (paths relative to the repo root)
  tensors.json           sha256 of torchvision's normalized float32 tensor
                         (little-endian bytes) per image, crops 224 and 227
  tv_logits.npy, orig_logits.npy
                         (N, 1000) float32 logits of torchvision's pipeline:
                         Image.open(f).convert('RGB'), Resize(256),
                         CenterCrop(224 / 227), ToTensor, Normalize, eval forward
"""
import hashlib
import json
import os

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from torchvision import transforms

OUT = "testdata/classify"
IMAGES = [
    "testdata/imageproc/jpeg_420.jpg",
    "testdata/imageproc/jpeg_422_prog.jpg",
    "testdata/imageproc/jpeg_l.jpg",
    "testdata/imageproc/jpeg_cmyk.jpg",
    "testdata/imageproc/png_rgba.png",
    "testdata/imageproc/gif_p.gif",
    "testdata/imageproc/resize_301x271.png",
]


class AlexNet(nn.Module):
    """torchvision's AlexNet structure (original=False) or the 2012 paper's."""

    def __init__(self, c, hidden, classes, original):
        super().__init__()
        if original:
            lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)  # noqa: E731
            self.features = nn.Sequential(
                nn.Conv2d(3, c[0], 11, 4, 0), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
                nn.Conv2d(c[0], c[1], 5, 1, 2, groups=2), nn.ReLU(), lrn(), nn.MaxPool2d(3, 2),
                nn.Conv2d(c[1], c[2], 3, 1, 1), nn.ReLU(),
                nn.Conv2d(c[2], c[3], 3, 1, 1, groups=2), nn.ReLU(),
                nn.Conv2d(c[3], c[4], 3, 1, 1, groups=2), nn.ReLU(), nn.MaxPool2d(3, 2))
        else:
            self.features = nn.Sequential(
                nn.Conv2d(3, c[0], 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(c[0], c[1], 5, 1, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                nn.Conv2d(c[1], c[2], 3, 1, 1), nn.ReLU(),
                nn.Conv2d(c[2], c[3], 3, 1, 1), nn.ReLU(),
                nn.Conv2d(c[3], c[4], 3, 1, 1), nn.ReLU(), nn.MaxPool2d(3, 2))
        self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(c[4] * 36, hidden), nn.ReLU(),
            nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.avgpool(self.features(x)), 1))


def transform(crop):
    return transforms.Compose([
        transforms.Resize(256), transforms.CenterCrop(crop), transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])


def inputs(crop):
    xs = []
    for f in IMAGES:
        with Image.open(f) as im:
            xs.append(transform(crop)(im.convert("RGB")))
    return xs


def logits(model, crop):
    with torch.no_grad():
        return model.eval()(torch.stack(inputs(crop))).numpy().astype(np.float32)


def tensor_hashes():
    out = []
    for crop in (224, 227):
        for f, x in zip(IMAGES, inputs(crop)):
            b = x.numpy().astype("<f4").tobytes()
            out.append({"file": f, "crop": crop, "shape": list(x.shape),
                        "sha256": hashlib.sha256(b).hexdigest()})
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "images.txt"), "w") as f:
        f.write("\n".join(IMAGES) + "\n")
    with open(os.path.join(OUT, "tensors.json"), "w") as f:
        json.dump(tensor_hashes(), f, indent=1)
    torch.manual_seed(1)
    tv = AlexNet([8, 16, 16, 16, 16], 32, 1000, original=False)
    torch.save(tv.state_dict(), os.path.join(OUT, "tv_narrow.pth"))
    np.save(os.path.join(OUT, "tv_logits.npy"), logits(tv, 224))
    torch.manual_seed(2)
    orig = AlexNet([8, 16, 16, 16, 16], 32, 1000, original=True)
    torch.save(orig.state_dict(), os.path.join(OUT, "orig_narrow_legacy.pth"),
               _use_new_zipfile_serialization=False)
    np.save(os.path.join(OUT, "orig_logits.npy"), logits(orig, 227))


if __name__ == "__main__":
    main()
