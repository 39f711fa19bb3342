#!/usr/bin/python3
"""Fixtures for nn.BatchNorm2d, computed by PyTorch.

Rerun from the repository root with Debian's PyTorch (not a venv python):

    /usr/bin/python3 testdata/gen/batchnorm.py

Made with torch 1.13, numpy 1.24, one thread (torch.set_num_threads(1)); all
randomness is seeded (torch.manual_seed), so a rerun rewrites the same files up
to library changes.

Writes, under testdata/nn/batchnorm/:
  cases.json        per case: name, op "batchnorm2d", attributes (c, eps,
                    momentum, relu, num_batches_tracked before the first
                    call) and the file of each tensor below
  <case>.<t>.npy    float32 tensors t of one torch.nn.BatchNorm2d (followed by
                    torch.nn.ReLU when relu is 1) with non-default parameters
                    and running statistics:
      weight, bias, running_mean, running_var   before the first call
      x, dy        a first training batch and the upstream gradient of
                   loss = (y*dy).sum()
      y            the training-mode output for x
      dx, grad.weight, grad.bias                that loss's gradients
      running_mean1, running_var1               the running statistics after
                                                the first training call
      x2, y2       a second training batch and its output
      running_mean2, running_var2               after the second call
      y_eval       the eval-mode output for x, with the running statistics
                   after the second call
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nn", "batchnorm")


def save(path, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    np.save(path, np.ascontiguousarray(a, dtype=np.float32))


def batch(shape):
    """A batch with a different mean and scale in each channel."""
    c = shape[1]
    scale = (0.5 + 2 * torch.rand(c)).view(1, c, 1, 1)
    shift = (2 * torch.randn(c)).view(1, c, 1, 1)
    return torch.randn(shape) * scale + shift


def write_case(cases, name, shape, relu, eps=1e-5, momentum=0.1, tracked=0):
    c = shape[1]
    bn = nn.BatchNorm2d(c, eps=eps, momentum=momentum)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(c))
        bn.bias.copy_(torch.randn(c))
        bn.running_mean.copy_(torch.randn(c))
        bn.running_var.copy_(0.5 + torch.rand(c))
        bn.num_batches_tracked.fill_(tracked)
    m = nn.Sequential(bn, nn.ReLU()) if relu else bn
    t = {"weight": bn.weight, "bias": bn.bias,
         "running_mean": bn.running_mean.clone(), "running_var": bn.running_var.clone()}

    m.train()
    x = batch(shape).requires_grad_(True)
    y = m(x)
    dy = torch.randn_like(y)
    (y * dy).sum().backward()
    t.update({"x": x, "dy": dy, "y": y, "dx": x.grad, "grad.weight": bn.weight.grad, "grad.bias": bn.bias.grad,
              "running_mean1": bn.running_mean.clone(), "running_var1": bn.running_var.clone()})
    with torch.no_grad():
        x2 = batch(shape)
        t.update({"x2": x2, "y2": m(x2),
                  "running_mean2": bn.running_mean.clone(), "running_var2": bn.running_var.clone()})
        assert int(bn.num_batches_tracked) == tracked + 2
        m.eval()
        t["y_eval"] = m(x)

    files = {}
    for k, v in t.items():
        files[k] = name + "." + k + ".npy"
        save(os.path.join(OUT, files[k]), v)
    attrs = {"c": c, "eps": eps, "momentum": momentum, "relu": int(relu), "num_batches_tracked": tracked}
    cases.append({"name": name, "op": "batchnorm2d", "attrs": attrs, "files": files})


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(44)
    cases = []
    write_case(cases, "bn_4x3x5x5", (4, 3, 5, 5), relu=False)
    write_case(cases, "bn_2x16x4x4_relu", (2, 16, 4, 4), relu=True, eps=1e-3, momentum=0.3, tracked=5)
    write_case(cases, "bn_8x5x1x1_relu", (8, 5, 1, 1), relu=True)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
