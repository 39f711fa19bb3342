#!/usr/bin/python3
"""PyTorch's own int8 of a trained tiny(-bn) model: the reference that
issue 14's int8 accuracy is held to ("the same figures for PyTorch's
int8 on the same model and calibration").

torch 1.13's FX graph mode post-training quantization with the default
QConfigMapping of the quantized engine (--engine): weights symmetric per
output channel (qint8, PerChannelMinMaxObserver), activations quint8
(HistogramObserver, or MinMaxObserver with --observer minmax); the
convolutions fused with their batch norms and ReLUs before calibration.
Debian's torch 1.13 is built without FBGEMM (its engines are onednn and
qnnpack): onednn, the x86 engine it has, is the default here; it
calibrates the activations over the full 0-255 range where fbgemm's
qconfig reduces it to 0-127.
--fp32-layers keeps the named modules in float32 (e.g. the first
convolution and the last linear layer).

Calibration: --calib-n images of the training split, taken evenly from its
file list (Tiny ImageNet's train folders in class order, files sorted:
every len/N-th), through the evaluation transform (Resize(73),
CenterCrop(64), ToTensor, Normalize). Evaluation: every image of the
validation split, the float32 model and the int8 one side by side.

    /usr/bin/python3 scripts/trainref/int8ref.py --data ../shared/data/tiny-imagenet-200 --weights DIR/model.pth

prints one JSON object: float32 and int8 top-1 and top-5, the fraction of
images whose int8 top-1 equals the float32 top-1, and the settings;
--logits FILE.npy also saves the int8 logits (images x classes, float32).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from torch.ao.quantization import QConfigMapping, get_default_qconfig, get_default_qconfig_mapping
from torch.ao.quantization.observer import MinMaxObserver
from torch.ao.quantization.qconfig import QConfig
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
from torch.utils.data import DataLoader

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from trainref import Files, eval_transform, read_lines, tiny_from_state_dict, tiny_imagenet  # noqa: E402


def qconfig_mapping(engine, observer, fp32_layers):
    """engine's default mapping, with MinMaxObserver activations (the
    default's reduce_range) for observer "minmax", and the modules in
    fp32_layers left in float32."""
    m = get_default_qconfig_mapping(engine)
    if observer == "minmax":
        q = get_default_qconfig(engine)
        reduce = q.activation.p.keywords.get("reduce_range", False)
        m = QConfigMapping().set_global(QConfig(activation=MinMaxObserver.with_args(reduce_range=reduce), weight=q.weight))
    for name in fp32_layers:
        m = m.set_module_name(name, None)
    return m


def calibration_items(root, classes, n):
    items = tiny_imagenet(root, "train", classes)
    step = max(1, len(items) // n)
    return items[::step][:n]


def quantize(model, items, tf, a, fp32_layers):
    mapping = qconfig_mapping(a.engine, a.observer, fp32_layers)
    prepared = prepare_fx(model, mapping, example_inputs=(torch.randn(1, 3, a.size, a.size),))
    with torch.no_grad():
        for x, _ in DataLoader(Files(items, tf), batch_size=64):
            prepared(x)
    return convert_fx(prepared)


def compare(fp32, int8, loader):
    """Top-1, top-5 of both models, top-1 agreement, and int8's logits."""
    n = agree = 0
    top1 = {"fp32": 0, "int8": 0}
    top5 = {"fp32": 0, "int8": 0}
    logits = []
    with torch.no_grad():
        for x, y in loader:
            outs = {"fp32": fp32(x), "int8": int8(x)}
            for k, out in outs.items():
                best = out.topk(5, 1).indices
                top1[k] += (best[:, 0] == y).sum().item()
                top5[k] += (best == y[:, None]).any(1).sum().item()
            agree += (outs["fp32"].argmax(1) == outs["int8"].argmax(1)).sum().item()
            logits.append(outs["int8"].numpy())
            n += len(y)
    return n, top1, top5, agree, np.concatenate(logits)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="Tiny ImageNet root")
    ap.add_argument("--weights", required=True, help="model.pth of a tiny or tiny-bn model (classes.txt beside it)")
    ap.add_argument("--calib-n", type=int, default=512)
    ap.add_argument("--engine", default="onednn", choices=["onednn", "fbgemm", "qnnpack"])
    ap.add_argument("--observer", default="histogram", choices=["histogram", "minmax"])
    ap.add_argument("--fp32-layers", default="", help="comma-separated module names kept in float32")
    ap.add_argument("--size", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0, help="evaluate the first N validation images only")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--logits", help="save the int8 logits to this .npy file")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.quantized.engine = a.engine
    model = tiny_from_state_dict(torch.load(a.weights)).eval()
    classes = read_lines(os.path.join(os.path.dirname(a.weights), "classes.txt"))
    tf = eval_transform(a.size * 256 // 224, a.size)
    fp32_layers = [s for s in a.fp32_layers.split(",") if s]
    int8 = quantize(model, calibration_items(a.data, classes, a.calib_n), tf, a, fp32_layers)
    items = tiny_imagenet(a.data, "val", classes)
    if a.limit:
        items = items[:a.limit]
    n, top1, top5, agree, logits = compare(model, int8, DataLoader(Files(items, tf), batch_size=128, num_workers=2))
    if a.logits:
        np.save(a.logits, logits.astype(np.float32))
    print(json.dumps({"images": n, "engine": a.engine, "calib_n": a.calib_n, "observer": a.observer,
                      "fp32_layers": fp32_layers,
                      "fp32": {"top1": top1["fp32"] / n, "top5": top5["fp32"] / n},
                      "int8": {"top1": top1["int8"] / n, "top5": top5["int8"] / n},
                      "top1_agreement": agree / n}))


if __name__ == "__main__":
    main()
