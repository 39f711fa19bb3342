#!/usr/bin/python3
"""Explanation maps of the narrow fixture models, computed by PyTorch: the
reference of the Go side's Grad-CAM, Grad-CAM++, saliency and occlusion.

Rerun from the repository root with Debian's PyTorch 1.13 (not a venv
python), after testdata/gen/model.py; TINY_IMAGENET_DIR defaults to
../shared/data/tiny-imagenet-200 (relative to the repository root):

    /usr/bin/python3 testdata/gen/explain.py [TINY_IMAGENET_DIR]

Made with torch 1.13, torchvision 0.14, PIL 9.4, numpy 1.24, one thread;
nothing is random, and a rerun rewrites the same bytes (checked).

Models: tv_narrow (torchvision layout, 224x224 inputs) and orig_narrow (the
2012 layout, 227x227), rebuilt as model.py builds them, loaded with their
state dicts from testdata/model/<name>/, eval mode, float32, CPU. The ReLUs
are made out-of-place (same values) so that a Conv2d's output can be kept.
Images: Tiny ImageNet val_0.JPEG .. val_9.JPEG (64x64), each as a batch of
one: PIL open, convert("RGB"), Resize(256), CenterCrop(S),
ToTensor, Normalize(mean 0.485 0.456 0.406, std 0.229 0.224 0.225), S the
model's input_size; x is that (3, H, W) tensor plus a tie-breaking
jitter of at most 1e-3 (see jitter: the upscaled photos have exact ties
in the max pools, which float32 rounding would break arbitrarily).

Definitions (plain torch.autograd; no pytorch-grad-cam, no captum):
  logits   the model's output on x; K = argmax (the class explained);
           S = logits[K], before softmax
  A        the output of module features.N (a forward hook: for a Conv2d
           before the ReLU after it), (C, h, w); G = dS/dA, (C, h, w).
           Layers: the ReLU after the last convolution and that
           convolution, pre-ReLU: tv features.11, features.10; orig
           features.13, features.12 (all 16x13x13)
  Grad-CAM alpha_c = mean_ij G[c,i,j];
           map = relu(sum_c alpha_c * A[c]), (h, w), not upsampled, not
           normalised
  Grad-CAM++ (pytorch-grad-cam's GradCAMPlusPlus, whose eps is 1e-6):
           g2 = G^2, g3 = G^3, sumA_c = sum_ij A[c,i,j];
           aij = g2 / (2*g2 + sumA_c*g3 + 1e-6); aij = where(G != 0, aij, 0);
           w_c = sum_ij relu(G[c,i,j]) * aij[c,i,j];
           map = relu(sum_c w_c * A[c]), (h, w)
  saliency (Simonyan et al. 2014) sal = max over the 3 channels of
           |dS/dx|, (H, W)
  occlusion (Zeiler & Fergus 2014) patch p = 32, stride s = 16; for i, j in
           0 .. (H-p)//s: x' = x with x'[:, i*s:i*s+p, j*s:j*s+p] = 0 (0 in
           the normalised space: the dataset mean);
           map[i][j] = S(x) - S(x') for the same K; S(x) from the batch of
           one, the S(x') from one batch of all occluded copies
Everything is float32 (torch's default), including the reductions.

Also writes testdata/explain/upsample.json (see write_upsample).

Writes testdata/explain/<model>/ (float32 .npy, first axis the image):
  logits.npy                (10, classes)
  gradcam_<layer>.npy       (10, h, w) for each layer
  gradcampp_<layer>.npy     (10, h, w)
  saliency_0.npy            (H, W) sal of image 0 (tv_narrow only)
  saliency_blocks.npy       (10, H//8, W//8): sal summed over each
                            non-overlapping 8x8 block, rows/columns that do
                            not fill a block dropped:
                            blocks[n,a,b] = sum of sal[n, 8a:8a+8, 8b:8b+8]
  occlusion.npy             (10, (H-p)//s+1, (W-p)//s+1)
  occlusion_float64.npy     the same maps computed in float64 (below),
                            rounded to float32: the exact map, to measure
                            ours and PyTorch's float32 maps against
  explain.json              model, input size, images (file, K, S, and the
                            sha256 prefix of the preprocessed image's
                            float32 bytes, before the jitter, as
                            imageproc.py hashes them), layers, patch,
                            stride, block, eps, files, versions, per
                            map kind how many maps are all zero, and
                            float64_rel_err (below)

The same maps computed in float64 (model and input cast to double) bound
what float32 can promise: explain.json's float64_rel_err holds, per file,
the largest max|f64 - f32| / max|f32| over the images. Grad-CAM++ at the
pre-ReLU convolutions is ill-conditioned (sumA_c < 0 there, so some
denominators 2*g2 + sumA_c*g3 + eps nearly cancel): expect ~1e-4 there,
~1e-5 for occlusion (S(x) - S(x') cancels), ~1e-6 elsewhere.
"""
import hashlib
import json
import os
import sys

import numpy as np
import PIL
import torch
import torch.nn as nn
import torchvision
from PIL import Image
from torchvision import transforms as T

GEN = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(GEN, "..")
sys.path.insert(0, GEN)
from model import alexnet  # noqa: E402

TINY = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "..", "..", "shared", "data", "tiny-imagenet-200")
IMAGES = ["val_%d.JPEG" % i for i in range(10)]
MODELS = {"tv_narrow": ["features.11", "features.10"], "orig_narrow": ["features.13", "features.12"]}
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
PATCH, STRIDE, BLOCK, EPS = 32, 16, 8, 1e-6


def load(name):
    d = os.path.join(ROOT, "model", name)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    m = alexnet(cfg["arch"], cfg["channels"], cfg["hidden"], cfg["num_classes"])
    m.load_state_dict({k: torch.from_numpy(np.load(os.path.join(d, k + ".npy"))) for k in cfg["state_dict"]})
    for mod in m.modules():
        if isinstance(mod, nn.ReLU):
            mod.inplace = False
    return m.eval(), cfg["input_size"]


def forward(m, x):
    return m.classifier(torch.flatten(m.avgpool(m.features(x)), 1))


def preprocess(path, size):
    t = T.Compose([T.Resize(256), T.CenterCrop(size), T.ToTensor(), T.Normalize(MEAN, STD)])
    with Image.open(path) as im:
        return t(im.convert("RGB"))


def jitter(x):
    """x plus the tie-breaking jitter: element i (row-major) gets
    float32(((i*7919) mod 2001) - 1000) * float32(1e-6), up to 1e-3 in the
    normalised space, added in float32. The photos are 64x64 upscaled to
    256, so whole 4x4 blocks are equal and the max pools see exact ties,
    whose gradient goes to whichever element a float32 forward pass rounds
    highest; the jitter makes those maxima distinct."""
    n = x.numel()
    k = ((np.arange(n, dtype=np.int64) * 7919) % 2001 - 1000).astype(np.float32)
    return x + torch.from_numpy(k * np.float32(1e-6)).reshape(x.shape)


def gradcam(A, G):
    alpha = G.mean(dim=(1, 2))
    return torch.relu((alpha[:, None, None] * A).sum(0))


def gradcampp(A, G):
    g2 = G * G
    g3 = g2 * G
    sumA = A.sum(dim=(1, 2))
    aij = g2 / (2 * g2 + sumA[:, None, None] * g3 + EPS)
    aij = torch.where(G != 0, aij, torch.zeros_like(aij))
    w = (torch.relu(G) * aij).sum(dim=(1, 2))
    return torch.relu((w[:, None, None] * A).sum(0))


def occlusion(m, x, k, s):
    _, H, W = x.shape
    n, mm = (H - PATCH) // STRIDE + 1, (W - PATCH) // STRIDE + 1
    xs = x.repeat(n * mm, 1, 1, 1)
    for i in range(n):
        for j in range(mm):
            xs[i * mm + j, :, i * STRIDE:i * STRIDE + PATCH, j * STRIDE:j * STRIDE + PATCH] = 0
    with torch.no_grad():
        y = forward(m, xs)
    return (s - y[:, k]).reshape(n, mm)


def explain(m, x, layers):
    """One image x (3, H, W): logits, K, S, the Grad-CAM and Grad-CAM++ maps
    per layer, the saliency map and the occlusion map."""
    mods = dict(m.named_modules())
    acts = {}
    hooks = [mods[n].register_forward_hook(lambda mod, inp, out, n=n: acts.__setitem__(n, out)) for n in layers]
    xb = x[None].clone().requires_grad_(True)
    logits = forward(m, xb)[0]
    for h in hooks:
        h.remove()
    k = int(logits.argmax())
    s = logits[k]
    grads = torch.autograd.grad(s, [xb] + [acts[n] for n in layers])
    cams, cpps = {}, {}
    for n, G in zip(layers, grads[1:]):
        A = acts[n][0].detach()
        cams[n], cpps[n] = gradcam(A, G[0]), gradcampp(A, G[0])
    sal = grads[0][0].abs().amax(dim=0)
    occ = occlusion(m, x, k, s.detach())
    return logits.detach(), k, float(s), cams, cpps, sal, occ


def blocks(sal):
    H, W = sal.shape
    a, b = H // BLOCK, W // BLOCK
    return sal[:a * BLOCK, :b * BLOCK].reshape(a, BLOCK, b, BLOCK).sum(dim=(1, 3))


def sha(t):
    return hashlib.sha256(np.ascontiguousarray(t.numpy()).tobytes()).hexdigest()[:16]


def save(d, name, t):
    a = t.numpy() if isinstance(t, torch.Tensor) else t
    assert a.dtype == np.float32, name
    np.save(os.path.join(d, name), np.ascontiguousarray(a))


def write(name, layers):
    m, size = load(name)
    m64 = load(name)[0].double()
    rows, maps, errs, exact = [], {}, {}, []

    def add(key, t, t64):
        maps.setdefault(key, []).append(t)
        e = float((t64 - t.double()).abs().max() / t.abs().max()) if t.abs().max() > 0 else 0.0
        errs[key] = max(errs.get(key, 0.0), e)

    for idx, f in enumerate(IMAGES):
        x0 = preprocess(os.path.join(TINY, "val", "images", f), size)
        x = jitter(x0)
        y, k, s, cam, cpp, sal, occ = explain(m, x, layers)
        y64, k64, _, cam64, cpp64, sal64, occ64 = explain(m64, x.double(), layers)
        assert k64 == k, (name, f)
        rows.append({"file": f, "class": k, "score": s, "input_sha256": sha(x0)})
        add("logits.npy", y, y64)
        for n in layers:
            add("gradcam_%s.npy" % n, cam[n], cam64[n])
            add("gradcampp_%s.npy" % n, cpp[n], cpp64[n])
        if idx == 0 and name == "tv_narrow":  # one full map is enough (fixture size)
            add("saliency_0.npy", sal, sal64)
        add("saliency_blocks.npy", blocks(sal), blocks(sal64))
        add("occlusion.npy", occ, occ64)
        exact.append(occ64.float())
    d = os.path.join(ROOT, "explain", name)
    os.makedirs(d, exist_ok=True)
    save(d, "occlusion_float64.npy", torch.stack(exact))
    zeros = {}
    for fname, ts in maps.items():
        t = ts[0] if fname == "saliency_0.npy" else torch.stack(ts)
        save(d, fname, t)
        if fname != "logits.npy" and t.dim() == 3:
            zeros[fname] = int(sum(bool((v == 0).all()) for v in t))
    meta = {"model": name, "input_size": size, "resize": 256, "mean": MEAN, "std": STD,
            "images": rows, "layers": layers, "patch": PATCH, "stride": STRIDE, "block": BLOCK,
            "gradcampp_eps": EPS, "files": sorted(maps), "all_zero_maps": zeros,
            "float64_rel_err": {k: float("%.2g" % v) for k, v in errs.items()},
            "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__,
                         "PIL": PIL.__version__, "numpy": np.__version__}}
    with open(os.path.join(d, "explain.json"), "w") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    print(name, "classes", [r["class"] for r in rows], "all-zero maps", zeros)
    print("  float64_rel_err", meta["float64_rel_err"])


def write_upsample():
    """testdata/explain/upsample.json: F.interpolate(mode="bilinear",
    align_corners=False) of a 3x4 map (the values 0..11 squared, over 7) to
    the sizes the heat maps use and some odd ones (package heatmap)."""
    m = (torch.arange(12, dtype=torch.float32) ** 2 / 7).reshape(1, 1, 3, 4)
    cases = []
    for oh, ow in [(7, 9), (13, 5), (3, 4), (26, 30), (1, 1)]:
        y = torch.nn.functional.interpolate(m, size=(oh, ow), mode="bilinear", align_corners=False)
        cases.append({"h": oh, "w": ow, "out": [float(v) for v in y.flatten()]})
    with open(os.path.join(ROOT, "explain", "upsample.json"), "w") as f:
        json.dump({"in": [float(v) for v in m.flatten()], "h": 3, "w": 4, "cases": cases}, f)


def main():
    torch.set_num_threads(1)
    for name, layers in MODELS.items():
        write(name, layers)
    write_upsample()


if __name__ == "__main__":
    main()
