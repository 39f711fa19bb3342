#!/usr/bin/python3
"""Fixtures for the `alexnet eval` tests (predict TenCrop, eval).

Rerun from the repository root with Debian's PyTorch:
    /usr/bin/python3 testdata/gen/eval.py
(needs testdata/classify/ from testdata/gen/classify.py).

Writes testdata/eval/:
  tencrop_probs.npy  (N, 1000) float32: for each image of
                     testdata/classify/images.txt, in order,
                     torch.softmax(model(crops), 1).mean(0) where model is
                     testdata/classify/tv_narrow.pth (eval mode) and crops is
                     Image.open(f).convert('RGB') through
                     Compose([Resize(256), TenCrop(224),
                              Lambda(stack of Normalize(ToTensor(c)))])
                     with ImageNet mean and std
"""
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(__file__))
from classify import AlexNet  # noqa: E402

OUT = "testdata/eval"
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def main():
    os.makedirs(OUT, exist_ok=True)
    with open("testdata/classify/images.txt") as f:
        images = f.read().split()
    model = AlexNet([8, 16, 16, 16, 16], 32, 1000, original=False)
    model.load_state_dict(torch.load("testdata/classify/tv_narrow.pth"))
    model.eval()
    norm = transforms.Compose([transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
    tf = transforms.Compose([
        transforms.Resize(256), transforms.TenCrop(224),
        transforms.Lambda(lambda crops: torch.stack([norm(c) for c in crops]))])
    out = []
    with torch.no_grad():
        for f in images:
            with Image.open(f) as im:
                x = tf(im.convert("RGB"))
            out.append(torch.softmax(model(x), 1).mean(0).numpy().astype(np.float32))
    np.save(os.path.join(OUT, "tencrop_probs.npy"), np.stack(out))


if __name__ == "__main__":
    main()
