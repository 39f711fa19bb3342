#!/usr/bin/python3
"""Export torchvision AlexNet (seeded random weights) to ONNX for the ORT run.

Usage: export_onnx.py OUT.onnx [--opset 13]

Besides OUT.onnx it writes OUT.onnx.ref-input.f32 and OUT.onnx.ref-logits.f32
(raw little-endian float32, batch 2) so that ort.mjs --check can confirm that
ONNX Runtime computes the same logits as PyTorch did.
"""
import argparse
import os
import sys

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--opset", type=int, default=13)
    a = ap.parse_args()

    torch.manual_seed(0)
    model = torchvision.models.alexnet().eval()  # 1000 classes, random init
    x = torch.randn(2, 3, 224, 224)
    tmp = a.out + ".tmp"
    with torch.inference_mode():
        ref = model(x)
    torch.onnx.export(
        model,
        x,
        tmp,
        opset_version=a.opset,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        do_constant_folding=True,
    )
    x.numpy().astype("<f4").tofile(a.out + ".ref-input.f32")
    ref.numpy().astype("<f4").tofile(a.out + ".ref-logits.f32")
    os.replace(tmp, a.out)
    print(f"exported {a.out} (torch {torch.__version__}, torchvision "
          f"{torchvision.__version__}, opset {a.opset})", file=sys.stderr)


if __name__ == "__main__":
    main()
