#!/usr/bin/python3
"""Make the int8 QDQ ONNX model for the ort-int8 engine from the fp32 export.

Usage: quantize_onnx.py FP32.onnx OUT.onnx [--calib-n 8] [--check-n 8]

onnxruntime's Python quantization tool is not installed here, so this does
by hand (onnx.helper, numpy_helper) what its quantize_static does in the QDQ
format, on the graph that export_onnx.py wrote:

  - each Conv and Gemm weight becomes an int8 initializer, symmetric per
    output channel (scale max|w|/127, zero point 0), read through a
    DequantizeLinear (axis 0; Gemm has transB=1, so axis 0 is its columns);
  - each bias becomes int32 with scale input scale × weight scale, zero point
    0, through a DequantizeLinear, as QLinearConv and QGemm take it;
  - the graph input, every Relu output and the outputs of the MaxPool,
    AveragePool and Flatten after them go through QuantizeLinear then
    DequantizeLinear, uint8: the input asymmetric over its calibrated range,
    a Relu output over [0, max] with zero point 0 (so that ORT removes the
    Relu), a pooling or Flatten output with its input's scale and zero point
    (so that ORT runs it on uint8 and drops the pair).

ONNX Runtime (graph optimisation level all) then fuses DQ → Conv → Relu → Q
into QLinearConv, DQ → Gemm (→ Relu → Q) into QGemm, and runs MaxPool,
AveragePool and Flatten on uint8; the last Gemm's output stays float32.

Calibration: the ranges are the min and max of each tensor over --calib-n
seeded random normalised images (seed 2, torch.randn) run through the same
torchvision AlexNet (seed 0) in PyTorch, read with forward hooks. Besides
OUT.onnx it writes OUT.onnx.ref-input.f32 and OUT.onnx.ref-logits.f32: --check-n
other seeded images (seed 3) and PyTorch's float32 logits for them, for
`ort.mjs --check`.
"""
import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torchvision
from onnx import helper, numpy_helper


def calibrate(model, n, batch=4):
    """Min and max of the input and of every module's output over n seeded
    images: {"input": (lo, hi), "features.1": (lo, hi), ...}."""
    ranges = {}

    def note(name, t):
        lo, hi = t.min().item(), t.max().item()
        if name in ranges:
            lo, hi = min(lo, ranges[name][0]), max(hi, ranges[name][1])
        ranges[name] = (lo, hi)

    hooks = [m.register_forward_hook(lambda m, i, o, name=name: note(name, o))
             for name, m in model.named_modules() if name]
    g = torch.Generator().manual_seed(2)
    with torch.inference_mode():
        for i in range(0, n, batch):
            x = torch.randn(min(batch, n - i), 3, 224, 224, generator=g)
            note("input", x)
            model(x)
    for h in hooks:
        h.remove()
    return ranges


def module_of(tensor):
    """The torchvision module whose output an exported tensor is:
    "/features/features.1/Relu_output_0" -> "features.1",
    "/avgpool/AveragePool_output_0" -> "avgpool"."""
    parts = tensor.strip("/").split("/")
    return parts[-2] if len(parts) >= 3 else parts[0]


def u8_params(lo, hi):
    """Scale and zero point of uint8 over [lo, hi] (widened to hold 0)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = (hi - lo) / 255 or 1.0
    zp = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zp)


class Rewriter:
    """Adds initializers and Q/DQ nodes to a graph."""

    def __init__(self, graph):
        self.g = graph
        self.inits = {i.name: i for i in graph.initializer}
        self.nodes = []  # new nodes, placed before the first consumer

    def const(self, name, arr):
        self.g.initializer.append(numpy_helper.from_array(arr, name))
        return name

    def dq(self, name, q, scale, zp, axis=None):
        """DequantizeLinear of initializer q: the name of its output."""
        s = self.const(name + "_scale", scale)
        z = self.const(name + "_zero_point", zp)
        out = name + "_dequantized"
        kw = {} if axis is None else {"axis": axis}
        self.nodes.append(helper.make_node("DequantizeLinear", [self.const(name + "_quantized", q), s, z], [out],
                                           name=name + "_DequantizeLinear", **kw))
        return out

    def qdq(self, tensor, scale, zp):
        """QuantizeLinear then DequantizeLinear of an activation tensor:
        the name of the dequantized one."""
        s = self.const(tensor + "_scale", np.array(scale, np.float32))
        z = self.const(tensor + "_zero_point", np.array(zp, np.uint8))
        q, out = tensor + "_quantized", tensor + "_dequantized"
        self.nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [q], name=tensor + "_QuantizeLinear"))
        self.nodes.append(helper.make_node("DequantizeLinear", [q, s, z], [out], name=tensor + "_DequantizeLinear"))
        return out

    def take(self, name):
        """Removes initializer name and returns its array."""
        init = self.inits.pop(name)
        self.g.initializer.remove(init)
        return numpy_helper.to_array(init)


def quantize(model, ranges):
    """Rewrites model's graph in place into the QDQ form, with the
    activation ranges of calibrate()."""
    g = model.graph
    rw = Rewriter(g)
    act = {}  # activation tensor -> (scale, zero point) of its uint8 form
    x = g.input[0].name
    act[x] = u8_params(*ranges["input"])
    producer = {}
    for n in g.node:
        for o in n.output:
            producer[o] = n
        if n.op_type == "Relu":
            act[n.output[0]] = u8_params(0.0, ranges[module_of(n.output[0])][1])
        elif n.op_type in ("MaxPool", "AveragePool", "Flatten") and n.input[0] in act:
            act[n.output[0]] = act[n.input[0]]
    renamed = {t: rw.qdq(t, *sz) for t, sz in act.items()}
    for n in g.node:
        if n.op_type in ("Conv", "Gemm"):
            if n.input[0] not in act:
                raise SystemExit(f"{n.name}: input {n.input[0]} has no calibrated range")
            sx = act[n.input[0]][0]
            w = rw.take(n.input[1]).astype(np.float32)
            sw = np.abs(w.reshape(len(w), -1)).max(axis=1) / 127
            sw = np.where(sw > 0, sw, 1).astype(np.float32)
            wq = np.clip(np.round(w / sw.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
            n.input[1] = rw.dq(n.input[1], wq, sw, np.zeros(len(sw), np.int8), axis=0)
            if len(n.input) > 2 and n.input[2]:
                b = rw.take(n.input[2]).astype(np.float64)
                sb = (np.float64(sx) * sw).astype(np.float32)
                bq = np.round(b / sb).astype(np.int32)
                n.input[2] = rw.dq(n.input[2], bq, sb, np.zeros(len(sb), np.int32), axis=0)
        for i, t in enumerate(n.input):
            if t in renamed:
                n.input[i] = renamed[t]
    # Topological order: each new node right after the node that makes its
    # input; those of initializers and of the graph input first.
    made = {o for m in rw.nodes for o in m.output}
    byin = {}
    for m in rw.nodes:
        byin.setdefault(m.input[0], []).append(m)
    out = []

    def emit(node):
        out.append(node)
        for o in node.output:
            for m in byin.get(o, []):
                emit(m)

    for m in rw.nodes:
        if m.input[0] not in producer and m.input[0] not in made:
            emit(m)
    for n in g.node:
        emit(n)
    del g.node[:]
    g.node.extend(out)
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fp32")
    ap.add_argument("out")
    ap.add_argument("--calib-n", type=int, default=8)
    ap.add_argument("--check-n", type=int, default=8)
    a = ap.parse_args()

    torch.manual_seed(0)
    net = torchvision.models.alexnet().eval()  # the weights export_onnx.py exported
    model = onnx.load(a.fp32)
    sd = net.state_dict()
    for init in model.graph.initializer:
        if init.name in sd and not np.array_equal(numpy_helper.to_array(init), sd[init.name].numpy()):
            raise SystemExit(f"{a.fp32}: {init.name} is not torchvision AlexNet's with seed 0; delete it to re-export")
    quantize(model, calibrate(net, a.calib_n))
    tmp = a.out + ".tmp"
    onnx.save(model, tmp)
    g = torch.Generator().manual_seed(3)
    x = torch.randn(a.check_n, 3, 224, 224, generator=g)
    with torch.inference_mode():
        ref = net(x)
    x.numpy().astype("<f4").tofile(a.out + ".ref-input.f32")
    ref.numpy().astype("<f4").tofile(a.out + ".ref-logits.f32")
    os.replace(tmp, a.out)
    print(f"wrote {a.out} (int8 QDQ, calibrated on {a.calib_n} images; onnx {onnx.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
