#!/usr/bin/python3
"""Time torchvision AlexNet (seeded random weights) in PyTorch on the CPU.

Prints one JSON object on stdout:
  {"engine":"pytorch","mode":...,"batch":B,"threads":T,"iters":N,
   "ms_per_batch":median,"ms_min":..,"images_per_sec":..,"peak_rss_bytes":..}

--precision int8 times PyTorch's int8 of the same model instead: FX graph
mode post-training static quantization (torch.ao.quantization prepare_fx,
convert_fx) on the quantized engine --qengine (auto: fbgemm, else x86, else
onednn, else qnnpack — Debian's torch 1.13 has onednn and qnnpack), with
that engine's default weight observer (per-channel symmetric int8 for
fbgemm, x86 and onednn) and MinMaxObserver uint8 activations (the engine's
reduce_range), calibrated on --calib-n seeded random images (seed 2). Its
JSON adds "qengine" and "check": the int8 logits of the timed input against
the float32 model's (max |diff|, the float32 logits' range, top-1 agreement).
Modes default, channels_last, jit and jit_cl apply to the converted model
(--probe too: each mode is quantized afresh, the same way).

--mode picks how the model is run:
  default        eval() model, NCHW (convs go to oneDNN, linears to BLAS)
  channels_last  model and input in channels-last memory format
  jit            torch.jit.freeze + torch.jit.optimize_for_inference
  jit_cl         the same, traced with a channels-last input
  mkldnn         torch.utils.mkldnn.to_mkldnn (oneDNN layouts end to end)
  nomkldnn       torch.backends.mkldnn.enabled = False (im2col + OpenBLAS)
--probe times every mode in --modes (in this one process, round-robin),
drops a mode whose output differs from the first mode's, and prints
{"best": MODE, "modes": {MODE: ms, ...}} instead.

The caller sets OPENBLAS_CORETYPE / *_NUM_THREADS; defaults are set here too.
"""
import argparse
import json
import os
import resource
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=1)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--iters", type=int, default=10)
ap.add_argument("--warmup", type=int, default=2)
ap.add_argument("--mode", default="default")
ap.add_argument("--probe", action="store_true")
ap.add_argument("--modes", default="default,channels_last,jit")
ap.add_argument("--precision", default="fp32", choices=["fp32", "int8"])
ap.add_argument("--qengine", default="auto")
ap.add_argument("--calib-n", type=int, default=4)
args = ap.parse_args()

T = str(args.threads)
os.environ.setdefault("OPENBLAS_CORETYPE", "SkylakeX")
for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(k, T)

import torch  # noqa: E402  (after the environment is set)
import torchvision  # noqa: E402

torch.set_num_threads(args.threads)
torch.set_num_interop_threads(1)
MODES = ("default", "channels_last", "jit", "jit_cl", "mkldnn", "nomkldnn")


def build(mode, model, x):
    """Returns (fn, input) running `model` the way `mode` says."""
    torch.backends.mkldnn.enabled = mode != "nomkldnn"
    if mode in ("default", "nomkldnn"):
        return model, x
    if mode == "channels_last":
        m = model.to(memory_format=torch.channels_last)
        return m, x.contiguous(memory_format=torch.channels_last)
    if mode in ("jit", "jit_cl"):
        xi = x
        m = model
        if mode == "jit_cl":
            m = model.to(memory_format=torch.channels_last)
            xi = x.contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            f = torch.jit.optimize_for_inference(
                torch.jit.freeze(torch.jit.trace(m, xi)))
        return f, xi
    if mode == "mkldnn":
        from torch.utils import mkldnn as mk
        m = mk.to_mkldnn(model)
        return (lambda z: m(z.to_mkldnn()).to_dense()), x
    raise SystemExit(f"unknown --mode {mode!r}; one of {', '.join(MODES)}")


def fresh_model():
    torch.manual_seed(0)
    return torchvision.models.alexnet().eval()


def pick_qengine(want):
    """want, or for "auto" the fastest x86 engine this torch has."""
    have = torch.backends.quantized.supported_engines
    if want == "auto":
        want = next((e for e in ("fbgemm", "x86", "onednn", "qnnpack") if e in have), None)
        if want is None:
            raise SystemExit(f"no quantized engine in this torch (have {have})")
    elif want not in have:
        raise SystemExit(f"--qengine {want}: this torch has {have}")
    return want


def int8_model(model, engine, n):
    """model quantized for engine, calibrated on n seeded random images."""
    from torch.ao.quantization import QConfigMapping, get_default_qconfig
    from torch.ao.quantization.observer import MinMaxObserver
    from torch.ao.quantization.qconfig import QConfig
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    q = get_default_qconfig(engine)
    reduce = q.activation.p.keywords.get("reduce_range", False)
    mapping = QConfigMapping().set_global(
        QConfig(activation=MinMaxObserver.with_args(reduce_range=reduce), weight=q.weight))
    prepared = prepare_fx(model, mapping, example_inputs=(torch.randn(1, 3, 224, 224),))
    g = torch.Generator().manual_seed(2)
    with torch.no_grad():
        prepared(torch.randn(n, 3, 224, 224, generator=g))
    return convert_fx(prepared)


def check_int8(y, ref):
    """How far the int8 logits y are from the float32 ones."""
    return {"max_abs_diff": (y - ref).abs().max().item(),
            "range": (ref.max() - ref.min()).item(),
            "top1_agreement": (y.argmax(1) == ref.argmax(1)).float().mean().item()}


# The JIT's profiling executor optimises a graph only after a few calls.
JIT_WARMUP = 3


def timeit(fn, x, warmup, iters):
    ts, y = [], None
    with torch.inference_mode():
        for _ in range(warmup):
            y = fn(x)
        for _ in range(iters):
            t0 = time.perf_counter()
            y = fn(x)
            ts.append((time.perf_counter() - t0) * 1e3)
    ts.sort()
    return ts, y


def median(ts):
    n = len(ts)
    return ts[n // 2] if n % 2 else (ts[n // 2 - 1] + ts[n // 2]) / 2


torch.manual_seed(1)
x = torch.randn(args.batch, 3, 224, 224)

INT8_MODES = ("default", "channels_last", "jit", "jit_cl")
qengine = None
if args.precision == "int8":
    for mode in args.modes.split(",") if args.probe else [args.mode]:
        if mode not in INT8_MODES:
            raise SystemExit(f"--precision int8: mode {mode!r}; one of {', '.join(INT8_MODES)}")
    qengine = pick_qengine(args.qengine)


def model_to_run():
    """A fresh copy of the model --precision asks for."""
    m = fresh_model()
    return int8_model(m, qengine, args.calib_n) if qengine else m

if args.probe:
    # Build every mode first, then time them round-robin, one iteration each
    # in turn, so that load from other processes hits all modes alike.
    out = {"engine": "pytorch", "precision": args.precision, "batch": args.batch,
           "threads": args.threads, "modes": {}, "max_abs_diff": {}}
    if qengine:
        out["qengine"] = qengine
    built, ref = {}, None
    for mode in args.modes.split(","):
        fn, xi = build(mode, model_to_run(), x)
        w = max(args.warmup, JIT_WARMUP if mode.startswith("jit") else 1)
        _, y = timeit(fn, xi, w, 0)
        y = y.float()
        if ref is None:
            ref = y
        diff = (y - ref).abs().max().item()
        out["max_abs_diff"][mode] = diff
        if diff <= 1e-3:  # a mode that computes something else can't win
            built[mode] = (fn, xi)
    times = {m: [] for m in built}
    for _ in range(max(args.iters, 1)):
        for mode, (fn, xi) in built.items():
            torch.backends.mkldnn.enabled = mode != "nomkldnn"
            times[mode] += timeit(fn, xi, 0, 1)[0]
    out["modes"] = {m: median(sorted(ts)) for m, ts in times.items()}
    out["best"] = min(out["modes"], key=out["modes"].get)
    print(json.dumps(out))
    sys.exit(0)

t0 = time.perf_counter()
extra = {}
if qengine:
    with torch.inference_mode():
        ref = fresh_model()(x)
    extra["qengine"] = qengine
fn, xi = build(args.mode, model_to_run(), x)
load_ms = (time.perf_counter() - t0) * 1e3
warmup = args.warmup
if args.mode.startswith("jit"):
    warmup = max(warmup, JIT_WARMUP)
ts, y = timeit(fn, xi, warmup, args.iters)
if qengine:
    extra["check"] = check_int8(y.float(), ref)
ms = median(ts)
print(json.dumps({
    "engine": "pytorch",
    "version": torch.__version__,
    "precision": args.precision,
    **extra,
    "mode": args.mode,
    "batch": args.batch,
    "threads": args.threads,
    "iters": args.iters,
    "warmup": warmup,
    "ms_per_batch": ms,
    "ms_min": ts[0],
    "images_per_sec": args.batch * 1e3 / ms,
    "load_ms": load_ms,
    # ru_maxrss is in KiB on Linux.
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
