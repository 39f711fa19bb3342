#!/usr/bin/python3
"""Fixtures for training: backward passes, loss, SGD and schedules, by PyTorch.

Rerun from the repository root with Debian's PyTorch (not a venv python):

    /usr/bin/python3 testdata/gen/train.py

Made with torch 1.13, numpy 1.24; all randomness is seeded (torch.manual_seed),
so a rerun rewrites the same files up to library changes. Format version 1.

Writes, under testdata/train/:
  ops/cases.json, ops/<case>.<t>.npy
      per-op backward cases: op, attributes and the files of x, the
      parameters, a random dy of the shape of y = op(x), dx = dy·∂y/∂x and
      each parameter's gradient grad.<param>; dropout cases also hold the
      keep mask (uint8)
  tv_narrow/, orig_narrow/
      narrow AlexNets (testdata/gen/model.py's alexnet(); weights
      N(0, 1/fan_in), biases U(-0.1, 0.1))
      trained in train mode on one fixed batch for 10 steps of torch.optim.SGD
      (lr 0.01, momentum 0.9, weight decay 5e-4) with nn.CrossEntropyLoss:
        config.json          architecture, widths, input size, batch, label
                             smoothing, SGD settings, state_dict names, the
                             losses of the 10 steps, and per parameter the L2
                             norm after the 10 steps and of the total update
        <name>.npy           every parameter before the first step
        grad.<name>.npy      every parameter's gradient at the first step
        logits.npy           the logits of the first step
        input_u8.npy         the batch u; the input is x = (u - 128) / 64
        labels_u8.npy        the class labels
        mask.classifier.<i>.npy  (steps, N, features) uint8: the keep masks
                             nn.Dropout drew at each step (replayed from its
                             RNG state; dropout p = 0.5 as in the model)
  loss.json        cross-entropy cases: logits, labels, label smoothing, loss
                   and the gradient of the logits
  sgd.json         torch.optim.SGD settings, two parameters, a gradient per
                   step and the parameters after each step
  schedules.json   StepLR, ReduceLROnPlateau and LinearLR+CosineAnnealingLR
                   (SequentialLR) settings, metrics and the learning rate
                   after each scheduler step

The model inputs are stored as uint8 u and x = (u - 128) / 64, exact in float32.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import alexnet, forward, init_params, save  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "train")
OPS = os.path.join(ROOT, "ops")
STEPS = 10
SGD = {"lr": 0.01, "momentum": 0.9, "weight_decay": 5e-4, "dampening": 0.0, "nesterov": False}


def f32(t):
    """A tensor as a (nested) list of Python floats, exact for float32."""
    return t.detach().double().tolist()


def write_ops():
    torch.manual_seed(43)
    cases = []

    def case(name, op, attrs, fn, params, x, mask=None):
        x = x.clone().requires_grad_(True)
        y = fn(x)
        dy = torch.randn_like(y)
        y.backward(dy)
        files = {}
        for k, v in [("x", x), ("dy", dy), ("dx", x.grad)]:
            files[k] = name + "." + k + ".npy"
            save(os.path.join(OPS, files[k]), v)
        for k, p in params.items():
            for key, v in [(k, p), ("grad." + k, p.grad)]:
                files[key] = name + "." + key + ".npy"
                save(os.path.join(OPS, files[key]), v)
        if mask is not None:
            files["mask"] = name + ".mask.npy"
            save(os.path.join(OPS, files["mask"]), mask.to(torch.uint8).numpy())
        cases.append({"name": name, "op": op, "attrs": attrs, "files": files})

    def conv(name, cin, cout, k, s, p, g, shape, relu=False):
        m = nn.Conv2d(cin, cout, k, stride=s, padding=p, groups=g)
        attrs = {"in": cin, "out": cout, "kernel": k, "stride": s, "padding": p, "groups": g, "relu": int(relu)}
        fn = (lambda x: F.relu(m(x))) if relu else m
        case(name, "conv2d", attrs, fn, {"weight": m.weight, "bias": m.bias}, torch.randn(shape))

    conv("conv_k11_s4_p2", 3, 5, 11, 4, 2, 1, (1, 3, 23, 25))
    conv("conv_k5_p2_g2", 4, 6, 5, 1, 2, 2, (2, 4, 9, 8))
    conv("conv_k3_s2_p1_g3", 6, 9, 3, 2, 1, 3, (1, 6, 7, 7))
    conv("conv_k3_p1_relu", 4, 6, 3, 1, 1, 1, (2, 4, 6, 6), relu=True)
    conv("conv_k3_p1_g2_relu", 4, 6, 3, 1, 1, 2, (3, 4, 5, 7), relu=True)

    def linear(name, fin, fout, n, relu=False):
        m = nn.Linear(fin, fout)
        fn = (lambda x: F.relu(m(x))) if relu else m
        case(name, "linear", {"in": fin, "out": fout, "relu": int(relu)}, fn,
             {"weight": m.weight, "bias": m.bias}, torch.randn(n, fin))

    linear("linear", 37, 11, 3)
    linear("linear_b1", 20, 7, 1)
    linear("linear_relu_b9", 13, 5, 9, relu=True)
    case("relu", "relu", {}, F.relu, {}, torch.randn(2, 3, 4, 5))
    for k, s, shape in [(3, 2, (2, 3, 13, 13)), (3, 2, (1, 2, 15, 14)), (2, 3, (1, 2, 8, 11))]:
        case("maxpool_k%d_s%d_%dx%d" % (k, s, shape[2], shape[3]), "maxpool2d",
             {"kernel": k, "stride": s}, nn.MaxPool2d(k, s), {}, torch.randn(shape))
    # Ties everywhere: the gradient goes to the first maximum of each window.
    case("maxpool_ties", "maxpool2d", {"kernel": 3, "stride": 2}, nn.MaxPool2d(3, 2), {},
         torch.randint(0, 3, (2, 3, 9, 9)).float())
    for (h, w), (oh, ow) in [((13, 13), (6, 6)), ((5, 5), (6, 6)), ((7, 9), (3, 4)), ((2, 2), (6, 6))]:
        case("adaptiveavg_%dx%d_to_%dx%d" % (h, w, oh, ow), "adaptiveavgpool2d",
             {"out_h": oh, "out_w": ow}, nn.AdaptiveAvgPool2d((oh, ow)), {}, torch.randn(2, 3, h, w))
    for size, alpha, beta, k in [(5, 1e-4, 0.75, 2.0), (4, 1e-2, 0.6, 1.5), (5, 0.5, 0.75, 1.0), (2, 0.1, 0.5, 0.8)]:
        case("lrn_size%d_k%g" % (size, k), "lrn", {"size": size, "alpha": alpha, "beta": beta, "k": k},
             nn.LocalResponseNorm(size, alpha, beta, k), {}, 3 * torch.randn(2, 7, 5, 4))
    case("softmax", "softmax", {}, nn.Softmax(dim=1), {}, 5 * torch.randn(3, 10))
    for p in [0.5, 0.2]:
        x = torch.randn(4, 30)
        state = torch.get_rng_state()
        gen = torch.Generator()
        gen.set_state(state)
        mask = torch.empty_like(x).bernoulli_(1 - p, generator=gen)
        torch.set_rng_state(state)
        case("dropout_p%g" % p, "dropout", {"p": p}, lambda x: F.dropout(x, p, True), {}, x, mask=mask)
    with open(os.path.join(OPS, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


class MaskRecorder:
    """Records the keep masks an nn.Dropout draws, by replaying the global
    RNG state in a generator of its own before each call (Dropout's mask is
    torch.empty_like(x).bernoulli_(1 - p) from that state)."""

    def __init__(self, module):
        self.masks = []
        module.register_forward_pre_hook(self.hook)
        self.p = module.p

    def hook(self, module, inputs):
        gen = torch.Generator()
        gen.set_state(torch.get_rng_state())
        self.masks.append(torch.empty_like(inputs[0]).bernoulli_(1 - self.p, generator=gen).to(torch.uint8))


def check_dropout_replay():
    x = torch.randn(5, 40)
    d = nn.Dropout(0.5).train()
    rec = MaskRecorder(d)
    y = d(x)
    assert torch.equal(y, x * rec.masks[0].float().div_(0.5)), "dropout mask replay"


def write_train(name, arch, channels, hidden, classes, size, batch, smoothing, seed):
    torch.manual_seed(seed)
    m = alexnet(arch, channels, hidden, classes)
    init_params(m, 1.0)
    u = torch.randint(0, 256, (batch, 3, size, size), dtype=torch.uint8)
    x = (u.float() - 128) / 64
    labels = torch.randint(0, classes, (batch,))
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    initial = {k: v.clone() for k, v in m.state_dict().items()}
    for k, v in initial.items():
        save(os.path.join(d, k + ".npy"), v)
    recorders = {i: MaskRecorder(m.classifier[i]) for i in (0, 3)}
    m.train()
    opt = torch.optim.SGD(m.parameters(), **SGD)
    crit = nn.CrossEntropyLoss(label_smoothing=smoothing)
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        logits = forward(m, x)
        loss = crit(logits, labels)
        loss.backward()
        if step == 0:
            save(os.path.join(d, "logits.npy"), logits)
            for k, p in m.named_parameters():
                save(os.path.join(d, "grad." + k + ".npy"), p.grad)
        opt.step()
        losses.append(loss.item())
    for i, r in recorders.items():
        save(os.path.join(d, "mask.classifier.%d.npy" % i), torch.stack(r.masks).numpy())
    save(os.path.join(d, "input_u8.npy"), u.numpy())
    save(os.path.join(d, "labels_u8.npy"), labels.to(torch.uint8).numpy())
    final = m.state_dict()
    cfg = {
        "version": 1,
        "arch": arch, "channels": list(channels), "hidden": hidden, "num_classes": classes,
        "input_size": size, "batch": batch, "label_smoothing": smoothing, "sgd": SGD, "steps": STEPS,
        "state_dict": list(final.keys()),
        "losses": losses,
        "final_norm": {k: float(v.double().norm()) for k, v in final.items()},
        "delta_norm": {k: float((final[k].double() - initial[k].double()).norm()) for k in final},
    }
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=1)
    print(name, "losses", " ".join("%.5f" % v for v in losses))


def write_loss():
    torch.manual_seed(44)
    cases = []
    for n, k, smoothing in [(4, 7, 0.0), (4, 7, 0.1), (3, 10, 0.25), (1, 3, 0.0), (5, 2, 0.5)]:
        logits = (3 * torch.randn(n, k)).requires_grad_(True)
        labels = torch.randint(0, k, (n,))
        loss = F.cross_entropy(logits, labels, label_smoothing=smoothing)
        loss.backward()
        cases.append({"logits": f32(logits), "labels": labels.tolist(), "label_smoothing": smoothing,
                      "loss": loss.item(), "grad": f32(logits.grad)})
    with open(os.path.join(ROOT, "loss.json"), "w") as f:
        json.dump(cases, f, indent=1)


def write_sgd():
    torch.manual_seed(45)
    shapes = [(3, 4), (5,)]
    init = [torch.randn(s) for s in shapes]
    steps = 4
    grads = [[torch.randn(s) for s in shapes] for _ in range(steps)]
    cases = []
    for cfg in [
        {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.0, "nesterov": False},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.0, "weight_decay": 5e-4, "nesterov": False},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 1e-2, "nesterov": False},
        {"lr": 0.05, "momentum": 0.9, "dampening": 0.0, "weight_decay": 5e-4, "nesterov": True},
        {"lr": 0.02, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.1, "nesterov": False},
    ]:
        ps = [p.clone().requires_grad_(True) for p in init]
        opt = torch.optim.SGD(ps, **cfg)
        after = []
        for g in grads:
            for p, gi in zip(ps, g):
                p.grad = gi.clone()
            opt.step()
            after.append([f32(p) for p in ps])
        cases.append({"config": cfg, "after": after})
    out = {"shapes": shapes, "init": [f32(p) for p in init], "grads": [[f32(g) for g in gs] for gs in grads],
           "cases": cases}
    with open(os.path.join(ROOT, "sgd.json"), "w") as f:
        json.dump(out, f, indent=1)


def write_schedules():
    def opt(lr):
        return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)

    steplr = []
    for base, step, gamma in [(0.01, 3, 0.1), (0.1, 30, 0.1), (0.5, 1, 0.5)]:
        o = opt(base)
        s = torch.optim.lr_scheduler.StepLR(o, step_size=step, gamma=gamma)
        lrs = []
        for _ in range(100):
            lrs.append(s.get_last_lr()[0])
            o.step()
            s.step()
        steplr.append({"lr": base, "step_size": step, "gamma": gamma, "lrs": lrs})
    metrics = [0.9, 0.8, 0.8, 0.8, 0.79999, 0.8, 0.7, 0.70001, 0.71, 0.72, 0.69, 0.69, 0.69, 0.69,
               0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49, 0.6, 0.6, 0.6]
    plateau = []
    for cfg in [
        {"mode": "min", "factor": 0.1, "patience": 2, "threshold": 1e-4, "threshold_mode": "rel",
         "cooldown": 0, "min_lr": 0.0, "eps": 1e-8},
        {"mode": "min", "factor": 0.1, "patience": 1, "threshold": 0.01, "threshold_mode": "abs",
         "cooldown": 2, "min_lr": 1e-4, "eps": 1e-8},
        {"mode": "max", "factor": 0.5, "patience": 0, "threshold": 1e-4, "threshold_mode": "rel",
         "cooldown": 1, "min_lr": 0.0, "eps": 1e-8},
        {"mode": "min", "factor": 0.1, "patience": 10, "threshold": 1e-4, "threshold_mode": "rel",
         "cooldown": 0, "min_lr": 0.0, "eps": 1e-8},
        {"mode": "min", "factor": 0.9999999, "patience": 0, "threshold": 0.0, "threshold_mode": "abs",
         "cooldown": 0, "min_lr": 0.0, "eps": 1e-8},
    ]:
        o = opt(0.01)
        s = torch.optim.lr_scheduler.ReduceLROnPlateau(o, **cfg)
        lrs = []
        for v in metrics:
            s.step(v)
            lrs.append(o.param_groups[0]["lr"])
        plateau.append({"config": cfg, "lr": 0.01, "metrics": metrics, "lrs": lrs})
    # torchvision's references/classification recipe, stepped per
    # iteration: LinearLR warm-up, then CosineAnnealingLR (as
    # scripts/trainref/trainref.py).
    cosine = []
    for base, start, warm, total in [(0.1, 0.01, 5, 50), (0.01, 0.01, 0, 40), (0.5, 0.1, 10, 30)]:
        o = opt(base)
        s = torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=total - warm)
        if warm:
            lin = torch.optim.lr_scheduler.LinearLR(o, start_factor=start, total_iters=warm)
            s = torch.optim.lr_scheduler.SequentialLR(o, [lin, s], milestones=[warm])
        lrs = []
        for _ in range(total):
            lrs.append(o.param_groups[0]["lr"])
            o.step()
            s.step()
        cosine.append({"lr": base, "start_factor": start, "warmup": warm, "total": total, "lrs": lrs})
    with open(os.path.join(ROOT, "schedules.json"), "w") as f:
        json.dump({"step_lr": steplr, "plateau": plateau, "warmup_cosine": cosine}, f, indent=1)


def main():
    os.makedirs(OPS, exist_ok=True)
    torch.set_num_threads(1)
    check_dropout_replay()
    write_ops()
    write_loss()
    write_sgd()
    write_schedules()
    # Weights N(0, 1/fan_in) keep the 10 steps stable (He-normal's diverge
    # at lr 0.01), gradients O(0.1-1). Input sizes give a 2x2 map before the
    # adaptive pool (each 6x6 output repeats inputs); label smoothing on the
    # original only, so both losses are covered. Hidden width 24 keeps the
    # fixtures under 1 MB.
    write_train("tv_narrow", "torchvision", (8, 16, 24, 16, 16), 24, 10, 95, 4, 0.0, 1235)
    write_train("orig_narrow", "original", (8, 16, 24, 24, 16), 24, 10, 99, 4, 0.1, 1236)
    write_train("tiny_bn_narrow", "tiny-bn", (8, 16, 24, 16, 16), 24, 10, 64, 4, 0.1, 1237)


if __name__ == "__main__":
    main()
