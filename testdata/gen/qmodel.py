#!/usr/bin/python3
"""PyTorch's own int8 of the narrow fixture models: the reference of package
qmodel's test against PyTorch (qmodel/torch_test.go).

Rerun from the repository root with Debian's PyTorch 1.13 (not a venv
python), after testdata/gen/model.py:

    /usr/bin/python3 testdata/gen/qmodel.py

Each of tiny_narrow, tiny_bn_narrow and tv_narrow (testdata/model/<name>,
written by model.py) is rebuilt as model.py builds it, loaded with the
fixture's state dict and quantized by torch 1.13's FX graph mode
post-training quantization as scripts/trainref/int8ref.py does: the default
QConfigMapping of the onednn engine (Debian's torch has no fbgemm), i.e.
activations quint8 over the full 0..255 range (HistogramObserver,
reduce_range False) and weights qint8 symmetric per output channel
(PerChannelMinMaxObserver); prepare_fx fuses each convolution with its batch
norm and ReLU. The calibration data is the fixture's own input batch
(input_u8.npy, x = (u - 128) / 64), one forward pass.

Writes testdata/quant/<name>/:
  logits_fp32.npy  the float32 model's logits on the batch (N, classes)
  logits_int8.npy  the int8 model's logits (the last Linear's quint8
                   output, dequantized)
  qparams.json     torch's version and engine, and per quantized layer in
                   forward order (torchvision names, "features.0" ...
                   "classifier.6"): the scale and zero point of the quint8
                   tensor the converted layer is given (for features.0 the
                   quantize_per_tensor of the images; for the others the
                   output quantizer of the layer before, through the pools,
                   flatten and dropout, which keep their input's), the
                   per-channel weight scales (zero points all 0, checked),
                   and the scale and zero point of its output

Floats are written as Python floats of float32 values (exact), so Go reads
them back bit for bit. Everything is deterministic (integer kernels, one
thread); a rerun rewrites the same files up to library changes.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

GEN = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(GEN, "..")
sys.path.insert(0, GEN)
from model import alexnet  # noqa: E402

ENGINE = "onednn"
MODELS = ["tiny_narrow", "tiny_bn_narrow", "tv_narrow"]


class Net(nn.Module):
    """model.py's alexnet() with a forward (model.py's forward()), for FX
    tracing; the module names stay torchvision's."""

    def __init__(self, m):
        super().__init__()
        self.features, self.avgpool, self.classifier = m.features, m.avgpool, m.classifier

    def forward(self, x):
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def load(name):
    d = os.path.join(ROOT, "model", name)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    m = Net(alexnet(cfg["arch"], cfg["channels"], cfg["hidden"], cfg["num_classes"]))
    sd = {}
    for k in cfg["state_dict"]:
        v = torch.from_numpy(np.load(os.path.join(d, k + ".npy")))
        sd[k] = v.long() if k.endswith("num_batches_tracked") else v
    m.load_state_dict(sd)
    u = torch.from_numpy(np.load(os.path.join(d, "input_u8.npy")))
    return m.eval(), (u.float() - 128) / 64


def quantized_layers(q):
    """The converted model's quantized Conv2d/Linear modules (fused with
    their ReLUs), by torchvision name, in forward order."""
    return [(n, mod) for n, mod in q.named_modules()
            if hasattr(mod, "weight") and callable(mod.weight) and mod.weight().is_quantized]


def quantize(m, x):
    """FX PTQ of m calibrated on x; returns the int8 model, its logits on x
    and per layer the qparams of its input (recorded by pre-hooks)."""
    prepared = prepare_fx(m, get_default_qconfig_mapping(ENGINE), example_inputs=(x,))
    with torch.no_grad():
        prepared(x)
    q = convert_fx(prepared)
    inputs = {}

    def hook(name):
        def pre(mod, args):
            t = args[0]
            assert t.is_quantized and t.dtype == torch.quint8, name
            inputs[name] = (t.q_scale(), t.q_zero_point())
        return pre

    layers = quantized_layers(q)
    hs = [mod.register_forward_pre_hook(hook(n)) for n, mod in layers]
    with torch.no_grad():
        y = q(x)
    for h in hs:
        h.remove()
    out = []
    for n, mod in layers:
        w = mod.weight()
        assert w.dtype == torch.qint8 and w.qscheme() == torch.per_channel_affine and w.q_per_channel_axis() == 0
        assert (w.q_per_channel_zero_points() == 0).all(), n
        scales = w.q_per_channel_scales()
        assert (scales.float().double() == scales).all(), n  # float32 values
        s, zp = inputs[n]
        out.append({"name": n, "input_scale": f32(s), "input_zero_point": zp, "input_qmin": 0, "input_qmax": 255,
                    "weight_scales": [float(v) for v in scales], "output_scale": f32(mod.scale),
                    "output_zero_point": int(mod.zero_point)})
    return y, out


def f32(v):
    """v, a float32 value held as a Python float; checked."""
    f = float(np.float32(v))
    assert f == float(v), v
    return f


def write(name):
    m, x = load(name)
    with torch.no_grad():
        fp32 = m(x)
    int8, layers = quantize(m, x)
    d = os.path.join(ROOT, "quant", name)
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "logits_fp32.npy"), fp32.numpy().astype(np.float32))
    np.save(os.path.join(d, "logits_int8.npy"), int8.numpy().astype(np.float32))
    with open(os.path.join(d, "qparams.json"), "w") as f:
        json.dump({"torch": torch.__version__, "engine": ENGINE, "observer": "HistogramObserver",
                   "layers": layers}, f, indent=1)
        f.write("\n")
    print(name, "int8 - fp32 max abs %.4g, fp32 range %.4g, top-1 equal %s" % (
        float((int8 - fp32).abs().max()), float(fp32.max() - fp32.min()),
        bool((int8.argmax(1) == fp32.argmax(1)).all())))


def main():
    torch.set_num_threads(1)
    torch.backends.quantized.engine = ENGINE
    for name in MODELS:
        write(name)


if __name__ == "__main__":
    main()
