#!/usr/bin/python3
"""ONNX graphs beyond torch.onnx.export's, and ONNX Runtime's and PyTorch's
outputs of every testdata/onnx model on 20 real photos (package weights,
cmd/alexnet).

Rerun from the repository root, after testdata/gen/model.py and
testdata/gen/tv_onnx.py, with Debian's PyTorch 1.13 and python3-onnx 1.12
(not a venv python) and onnxruntime-node installed into ORT_DIR with
`npm install --ignore-scripts onnxruntime-node@1.30.0`:

    /usr/bin/python3 testdata/gen/onnx_graphs.py [ORT_DIR] [TINY_DIR]

ORT_DIR defaults to ~/.cache/alexnet-ort, TINY_DIR to
../shared/data/tiny-imagenet-200. ONNX Runtime runs through
testdata/gen/ort_logits.mjs (Node.js, CPU, one thread).

Writes to testdata/onnx/:
  caffe_narrow_224_op9.onnx the same layout at 1x3x224x224, the size the
                            zoo's model card gives, where Caffe's pooling
                            rounds up: every MaxPool has pads (0, 0, 1, 1)
                            (PyTorch's reference: ceil_mode=True)
  caffe_narrow_op<N>.onnx   N in 7, 9, 12, 21: the ONNX model zoo's
                            bvlcalexnet layout (Caffe's BVLC AlexNet through
                            Caffe2), built node by node with onnx.helper:
                            input data_0 (1, 3, 227, 227), BGR pixels in
                            0..255 minus the mean 104, 117, 123; Conv
                            (conv1 11x11/4 unpadded; conv2, conv4, conv5
                            group 2), Relu, LRN (size 5, alpha 1e-4, beta
                            0.75, bias 1: Caffe's k), MaxPool 3/2, Reshape
                            by the constant OC2_DUMMY_1 = (1, 576), Gemm
                            (transB 1), Dropout (ratio 0.5 as an attribute
                            before opset 12) with its mask output named,
                            Softmax (axis 1) to prob_1; initializers named
                            conv1_w_0, conv1_b_0, ..., fc8_b_0. Weights:
                            testdata/model/orig_narrow's (channels 8, 16,
                            24, 24, 16, hidden 32, 10 classes), conv1's
                            divided by 64 (exactly) for pixels in 0..255
                            rather than normalised ones.
  tv_narrow_mm_op9.onnx     testdata/model/tv_narrow in torchvision's layout
                            written by hand at opset 9 with the other spellings
                            a reader must accept: dynamic batch; initializers
                            in float_data (not raw_data); Flatten; the first
                            linear layer as MatMul then Add (weight (in,
                            out)), the second as Gemm with alpha 0.5, beta
                            2 and transB 0 (its stored weight 2 W^T, bias
                            b / 2: the same function exactly), the last as
                            MatMul then Add; Identity and Dropout nodes;
                            Softmax (axis 1) at the end.
  tiny_bn_narrow_op15.onnx  testdata/model/tiny_bn_narrow with its
                            BatchNormalization nodes kept (as
                            `alexnet weights convert` writes tiny-bn),
                            input (N, 3, 64, 64).
  tv_narrow_ext_op13.onnx   tv_narrow_op13.onnx with its initializers in
  (+ .onnx.data)            the external data file beside it.
  photos.json               the 20 photos (Tiny ImageNet validation
                            val_0..val_19) and the versions used
  ort/<model>.npy           ONNX Runtime's output of each model on the
                            photos, (20, 10): the probabilities where the
                            graph ends in Softmax, else the logits
  ort/<model>.logits.npy    for a graph that ends in Softmax: ONNX
                            Runtime's output of the graph without it
  torch/<model>.npy         PyTorch's logits of the same network and input

With --full=DIR it writes instead, into DIR (not committed: 244 MB), the
full-size torchvision AlexNet (torch.manual_seed(0) initialisation)
exported by torch.onnx.export at opset 13 with a dynamic batch,
tv_full_op13.onnx, with ort/, torch/ and photos.json as above:

    /usr/bin/python3 testdata/gen/onnx_graphs.py --full=/tmp/onnx-full
    ALEXNET_ONNX_DIR=/tmp/onnx-full go test ./predict -run ONNXAgainstORT -v

Inputs: torchvision's layout: Resize(256), CenterCrop(224), ToTensor,
Normalize(ImageNet mean, std) (tiny-bn: Resize(73), CenterCrop(64));
Caffe's: Resize(256), CenterCrop(227), the uint8 pixels as float32 in BGR
order minus 104, 117, 123.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import PIL
import torch
import torch.nn as nn
import torchvision
from onnx import TensorProto, helper, numpy_helper
from PIL import Image
from torchvision import transforms as T

GEN = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(GEN, "..")
OUT = os.path.join(ROOT, "onnx")
sys.path.insert(0, GEN)
from model import alexnet  # noqa: E402

ARGS = [a for a in sys.argv[1:] if not a.startswith("--full=")]
FULL = next((a[len("--full="):] for a in sys.argv[1:] if a.startswith("--full=")), None)
ORT_DIR = ARGS[0] if len(ARGS) > 0 else os.path.expanduser("~/.cache/alexnet-ort")
TINY = ARGS[1] if len(ARGS) > 1 else os.path.join(ROOT, "..", "..", "shared", "data", "tiny-imagenet-200")
PHOTOS = ["val_%d.JPEG" % i for i in range(20)]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
CAFFE_MEAN_BGR = np.array([104, 117, 123], dtype=np.float32)


def load(name, lrn_k=2.0):
    d = os.path.join(ROOT, "model", name)
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    m = alexnet(cfg["arch"], cfg["channels"], cfg["hidden"], cfg["num_classes"])
    sd = {k: torch.from_numpy(np.load(os.path.join(d, k + ".npy"))) for k in cfg["state_dict"]}
    m.load_state_dict(sd)
    for mod in m.modules():
        if isinstance(mod, nn.LocalResponseNorm):
            mod.k = lrn_k
    return m.eval(), {k: v.numpy() for k, v in sd.items()}, cfg


def logits(m, x):
    with torch.no_grad():
        return m.classifier(torch.flatten(m.avgpool(m.features(torch.from_numpy(x))), 1)).numpy()


def photo(f):
    with Image.open(os.path.join(TINY, "val", "images", f)) as im:
        return im.convert("RGB")


def tv_input(resize, size):
    t = T.Compose([T.Resize(resize), T.CenterCrop(size), T.ToTensor(), T.Normalize(MEAN, STD)])
    return torch.stack([t(photo(f)) for f in PHOTOS]).numpy()


def caffe_input(side=227):
    t = T.Compose([T.Resize(256), T.CenterCrop(side)])
    xs = []
    for f in PHOTOS:
        a = np.asarray(t(photo(f)), dtype=np.float32)[:, :, ::-1]  # HWC, BGR
        xs.append((a - CAFFE_MEAN_BGR).transpose(2, 0, 1))
    return np.ascontiguousarray(np.stack(xs), dtype=np.float32)


def init(name, a, typed=False):
    a = np.ascontiguousarray(a, dtype=np.float32)
    if typed:
        return helper.make_tensor(name, TensorProto.FLOAT, a.shape, a.flatten().tolist())
    return numpy_helper.from_array(a, name)


def node(op, ins, outs, name, **attrs):
    return helper.make_node(op, ins, outs, name=name, **attrs)


def caffe_graph(sd, opset, side=227):
    """The zoo's bvlcalexnet node layout with orig_narrow's weights; at
    side 224 every MaxPool has pads (0, 0, 1, 1), Caffe's round-up pooling
    as its Caffe2 conversion writes it (onnx/models issue 5 reports them
    on pool5_1)."""
    inits, nodes = [], []
    x = "data_0"
    convs = [("conv1", "features.0", 11, 4, 0, 1), ("conv2", "features.4", 5, 1, 2, 2),
             ("conv3", "features.8", 3, 1, 1, 1), ("conv4", "features.10", 3, 1, 1, 2),
             ("conv5", "features.12", 3, 1, 1, 2)]
    for i, (c, mod, k, s, p, g) in enumerate(convs):
        inits += [init(c + "_w_0", sd[mod + ".weight"]), init(c + "_b_0", sd[mod + ".bias"])]
        attrs = dict(kernel_shape=[k, k], strides=[s, s], pads=[p] * 4)
        if g > 1:
            attrs["group"] = g
        nodes.append(node("Conv", [x, c + "_w_0", c + "_b_0"], [c + "_1"], c + "_1", **attrs))
        nodes.append(node("Relu", [c + "_1"], [c + "_2"], c + "_2"))
        x = c + "_2"
        if i < 2:
            n = "norm%d_1" % (i + 1)
            nodes.append(node("LRN", [x], [n], n, size=5, alpha=1e-4, beta=0.75, bias=1.0))
            x = n
        if i in (0, 1, 4):
            n = "pool%d_1" % (i + 1)
            pads = [0, 0, 1, 1] if side == 224 else [0] * 4
            nodes.append(node("MaxPool", [x], [n], n, kernel_shape=[3, 3], strides=[2, 2], pads=pads))
            x = n
    flat = sd["classifier.1.weight"].shape[1]
    inits.append(numpy_helper.from_array(np.array([1, flat], dtype=np.int64), "OC2_DUMMY_1"))
    nodes.append(node("Reshape", [x, "OC2_DUMMY_1"], ["OC2_DUMMY_0"], "OC2_DUMMY_0"))
    x = "OC2_DUMMY_0"
    for fc, mod in (("fc6", "classifier.1"), ("fc7", "classifier.4"), ("fc8", "classifier.6")):
        inits += [init(fc + "_w_0", sd[mod + ".weight"]), init(fc + "_b_0", sd[mod + ".bias"])]
        nodes.append(node("Gemm", [x, fc + "_w_0", fc + "_b_0"], [fc + "_1"], fc + "_1", transB=1))
        x = fc + "_1"
        if fc != "fc8":
            nodes.append(node("Relu", [x], [fc + "_2"], fc + "_2"))
            attrs = {"ratio": 0.5} if opset < 12 else {}
            nodes.append(node("Dropout", [fc + "_2"], [fc + "_3", "_" + fc + "_mask_1"], fc + "_3", **attrs))
            x = fc + "_3"
    nodes.append(node("Softmax", [x], ["prob_1"], "prob_1", axis=1))
    classes = sd["classifier.6.weight"].shape[0]
    g = helper.make_graph(nodes, "AlexNet", [helper.make_tensor_value_info("data_0", TensorProto.FLOAT, [1, 3, side, side])],
                          [helper.make_tensor_value_info("prob_1", TensorProto.FLOAT, [1, classes])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="onnx-caffe2", ir_version=7)


def mm_graph(sd):
    """tv_narrow at opset 9 with MatMul+Add, Gemm(alpha, beta), float_data."""
    inits, nodes = [], []
    x = "input"
    convs = [("features.0", 11, 4, 2), ("features.3", 5, 1, 2), ("features.6", 3, 1, 1),
             ("features.8", 3, 1, 1), ("features.10", 3, 1, 1)]
    for i, (mod, k, s, p) in enumerate(convs):
        inits += [init(mod + ".w", sd[mod + ".weight"], True), init(mod + ".b", sd[mod + ".bias"], True)]
        nodes.append(node("Conv", [x, mod + ".w", mod + ".b"], [mod], "conv%d" % i,
                          kernel_shape=[k, k], strides=[s, s], pads=[p] * 4, dilations=[1, 1], group=1))
        nodes.append(node("Relu", [mod], [mod + ".relu"], "relu%d" % i))
        x = mod + ".relu"
        if i in (0, 1, 4):
            nodes.append(node("MaxPool", [x], [mod + ".pool"], "pool%d" % i, kernel_shape=[3, 3], strides=[2, 2]))
            x = mod + ".pool"
    nodes.append(node("Identity", [x], ["same"], "identity"))
    nodes.append(node("Flatten", ["same"], ["flat"], "flatten", axis=1))
    nodes.append(node("Dropout", ["flat"], ["drop"], "dropout", ratio=0.5))
    w1, b1 = sd["classifier.1.weight"], sd["classifier.1.bias"]
    inits += [init("fc1.w", w1.T, True), init("fc1.b", b1, True)]
    nodes += [node("MatMul", ["drop", "fc1.w"], ["fc1.mm"], "fc1.matmul"), node("Add", ["fc1.mm", "fc1.b"], ["fc1"], "fc1.add"),
              node("Relu", ["fc1"], ["fc1.relu"], "fc1.relu")]
    w2, b2 = sd["classifier.4.weight"], sd["classifier.4.bias"]
    inits += [init("fc2.w", 2 * w2.T, True), init("fc2.b", b2 / 2, True)]
    nodes += [node("Gemm", ["fc1.relu", "fc2.w", "fc2.b"], ["fc2"], "fc2.gemm", alpha=0.5, beta=2.0, transB=0),
              node("Relu", ["fc2"], ["fc2.relu"], "fc2.relu")]
    w3, b3 = sd["classifier.6.weight"], sd["classifier.6.bias"]
    inits += [init("fc3.w", w3.T, True), init("fc3.b", b3, True)]
    nodes += [node("MatMul", ["fc2.relu", "fc3.w"], ["fc3.mm"], "fc3.matmul"), node("Add", ["fc3.b", "fc3.mm"], ["logits"], "fc3.add"),
              node("Softmax", ["logits"], ["probs"], "softmax", axis=1)]
    g = helper.make_graph(nodes, "tv_narrow_mm", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 224, 224])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", w3.shape[0]])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 9)], producer_name="hand", ir_version=4)


def bn_graph(sd):
    """tiny_bn_narrow with BatchNormalization nodes, opset 15."""
    inits, nodes = [], []
    x = "input"
    convs = [(0, 5, 2, 2), (4, 5, 1, 2), (8, 3, 1, 1), (11, 3, 1, 1), (14, 3, 1, 1)]
    for i, (j, k, s, p) in enumerate(convs):
        c, b = "features.%d" % j, "features.%d" % (j + 1)
        inits += [init(c + ".weight", sd[c + ".weight"]), init(c + ".bias", sd[c + ".bias"])]
        inits += [init(b + "." + n, sd[b + "." + n]) for n in ("weight", "bias", "running_mean", "running_var")]
        nodes.append(node("Conv", [x, c + ".weight", c + ".bias"], [c], c, kernel_shape=[k, k], strides=[s, s], pads=[p] * 4))
        nodes.append(node("BatchNormalization", [c] + [b + "." + n for n in ("weight", "bias", "running_mean", "running_var")],
                          [b], b, epsilon=1e-5, momentum=0.9))
        nodes.append(node("Relu", [b], [b + ".relu"], "features.%d" % (j + 2)))
        x = b + ".relu"
        if i in (0, 1, 4):
            n = "features.%d" % (j + 3)
            nodes.append(node("MaxPool", [x], [n], n, kernel_shape=[3, 3], strides=[2, 2]))
            x = n
    nodes.append(node("Flatten", [x], ["flatten"], "flatten", axis=1))
    x = "flatten"
    for i in (1, 4, 6):
        m = "classifier.%d" % i
        inits += [init(m + ".weight", sd[m + ".weight"]), init(m + ".bias", sd[m + ".bias"])]
        nodes.append(node("Gemm", [x, m + ".weight", m + ".bias"], [m], m, transB=1))
        x = m
        if i != 6:
            nodes.append(node("Relu", [x], [m + ".relu"], "classifier.%d" % (i + 1)))
            x = m + ".relu"
    classes = sd["classifier.6.weight"].shape[0]
    g = helper.make_graph(nodes, "tiny_bn_narrow", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, 64, 64])],
                          [helper.make_tensor_value_info(x, TensorProto.FLOAT, ["N", classes])], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 15)], producer_name="hand", ir_version=8)


def without_softmax(m):
    """A copy of m without its last node (the Softmax), whose input becomes
    the graph's output."""
    m2 = onnx.ModelProto()
    m2.CopyFrom(m)
    last = m2.graph.node[-1]
    assert last.op_type == "Softmax"
    out = m2.graph.output[0]
    out.name = last.input[0]
    del m2.graph.node[-1]
    return m2


def ort(model, x, static):
    """ONNX Runtime's first output of model (a ModelProto or a path) on x,
    one image at a time when the model's batch is fixed at 1."""
    with tempfile.TemporaryDirectory() as d:
        if not isinstance(model, str):
            path = os.path.join(d, "m.onnx")
            onnx.save(model, path)
            model = path
        ys, version = [], None
        for xb in ([x[i:i + 1] for i in range(len(x))] if static else [x]):
            fin, fout = os.path.join(d, "x.f32"), os.path.join(d, "y.f32")
            xb.astype("<f4").tofile(fin)
            r = subprocess.run(["node", os.path.join(GEN, "ort_logits.mjs"), ORT_DIR, model, fin,
                                ",".join(map(str, xb.shape)), fout], check=True, capture_output=True, text=True)
            info = json.loads(r.stdout)
            version = info["ort"]
            ys.append(np.fromfile(fout, dtype="<f4").reshape(info["dims"]))
        return np.concatenate(ys), version


def save(sub, name, a):
    os.makedirs(os.path.join(OUT, sub), exist_ok=True)
    np.save(os.path.join(OUT, sub, name), np.ascontiguousarray(a, dtype=np.float32))


def full():
    """--full=DIR: the full-size torchvision export and its references."""
    torch.manual_seed(0)
    m = torchvision.models.alexnet().eval()
    x = tv_input(256, 224)
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "tv_full_op13.onnx")
    torch.onnx.export(m, torch.from_numpy(x[:1]), path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    with torch.no_grad():
        want = m(torch.from_numpy(x)).numpy()
    y, version = ort(path, x, False)
    save("ort", "tv_full_op13.npy", y)
    save("torch", "tv_full_op13.npy", want)
    print("tv_full_op13.onnx ORT vs PyTorch %.2g (logits %.3g..%.3g)" % (np.abs(y - want).max(), want.min(), want.max()))
    return version


def main():
    global OUT
    torch.set_num_threads(1)
    if FULL:
        OUT = FULL
        write_photos(full())
        return
    tv, tv_sd, _ = load("tv_narrow")
    orig, orig_sd, _ = load("orig_narrow", lrn_k=1.0)
    with torch.no_grad():
        orig.features[0].weight /= 64  # for pixels in 0..255
    orig_sd["features.0.weight"] = orig.features[0].weight.detach().numpy().copy()
    tbn, tbn_sd, _ = load("tiny_bn_narrow")
    x_tv, x_caffe, x_tiny = tv_input(256, 224), caffe_input(), tv_input(73, 64)
    models = {}  # file -> (ModelProto or None for a file already there, input, static batch, torch logits)
    for opset in (7, 9, 12, 21):
        models["caffe_narrow_op%d.onnx" % opset] = (caffe_graph(orig_sd, opset), x_caffe, True, logits(orig, x_caffe))
    orig_ceil, _, _ = load("orig_narrow", lrn_k=1.0)
    with torch.no_grad():
        orig_ceil.features[0].weight /= 64
    for mod in orig_ceil.features:
        if isinstance(mod, nn.MaxPool2d):
            mod.ceil_mode = True
    x_caffe224 = caffe_input(224)
    models["caffe_narrow_224_op9.onnx"] = (caffe_graph(orig_sd, 9, 224), x_caffe224, True, logits(orig_ceil, x_caffe224))
    models["tv_narrow_mm_op9.onnx"] = (mm_graph(tv_sd), x_tv, False, logits(tv, x_tv))
    models["tiny_bn_narrow_op15.onnx"] = (bn_graph(tbn_sd), x_tiny, False, logits(tbn, x_tiny))
    for opset in (11, 13, 17):
        for dyn in ("", "_dyn"):
            models["tv_narrow_op%d%s.onnx" % (opset, dyn)] = (None, x_tv, dyn == "", logits(tv, x_tv))
    ext = onnx.load(os.path.join(OUT, "tv_narrow_op13.onnx"))
    data = os.path.join(OUT, "tv_narrow_ext_op13.onnx.data")
    if os.path.exists(data):
        os.remove(data)  # onnx appends to an existing data file
    onnx.save_model(ext, os.path.join(OUT, "tv_narrow_ext_op13.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="tv_narrow_ext_op13.onnx.data", size_threshold=0)
    models["tv_narrow_ext_op13.onnx"] = (None, x_tv, True, logits(tv, x_tv))
    version = None
    for name, (m, x, static, want) in sorted(models.items()):
        path = os.path.join(OUT, name)
        if m is not None:
            if m.opset_import[0].version <= 17:
                onnx.checker.check_model(m)
            onnx.save(m, path)
        m = onnx.load(path)
        stem = name[:-len(".onnx")]
        y, version = ort(path, x, static)
        save("ort", stem + ".npy", y)
        save("torch", stem + ".npy", want)
        got = y
        if m.graph.node[-1].op_type == "Softmax":
            got, _ = ort(without_softmax(m), x, static)
            save("ort", stem + ".logits.npy", got)
        err = float(np.abs(got - want).max())
        print("%-28s %7d bytes  ORT vs PyTorch %.2g (logits %.3g..%.3g)  %s" % (
            name, os.path.getsize(path), err, want.min(), want.max(), " ".join(n.op_type for n in m.graph.node)))
        assert err < 1e-4, name
    write_photos(version)


def write_photos(version):
    with open(os.path.join(OUT, "photos.json"), "w") as f:
        json.dump({"dir": "tiny-imagenet-200/val/images", "photos": PHOTOS,
                   "versions": {"torch": torch.__version__, "torchvision": torchvision.__version__, "onnx": onnx.__version__,
                                "PIL": PIL.__version__, "numpy": np.__version__, "onnxruntime-node": version}}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
