#!/usr/bin/python3
"""Fixtures for package quant (testdata/quant/quant.json).

Rerun from the repository root with Debian's PyTorch 1.13 and numpy:

    /usr/bin/python3 testdata/gen/quant.py

Everything comes from torch.manual_seed(0) and fixed literals. Floats are
written as Python floats (the exact value of each float32), so Go reads
them back bit for bit. The file holds:
  per_channel     weight matrices w (outC first) with what
                  PerChannelMinMaxObserver(qscheme=per_channel_symmetric,
                  dtype=qint8) -- fbgemm's default weight observer in
                  get_default_qconfig("fbgemm") -- computes (scales) and
                  torch.quantize_per_channel(w, scales, 0, axis=0, qint8)
                  gives (q); cases with an all-zero channel (the eps
                  clamp) and with exact .5 ties
  minmax          batches observed one after the other by MinMaxObserver
                  (quint8, per_tensor_affine, reduce_range True and
                  False), with its scale, zero point, quant_min, quant_max
  histogram       batches observed one after the other by HistogramObserver
                  (quint8, reduce_range True as get_default_qconfig("fbgemm")
                  uses it, and False): its min_val, max_val, scale and zero
                  point, and for some cases its 2048-bin histogram
  per_tensor      torch.quantize_per_tensor(x, scale, zero_point, dtype):
                  q and q.dequantize(), including values whose x/scale is
                  exactly .5 (rounded half to even)
"""
import json
import os

import torch
from torch.ao.quantization.observer import HistogramObserver, MinMaxObserver, PerChannelMinMaxObserver

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "quant", "quant.json")


def floats(t):
    return [float(v) for v in t.detach().float().flatten()]


def ints(t):
    return [int(v) for v in t.flatten()]


def per_channel_case(w):
    obs = PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
    obs(w)
    scale, zp = obs.calculate_qparams()
    assert (zp == 0).all()
    q = torch.quantize_per_channel(w, scale.double(), zp, 0, torch.qint8)
    return {"shape": list(w.shape), "w": floats(w), "scales": floats(scale), "q": ints(q.int_repr()),
            "qmin": obs.quant_min, "qmax": obs.quant_max}


def per_channel():
    ties = torch.tensor([[127.5, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5],
                         [1.0, 2.0, 3.0, 4.0, 0.0, 0.0, 0.0, 0.0],
                         [0.0] * 8,
                         [-1e-3, 2e-3, -3e-3, 1e-9, 0.0, 0.0, 0.0, 0.0]])
    return [
        per_channel_case(torch.randn(4, 3, 3, 3)),
        per_channel_case(torch.randn(6, 10) * torch.tensor([1e-3, 1e-1, 1.0, 10.0, 100.0, 0.0]).reshape(6, 1)),
        per_channel_case(ties),
    ]


def minmax_case(batches, reduce_range):
    obs = MinMaxObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine, reduce_range=reduce_range)
    for b in batches:
        obs(b)
    scale, zp = obs.calculate_qparams()
    return {"reduce_range": reduce_range, "batches": [floats(b) for b in batches],
            "scale": float(scale[0]), "zero_point": int(zp[0]), "qmin": obs.quant_min, "qmax": obs.quant_max}


def minmax():
    cases = []
    sets = [
        [torch.randn(50) * 3, torch.randn(50) + 2],            # both signs, two batches
        [torch.relu(torch.randn(80)) * 7],                      # post-ReLU: min 0
        [-torch.rand(40) * 0.01 - 0.5],                         # all negative
        [torch.zeros(10)],                                      # all zero: eps scale
        [torch.randn(30) * 1e-6 + 1e-3],                        # tiny range
    ]
    for s in sets:
        for rr in (True, False):
            cases.append(minmax_case(s, rr))
    return cases


def histogram_case(batches, reduce_range, keep_hist):
    obs = HistogramObserver(dtype=torch.quint8, qscheme=torch.per_tensor_affine, reduce_range=reduce_range)
    for b in batches:
        obs(b)
    scale, zp = obs.calculate_qparams()
    c = {"reduce_range": reduce_range, "batches": [floats(b) for b in batches],
         "min": float(obs.min_val), "max": float(obs.max_val),
         "scale": float(scale[0]), "zero_point": int(zp[0]), "qmin": obs.quant_min, "qmax": obs.quant_max}
    if keep_hist:
        c["hist"] = floats(obs.histogram)
    return c


def histogram():
    relu = lambda n, s: torch.relu(torch.randn(n)) * s
    sets = [
        ([torch.randn(300) * 2], True),                               # one batch, both signs
        ([relu(400, 3.0), relu(400, 5.0), relu(400, 2.0)], True),     # growing range: combined
        ([torch.rand(200) * 0.9], False),                             # int(min) == int(max): data range
        ([torch.randn(200), torch.randn(200) * 4 - 1, torch.randn(50) * 0.5], False),
        ([torch.cat([torch.randn(500), torch.tensor([40.0, -30.0])])], False),  # outliers clipped
        ([torch.zeros(20), relu(100, 2.0)], False),                   # min == max first: restart
    ]
    return [histogram_case(b, rr, keep_hist=i < 2) for rr in (True, False) for i, (b, _) in enumerate(sets)
            if rr or i >= 2]


def per_tensor():
    cases = []
    x = torch.cat([torch.randn(40) * 2,
                   torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 127.5, -128.5, 300.0, -300.0])])
    for scale, zp, dtype in [(1.0, 0, torch.qint8), (1.0, 3, torch.quint8), (0.5, 128, torch.quint8),
                             (0.0314159, 0, torch.qint8), (0.0314159, 64, torch.quint8), (0.25, -5, torch.qint8)]:
        q = torch.quantize_per_tensor(x, scale, zp, dtype)
        info = torch.iinfo(dtype)
        cases.append({"scale": float(torch.tensor(scale, dtype=torch.float32)), "zero_point": zp,
                      "qmin": info.min, "qmax": info.max, "x": floats(x),
                      "q": ints(q.int_repr()), "dequant": floats(q.dequantize())})
    # The fbgemm comment's example: x*(1/scale) is 127.5, x/scale 127.49999.
    s = float(torch.tensor(0.00214854861, dtype=torch.float32))
    x = torch.tensor([0.273939937])
    q = torch.quantize_per_tensor(x, s, 0, torch.quint8)
    cases.append({"scale": s, "zero_point": 0, "qmin": 0, "qmax": 255, "x": floats(x),
                  "q": ints(q.int_repr()), "dequant": floats(q.dequantize())})
    return cases


def main():
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "per_channel": per_channel(), "minmax": minmax(), "histogram": histogram(),
           "per_tensor": per_tensor()}
    with open(OUT, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
