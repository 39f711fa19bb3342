#!/usr/bin/python3
"""ONNX fixtures for package weights (testdata/onnx/).

Rerun from the repository root with Debian's PyTorch 1.13 and python3-onnx
1.12 (not a venv python), after testdata/gen/model.py:

    /usr/bin/python3 testdata/gen/tv_onnx.py

(Not named onnx.py: that would shadow the onnx module.) It loads the narrow torchvision AlexNet of testdata/model/tv_narrow/
(channels 8,16,24,16,16, hidden 32, 10 classes; model.py's seeded
weights) and writes it with torch.onnx.export (eval mode, constant folding
on, export_params) as
  tv_narrow_op<N>.onnx          opset N in 11, 13, 17, input (1,3,224,224)
  tv_narrow_op<N>_dyn.onnx      the same with a dynamic batch dimension
The logits these files must give are testdata/model/tv_narrow/logits.npy
(input x = (input_u8 - 128) / 64 from the same folder); the script checks
the model it exported against them and checks each file with
onnx.checker. Exports are deterministic: a rerun writes the same bytes.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import model as gen  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SRC = os.path.join(ROOT, "model", "tv_narrow")
OUT = os.path.join(ROOT, "onnx")


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    # torchvision's own AlexNet class (its forward is what gets traced),
    # with model.py's narrow modules in place of the full-size ones.
    m = torchvision.models.alexnet(num_classes=10)
    narrow = gen.alexnet("torchvision", (8, 16, 24, 16, 16), 32, 10)
    m.features, m.avgpool, m.classifier = narrow.features, narrow.avgpool, narrow.classifier
    m.eval()
    sd = {k: torch.from_numpy(np.load(os.path.join(SRC, k + ".npy"))) for k in m.state_dict()}
    m.load_state_dict(sd)
    u = np.load(os.path.join(SRC, "input_u8.npy"))
    x = (torch.from_numpy(u).float() - 128) / 64
    want = np.load(os.path.join(SRC, "logits.npy"))
    with torch.no_grad():
        got = m(x).numpy()
    assert np.abs(got - want).max() < 1e-5, np.abs(got - want).max()
    for opset in (11, 13, 17):
        for dyn in (False, True):
            name = "tv_narrow_op%d%s.onnx" % (opset, "_dyn" if dyn else "")
            path = os.path.join(OUT, name)
            axes = {"input": {0: "batch"}, "logits": {0: "batch"}} if dyn else None
            torch.onnx.export(m, x[:1], path, opset_version=opset, input_names=["input"],
                              output_names=["logits"], dynamic_axes=axes)
            mp = onnx.load(path)
            onnx.checker.check_model(mp)
            ops = [n.op_type for n in mp.graph.node]
            print(name, os.path.getsize(path), "bytes:", " ".join(ops))


if __name__ == "__main__":
    main()
