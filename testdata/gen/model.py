#!/usr/bin/python3
"""Fixtures for the nn and model packages, computed by PyTorch.

Rerun from the repository root with Debian's PyTorch (not a venv python):

    /usr/bin/python3 testdata/gen/model.py

Made with torch 1.13, torchvision 0.14, numpy 1.24; all randomness is seeded
(torch.manual_seed), so a rerun rewrites the same files up to library changes.

Writes
  testdata/nn/cases.json       per-op cases: op, attributes, tensor file names
  testdata/nn/<case>.<t>.npy   their inputs, parameters and PyTorch outputs
  testdata/model/summary.json  full-size torchvision, original, tiny and
                               tiny-bn (200 classes, 64x64) AlexNet:
                               state_dict names and shapes in order, per-layer
                               rows (module, type, output shape, parameters,
                               MACs) and totals; MACs count the multiply-adds
                               of Conv2d and Linear only
  testdata/model/<name>/       narrow AlexNets: config.json, every parameter as
                               <state_dict name>.npy, input_u8.npy and
                               logits.npy (eval mode)

The model inputs are stored as uint8 u (to keep fixtures small) and the input
tensor is x = (u - 128) / 64, exact in float32.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
NN = os.path.join(ROOT, "nn")
MODEL = os.path.join(ROOT, "model")


def save(path, t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else t
    if a.dtype != np.uint8:
        a = np.ascontiguousarray(a, dtype=np.float32)
    np.save(path, a)


def alexnet(arch, channels, hidden, classes):
    """AlexNet with torchvision's module layout.

    torchvision: features = Conv0 ReLU1 MaxPool2 Conv3 ReLU4 MaxPool5 Conv6
    ReLU7 Conv8 ReLU9 Conv10 ReLU11 MaxPool12.
    original (Krizhevsky et al. 2012): features = Conv0 ReLU1 LRN2 MaxPool3
    Conv4 ReLU5 LRN6 MaxPool7 Conv8 ReLU9 Conv10 ReLU11 Conv12 ReLU13
    MaxPool14, conv1 11x11/4 unpadded, groups=2 on conv2, conv4, conv5.
    tiny (64x64 inputs): torchvision's with conv1 5x5/2 padded 2 and a 3x3
    average pool; tiny-bn: tiny with a BatchNorm2d between each Conv2d and
    its ReLU (features 0 Conv 1 BN 2 ReLU 3 MaxPool 4 Conv 5 BN 6 ReLU
    7 MaxPool 8 Conv 9 BN 10 ReLU 11 Conv 12 BN 13 ReLU 14 Conv 15 BN
    16 ReLU 17 MaxPool).
    All: avgpool = AdaptiveAvgPool2d(6, 6) (tiny: 3, 3); classifier =
    Dropout0 Linear1 ReLU2 Dropout3 Linear4 ReLU5 Linear6.
    """
    c1, c2, c3, c4, c5 = channels
    side = 3 if arch in ("tiny", "tiny-bn") else 6
    if arch == "tiny-bn":
        bn = nn.BatchNorm2d
        f = [nn.Conv2d(3, c1, 5, 2, 2), bn(c1), nn.ReLU(True), nn.MaxPool2d(3, 2),
             nn.Conv2d(c1, c2, 5, padding=2), bn(c2), nn.ReLU(True), nn.MaxPool2d(3, 2),
             nn.Conv2d(c2, c3, 3, padding=1), bn(c3), nn.ReLU(True),
             nn.Conv2d(c3, c4, 3, padding=1), bn(c4), nn.ReLU(True),
             nn.Conv2d(c4, c5, 3, padding=1), bn(c5), nn.ReLU(True), nn.MaxPool2d(3, 2)]
    elif arch in ("torchvision", "tiny"):
        stem = nn.Conv2d(3, c1, 5, 2, 2) if arch == "tiny" else nn.Conv2d(3, c1, 11, 4, 2)
        f = [stem, nn.ReLU(True), nn.MaxPool2d(3, 2),
             nn.Conv2d(c1, c2, 5, padding=2), nn.ReLU(True), nn.MaxPool2d(3, 2),
             nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(True),
             nn.Conv2d(c3, c4, 3, padding=1), nn.ReLU(True),
             nn.Conv2d(c4, c5, 3, padding=1), nn.ReLU(True), nn.MaxPool2d(3, 2)]
    else:
        lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
        f = [nn.Conv2d(3, c1, 11, 4, 0), nn.ReLU(True), lrn(), nn.MaxPool2d(3, 2),
             nn.Conv2d(c1, c2, 5, padding=2, groups=2), nn.ReLU(True), lrn(), nn.MaxPool2d(3, 2),
             nn.Conv2d(c2, c3, 3, padding=1), nn.ReLU(True),
             nn.Conv2d(c3, c4, 3, padding=1, groups=2), nn.ReLU(True),
             nn.Conv2d(c4, c5, 3, padding=1, groups=2), nn.ReLU(True), nn.MaxPool2d(3, 2)]
    m = nn.Module()
    m.features = nn.Sequential(*f)
    m.avgpool = nn.AdaptiveAvgPool2d((side, side))
    m.classifier = nn.Sequential(
        nn.Dropout(0.5), nn.Linear(c5 * side * side, hidden), nn.ReLU(True),
        nn.Dropout(0.5), nn.Linear(hidden, hidden), nn.ReLU(True),
        nn.Linear(hidden, classes))
    return m


def forward(m, x):
    x = m.avgpool(m.features(x))
    return m.classifier(torch.flatten(x, 1))


def summary(m, size):
    """Leaf-module rows for a batch of one size×size image."""
    rows = []

    def hook(mod, inp, out):
        macs = 0
        if isinstance(mod, nn.Conv2d):
            macs = out.numel() * (mod.in_channels // mod.groups) * mod.kernel_size[0] * mod.kernel_size[1]
        elif isinstance(mod, nn.Linear):
            macs = mod.in_features * mod.out_features * out.shape[0]
        rows.append({"name": names[mod], "type": type(mod).__name__, "shape": list(out.shape),
                     "params": sum(p.numel() for p in mod.parameters()), "macs": macs})

    names = {mod: n for n, mod in m.named_modules() if n and not list(mod.children())}
    hs = [mod.register_forward_hook(hook) for mod in names]
    with torch.no_grad():
        forward(m.eval(), torch.zeros(1, 3, size, size))
    for h in hs:
        h.remove()
    return {
        "input_size": size,
        "state_dict": [[k, list(v.shape)] for k, v in m.state_dict().items()],
        "layers": rows,
        "params": sum(p.numel() for p in m.parameters()),
        "macs": sum(r["macs"] for r in rows),
    }


def write_summaries():
    tv = torchvision.models.alexnet()  # no weights: only shapes and counts
    orig = alexnet("original", (96, 256, 384, 384, 256), 4096, 1000)
    s_tv, s_orig = summary(tv, 224), summary(orig, 227)
    # Our torchvision layout must be torchvision's own.
    mine = alexnet("torchvision", (64, 192, 384, 256, 256), 4096, 1000)
    assert summary(mine, 224) == s_tv
    # tiny is torchvision.models.alexnet with the surgery of the PyTorch
    # training reference (scripts/trainref).
    sys.path.insert(0, os.path.join(ROOT, "..", "scripts", "trainref"))
    from trainref import tiny_alexnet
    tiny = tiny_alexnet((64, 192, 384, 256, 256), 4096, 200)
    s_tiny = summary(tiny, 64)
    assert summary(alexnet("tiny", (64, 192, 384, 256, 256), 4096, 200), 64) == s_tiny
    from trainref import tiny_bn_alexnet
    s_tiny_bn = summary(tiny_bn_alexnet((64, 192, 384, 256, 256), 4096, 200), 64)
    assert summary(alexnet("tiny-bn", (64, 192, 384, 256, 256), 4096, 200), 64) == s_tiny_bn
    with open(os.path.join(MODEL, "summary.json"), "w") as f:
        json.dump({"torchvision": s_tv, "original": s_orig, "tiny": s_tiny, "tiny-bn": s_tiny_bn}, f, indent=1)
    print("torchvision params", s_tv["params"], "MACs", s_tv["macs"])
    print("original    params", s_orig["params"], "MACs", s_orig["macs"])


def init_params(m, gain, other=None):
    """Draws m's parameters in m.modules() order: Conv2d and Linear weights
    N(0, gain/fan_in), their biases U(-0.1, 0.1), and other(mod) for every
    other module when given (one pass, so the draws stay in that order)."""
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.Conv2d, nn.Linear)):
                fan_in = mod.weight[0].numel()
                mod.weight.normal_(0, (gain / fan_in) ** 0.5)
                mod.bias.uniform_(-0.1, 0.1)
            elif other is not None:
                other(mod)


def trained_bn(mod):
    """Sets a BatchNorm2d's affine parameters and running statistics as if
    trained; other modules are left alone."""
    if isinstance(mod, nn.BatchNorm2d):
        mod.weight.uniform_(0.5, 1.5)
        mod.bias.uniform_(-0.2, 0.2)
        mod.running_mean.uniform_(-0.5, 0.5)
        mod.running_var.uniform_(0.5, 2.0)
        mod.num_batches_tracked.fill_(7)


def write_model(name, arch, channels, hidden, classes, size):
    torch.manual_seed(1234)
    m = alexnet(arch, channels, hidden, classes).eval()
    # He-normal weights keep activations O(1) through the narrow net, so the
    # 1e-4 tolerance on logits is a tight test.
    init_params(m, 2.0, trained_bn)
    u = torch.randint(0, 256, (2, 3, size, size), dtype=torch.uint8)
    x = (u.float() - 128) / 64
    with torch.no_grad():
        y = forward(m, x)
    d = os.path.join(MODEL, name)
    os.makedirs(d, exist_ok=True)
    for k, v in m.state_dict().items():
        save(os.path.join(d, k + ".npy"), v)
    save(os.path.join(d, "input_u8.npy"), u.numpy())
    save(os.path.join(d, "logits.npy"), y)
    cfg = {"arch": arch, "channels": list(channels), "hidden": hidden, "num_classes": classes,
           "input_size": size, "state_dict": list(m.state_dict().keys())}
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    print(name, "logits", tuple(y.shape), "max |logit|", float(y.abs().max()))


def write_ops():
    torch.manual_seed(42)
    cases = []

    def case(name, op, attrs, module, x, inplace_ok=True):
        with torch.no_grad():
            y = module.eval()(x.clone())
        files = {"x": name + ".x.npy", "y": name + ".y.npy"}
        save(os.path.join(NN, files["x"]), x)
        save(os.path.join(NN, files["y"]), y)
        for k, v in module.state_dict().items():
            files[k] = name + "." + k + ".npy"
            save(os.path.join(NN, files[k]), v)
        cases.append({"name": name, "op": op, "attrs": attrs, "files": files})

    def conv(name, cin, cout, k, s, p, g, shape):
        m = nn.Conv2d(cin, cout, k, stride=s, padding=p, groups=g)
        attrs = {"in": cin, "out": cout, "kernel": k, "stride": s, "padding": p, "groups": g}
        case(name, "conv2d", attrs, m, torch.randn(shape))

    conv("conv_k11_s4_p2", 3, 5, 11, 4, 2, 1, (2, 3, 23, 25))
    conv("conv_k5_p2_g2", 4, 6, 5, 1, 2, 2, (2, 4, 9, 8))
    conv("conv_k3_s2_p1_g3", 6, 9, 3, 2, 1, 3, (1, 6, 7, 7))
    conv("conv_k3_p0_g1", 5, 4, 3, 1, 0, 1, (1, 5, 3, 6))
    case("linear", "linear", {"in": 37, "out": 11}, nn.Linear(37, 11), torch.randn(3, 37))
    case("linear_b1", "linear", {"in": 20, "out": 7}, nn.Linear(20, 7), torch.randn(1, 20))
    case("linear_b9", "linear", {"in": 13, "out": 5}, nn.Linear(13, 5), torch.randn(9, 13))
    case("relu", "relu", {}, nn.ReLU(), torch.randn(2, 3, 4, 5))
    for k, s, shape in [(3, 2, (2, 3, 13, 13)), (3, 2, (1, 2, 15, 14)), (2, 3, (1, 2, 8, 11))]:
        case("maxpool_k%d_s%d_%dx%d" % (k, s, shape[2], shape[3]), "maxpool2d",
             {"kernel": k, "stride": s}, nn.MaxPool2d(k, s), torch.randn(shape))
    for (h, w), (oh, ow) in [((13, 13), (6, 6)), ((5, 5), (6, 6)), ((7, 9), (3, 4)), ((6, 6), (6, 6))]:
        case("adaptiveavg_%dx%d_to_%dx%d" % (h, w, oh, ow), "adaptiveavgpool2d",
             {"out_h": oh, "out_w": ow}, nn.AdaptiveAvgPool2d((oh, ow)), torch.randn(2, 3, h, w))
    for size, alpha, beta, k in [(5, 1e-4, 0.75, 2.0), (4, 1e-2, 0.6, 1.5), (5, 0.5, 0.75, 1.0), (2, 0.1, 0.5, 0.8)]:
        case("lrn_size%d_k%g" % (size, k), "lrn", {"size": size, "alpha": alpha, "beta": beta, "k": k},
             nn.LocalResponseNorm(size, alpha, beta, k), 10 * torch.randn(2, 7, 5, 4))
    case("softmax", "softmax", {}, nn.Softmax(dim=1), 5 * torch.randn(3, 10))
    with open(os.path.join(NN, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


def main():
    os.makedirs(NN, exist_ok=True)
    os.makedirs(MODEL, exist_ok=True)
    torch.set_num_threads(1)
    write_ops()
    write_summaries()
    write_model("tv_narrow", "torchvision", (8, 16, 24, 16, 16), 32, 10, 224)
    write_model("orig_narrow", "original", (8, 16, 24, 24, 16), 32, 10, 227)
    write_model("tiny_narrow", "tiny", (8, 16, 24, 16, 16), 32, 10, 64)
    write_model("tiny_bn_narrow", "tiny-bn", (8, 16, 24, 16, 16), 32, 10, 64)


if __name__ == "__main__":
    main()
