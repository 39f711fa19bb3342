#!/usr/bin/python3
"""Fixtures for package weights (testdata/weights/).

Rerun from the repository root with Debian's PyTorch 1.13 and numpy:

    /usr/bin/python3 testdata/gen/weights.py

It writes, all from torch.manual_seed(0):
  small.pth            torch.save(sd) in the zip format (archive name "small")
  small_legacy.pth     torch.save(sd, _use_new_zipfile_serialization=False)
  wrapped.pth          {"epoch": 3, "state_dict": <two tensors of sd>}
  params.pth           {name: nn.Parameter} for two biases of sd, which
                       torch.save writes through _rebuild_parameter
  small.safetensors    the same values, contiguous, written by hand from the
                       safetensors spec (Debian has no safetensors package)
  expected/<name>.npy  t.float().contiguous() of every tensor, float32
  plain_p<N>.pkl       pickle.dumps(PLAIN, protocol=N) for N in 2..5, where
                       PLAIN is the literal below (unpickler tests)
  evil.pth             zip archive whose data.pkl calls os.system through
                       GLOBAL + REDUCE; built byte by byte, never loaded
The state dict is shaped like a narrow AlexNet plus a transposed view, a
sliced view (storage offset and strides), float16, bfloat16, float64 and
an int64 scalar buffer, and carries a `_metadata` attribute as
Module.state_dict() does (so the pickle ends with BUILD).
"""
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import torch

OUT = os.path.join("testdata", "weights")


def state_dict():
    torch.manual_seed(0)
    sd = collections.OrderedDict()
    sd["features.0.weight"] = torch.randn(8, 3, 11, 11)
    sd["features.0.bias"] = torch.randn(8)
    sd["features.3.weight"] = torch.randn(16, 8, 5, 5)
    sd["features.3.bias"] = torch.randn(16)
    sd["classifier.6.weight"] = torch.randn(10, 64)
    sd["classifier.6.bias"] = torch.randn(10)
    sd["extra.transposed"] = torch.randn(6, 4).t()           # strides (1, 4)
    sd["extra.sliced"] = torch.randn(8, 10)[2:6, 1::3]        # offset 21, strides (10, 3)
    sd["extra.half"] = torch.randn(5, 3).half()
    sd["extra.bfloat16"] = torch.randn(7).bfloat16()
    sd["extra.double"] = torch.randn(3, 2).double()
    sd["extra.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    assert not sd["extra.transposed"].is_contiguous()
    assert sd["extra.sliced"].storage_offset() == 21
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


ST_DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
             torch.float64: "F64", torch.int64: "I64"}


def raw_bytes(t):
    """Little-endian bytes of a contiguous tensor (bfloat16 via int16 view)."""
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, sd, metadata):
    """safetensors spec: u64 LE header size N, N bytes of JSON, data."""
    header, chunks, off = {"__metadata__": metadata}, [], 0
    for name, t in sd.items():
        b = raw_bytes(t)
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [off, off + len(b)]}
        chunks.append(b)
        off += len(b)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(chunks))


def evil_pickle():
    """Protocol 2: os.system("echo pwned > /tmp/alexnet-pwned"), as
    pickletools would list it: PROTO 2, GLOBAL 'os system', BINUNICODE,
    TUPLE1, REDUCE, STOP."""
    cmd = b"echo pwned > /tmp/alexnet-pwned"
    return (b"\x80\x02" + b"cos\nsystem\n" + b"X" + struct.pack("<I", len(cmd)) + cmd
            + b"\x85" + b"R" + b".")


# Exercises ints of every width, floats, str, bytes, bytearray, tuples of
# 0-4 items, lists, dicts, sets and memo references (the list appears twice).
SHARED = [1, 2]
PLAIN = {
    "ints": [0, 255, 256, 65535, 65536, -1, -2**31, 2**31, 2**63 - 1, -2**63, 2**70, -2**70],
    "float": -1.5,
    "str": "caf\u00e9",
    "bytes": b"\x00\xff",
    "bytearray": bytearray(b"ab"),
    "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
    "consts": [None, True, False],
    "set": {7},
    "frozenset": frozenset({8}),
    "shared": (SHARED, SHARED),
}


def main():
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    sd = state_dict()
    torch.save(sd, os.path.join(OUT, "small.pth"))
    torch.save(sd, os.path.join(OUT, "small_legacy.pth"), _use_new_zipfile_serialization=False)
    wrapped = {"epoch": 3, "state_dict": collections.OrderedDict(
        (k, sd[k]) for k in ("classifier.6.weight", "classifier.6.bias"))}
    torch.save(wrapped, os.path.join(OUT, "wrapped.pth"))
    params = collections.OrderedDict(
        (k, torch.nn.Parameter(sd[k].clone())) for k in ("features.0.bias", "classifier.6.bias"))
    torch.save(params, os.path.join(OUT, "params.pth"))
    write_safetensors(os.path.join(OUT, "small.safetensors"), sd, {"format": "pt", "source": "weights.py"})
    for name, t in sd.items():
        np.save(os.path.join(OUT, "expected", name + ".npy"),
                t.float().contiguous().numpy().astype("<f4"))
    for proto in (2, 3, 4, 5):
        with open(os.path.join(OUT, "plain_p%d.pkl" % proto), "wb") as f:
            f.write(pickle.dumps(PLAIN, protocol=proto))
    with zipfile.ZipFile(os.path.join(OUT, "evil.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr("evil/data.pkl", evil_pickle())
        z.writestr("evil/version", "3\n")
    # Sanity: the torch files load back to the same values.
    for f in ("small.pth", "small_legacy.pth"):
        back = torch.load(os.path.join(OUT, f))
        assert list(back) == list(sd)
        assert all(torch.equal(back[k], sd[k]) for k in sd)


if __name__ == "__main__":
    main()
