#!/usr/bin/python3
"""Fixtures for package imageproc: PIL 9.4 + torchvision 0.14 reference values.

Regenerate from the repository root (needs Debian's python3-torch,
python3-torchvision, python3-pil, python3-numpy; photos from photos.sh):

    testdata/gen/photos.sh            # full-size photos into /tmp/alexnet-photos
    /usr/bin/python3 testdata/gen/imageproc.py [PHOTO_DIR] [TINY_IMAGENET_DIR]

Writes testdata/imageproc/: small images of every supported format and mode
(crops of real photos), their PIL RGB pixels as .npy, and cases.json with,
per case, sha256 prefixes (16 hex digits) of the uint8 HWC arrays after
Image.open(f).convert('RGB'), after transforms.Resize(256), after
transforms.CenterCrop(224), and of the float32 CHW tensor after ToTensor +
Normalize(ImageNet mean/std). Larger arrays are stored only as hashes.
Also: center-crop and ToTensor fixtures, hashes for two full-size photos
(checked only when photos.sh was run) and for the first 200 Tiny ImageNet
val images (checked only when the dataset is present).
"""
import hashlib
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import PIL
import torch
import torchvision
from PIL import Image
from torchvision import transforms as T
from torchvision.transforms import functional as F

assert PIL.__version__ == "9.4.0", PIL.__version__
assert torchvision.__version__.startswith("0.14"), torchvision.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "testdata", "imageproc")
PHOTOS = sys.argv[1] if len(sys.argv) > 1 else "/tmp/alexnet-photos"
TINY = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "data", "tiny-imagenet-200")
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
RESIZE, CROP = T.Resize(256), T.CenterCrop(224)
NORM = T.Compose([T.ToTensor(), T.Normalize(MEAN, STD)])


def h(a):
    """sha256 prefix of a C-order array's bytes (little-endian)."""
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()[:16]


def photo(name, box):
    return Image.open(os.path.join(PHOTOS, name)).convert("RGB").crop(box)


def png_chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data))


def write_png(path, w, h_, depth, ctype, rows, plte=None, trns=None):
    """Hand-written PNG for layouts PIL cannot save (16-bit colour, low-bit gray)."""
    raw = b"".join(b"\x00" + r for r in rows)
    data = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h_, depth, ctype, 0, 0, 0))
    if plte is not None:
        data += png_chunk(b"PLTE", plte)
    if trns is not None:
        data += png_chunk(b"tRNS", trns)
    data += png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(data)


def pack_bits(vals, depth):
    """Packs one row of small ints MSB first."""
    out, acc, n = bytearray(), 0, 0
    for v in vals:
        acc = (acc << depth) | int(v)
        n += depth
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def make_inputs():
    """Writes the format/mode images; returns [(file, format, mode note, exact)]."""
    cat = photo("chelsea.png", (100, 40, 145, 77))  # 45x37, odd both ways
    cof = photo("coffee.png", (200, 100, 264, 148))  # 64x48
    ast = photo("astronaut.png", (180, 60, 233, 97))  # 53x37
    rgba = np.dstack([np.asarray(cof), np.asarray(photo("coffee.png", (0, 0, 64, 48)).convert("L"))])
    cases = []

    def save(im, name, fmt, note, exact=True, **kw):
        im.save(os.path.join(OUT, name), fmt, **kw)
        cases.append((name, fmt.lower(), note, exact))

    # PNG via PIL
    save(cat, "png_rgb.png", "PNG", "RGB 8-bit")
    save(cat.convert("L"), "png_l.png", "PNG", "L 8-bit")
    save(Image.fromarray(rgba, "RGBA"), "png_rgba.png", "PNG", "RGBA 8-bit, alpha dropped")
    save(Image.fromarray(rgba, "RGBA").convert("LA"), "png_la.png", "PNG", "LA 8-bit")
    p = cat.quantize(200)
    save(p, "png_p.png", "PNG", "P 8-bit")
    p2 = cof.quantize(64)
    save(p2, "png_p_trns.png", "PNG", "P with tRNS", transparency=bytes([0, 128] + [255] * 30 + [7] * 32))
    save(ast.quantize(16), "png_p4.png", "PNG", "P 4-bit", bits=4)
    save(cat.convert("1"), "png_1.png", "PNG", "1-bit")
    save(cat, "png_rgb_trns.png", "PNG", "RGB with tRNS", transparency=tuple(int(x) for x in np.asarray(cat)[3, 3]))
    save(cat.convert("L"), "png_l_trns.png", "PNG", "L with tRNS", transparency=int(np.asarray(cat.convert("L"))[0, 0]))
    # hand-written PNGs
    a = np.asarray(cof).astype(np.uint16)
    wide = (a * 257 + np.arange(a.size).reshape(a.shape) % 251).astype(">u2")
    write_png(os.path.join(OUT, "png_rgb16.png"), 64, 48, 16, 2, [r.tobytes() for r in wide])
    cases.append(("png_rgb16.png", "png", "RGB 16-bit (PIL keeps the high byte)", True))
    wa = np.dstack([wide, (np.asarray(cof.convert("L")).astype(">u2") * 200)])
    write_png(os.path.join(OUT, "png_rgba16.png"), 64, 48, 16, 6, [r.tobytes() for r in wa])
    cases.append(("png_rgba16.png", "png", "RGBA 16-bit", True))
    la16 = np.dstack([wide[..., 0], wide[..., 1]])
    write_png(os.path.join(OUT, "png_la16.png"), 64, 48, 16, 4, [r.tobytes() for r in la16])
    cases.append(("png_la16.png", "png", "LA 16-bit", True))
    g = np.asarray(cof.convert("L")).astype(np.uint16)
    write_png(os.path.join(OUT, "png_i16_full.png"), 64, 48, 16, 0, [r.tobytes() for r in (g * 257).astype(">u2")])
    cases.append(("png_i16_full.png", "png", "gray 16-bit full range (mode I, clips to 255)", True))
    write_png(os.path.join(OUT, "png_i16_low.png"), 64, 48, 16, 0, [r.tobytes() for r in (g + g // 2).astype(">u2")])
    cases.append(("png_i16_low.png", "png", "gray 16-bit values 0..382 (mode I, clips)", True))
    write_png(os.path.join(OUT, "png_i16_trns.png"), 64, 48, 16, 0, [r.tobytes() for r in (g + g // 2).astype(">u2")],
              trns=struct.pack(">H", int(g[0, 0] + g[0, 0] // 2)))
    cases.append(("png_i16_trns.png", "png", "gray 16-bit with tRNS", True))
    for depth in (2, 4):
        q = (g >> (8 - depth)).astype(np.uint8)
        write_png(os.path.join(OUT, f"png_l{depth}.png"), 64, 48, depth, 0, [pack_bits(r, depth) for r in q])
        cases.append((f"png_l{depth}.png", "png", f"gray {depth}-bit", True))
    # GIF
    save(p, "gif_p.gif", "GIF", "P, 200 colours")
    pt = cof.quantize(64)
    pal = pt.getpalette()[:192]
    pt.putpalette(pal)
    save(pt, "gif_trns.gif", "GIF", "P with transparent index 5 (PIL keeps its RGB)", transparency=5)
    frames = [cat.quantize(100), ast.resize(cat.size).quantize(100)]
    frames[0].save(os.path.join(OUT, "gif_anim.gif"), "GIF", save_all=True, append_images=frames[1:], duration=100)
    cases.append(("gif_anim.gif", "gif", "two frames: first used", True))
    # GIF whose first frame is smaller than the screen and offset, with transparency
    buf = io.BytesIO()
    pt.save(buf, "GIF", transparency=5)
    b = bytearray(buf.getvalue())
    b[6:10] = struct.pack("<HH", 64 + 7, 48 + 5)
    i = 13 + (3 << ((b[10] & 7) + 1) if b[10] & 0x80 else 0)
    while b[i] == 0x21:
        i += 2
        while b[i]:
            i += b[i] + 1
        i += 1
    assert b[i] == 0x2C
    b[i + 1 : i + 5] = struct.pack("<HH", 4, 3)
    with open(os.path.join(OUT, "gif_offset.gif"), "wb") as f:
        f.write(b)
    cases.append(("gif_offset.gif", "gif", "first frame 64x48 at (4,3) on a 71x53 screen, transparent fill", True))
    # BMP
    save(cat, "bmp_rgb.bmp", "BMP", "24-bit")
    save(p, "bmp_p.bmp", "BMP", "8-bit palette")
    save(cat.convert("L"), "bmp_l.bmp", "BMP", "8-bit gray")
    save(cat.convert("1"), "bmp_1.bmp", "BMP", "1-bit")
    save(Image.fromarray(rgba, "RGBA"), "bmp_rgba.bmp", "BMP", "32-bit")
    # TIFF
    save(cat, "tiff_rgb.tif", "TIFF", "RGB raw")
    save(cat, "tiff_rgb_lzw.tif", "TIFF", "RGB LZW", compression="tiff_lzw")
    save(Image.fromarray(rgba, "RGBA"), "tiff_rgba_deflate.tif", "TIFF", "RGBA deflate", compression="tiff_adobe_deflate")
    save(cat.convert("L"), "tiff_l_packbits.tif", "TIFF", "L packbits", compression="packbits")
    save(cat.convert("CMYK"), "tiff_cmyk.tif", "TIFF", "CMYK raw")
    cm = np.asarray(cof).copy()
    cmyk = np.dstack([cm, np.asarray(cof.convert("L"))[..., None] // 2])
    save(Image.fromarray(cmyk, "CMYK"), "tiff_cmyk_k.tif", "TIFF", "CMYK with K")
    save(p, "tiff_p.tif", "TIFF", "P")
    save(Image.fromarray((g + g // 2).astype(np.uint16)).convert("I;16"), "tiff_i16.tif", "TIFF", "16-bit gray")
    # WebP
    save(cat, "webp_lossless.webp", "WEBP", "lossless RGB", lossless=True)
    save(Image.fromarray(rgba, "RGBA"), "webp_lossless_rgba.webp", "WEBP", "lossless RGBA", lossless=True, exact=True)
    save(cat, "webp_lossy.webp", "WEBP", "lossy RGB", exact=False, quality=85)
    save(Image.fromarray(rgba, "RGBA"), "webp_lossy_rgba.webp", "WEBP", "lossy RGBA", exact=False, quality=85)
    # JPEG (exact once imageproc/jpeg is libjpeg-turbo exact)
    save(cat, "jpeg_420.jpg", "JPEG", "RGB 4:2:0 q90", quality=90)
    save(ast, "jpeg_444.jpg", "JPEG", "RGB 4:4:4 q95", quality=95, subsampling=0)
    save(cof, "jpeg_422_prog.jpg", "JPEG", "RGB 4:2:2 progressive", quality=80, subsampling=1, progressive=True)
    save(cat.convert("L"), "jpeg_l.jpg", "JPEG", "L")
    save(cat.convert("CMYK"), "jpeg_cmyk.jpg", "JPEG", "CMYK (Adobe)", quality=90)
    return cases


def pipeline(im):
    """convert, resize, crop, tensor, as torchvision does."""
    rgb = im.convert("RGB")
    rs = RESIZE(rgb)
    cr = CROP(rs)
    t = NORM(cr)
    return rgb, rs, cr, t


def record(im, **extra):
    rgb, rs, cr, t = pipeline(im)
    r = dict(size=list(rgb.size), rgb=h(np.asarray(rgb)), resize_size=list(rs.size),
             resize=h(np.asarray(rs)), crop=h(np.asarray(cr)), tensor=h(t.numpy().astype("<f4")))
    r.update(extra)
    return r, rgb


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    out = {"pil": PIL.__version__, "torchvision": torchvision.__version__, "torch": torch.__version__,
           "formats": [], "resize": [], "centercrop": [], "photos": [], "tiny": []}
    for name, fmt, note, exact in make_inputs():
        r, rgb = record(Image.open(os.path.join(OUT, name)), file=name, format=fmt, note=note,
                        exact=exact and fmt != "jpeg")
        np.save(os.path.join(OUT, name + ".rgb.npy"), np.asarray(rgb))
        out["formats"].append(r)
    # Resize cases on already-RGB pixels (stored as PNG): upscale, odd, thin, unchanged, downscale.
    rcases = [
        ("resize_64x64.png", photo("astronaut.png", (200, 80, 264, 144))),
        ("resize_37x53.png", photo("chelsea.png", (200, 100, 237, 153))),
        ("resize_1x300.png", photo("coffee.png", (300, 50, 301, 350))),
        ("resize_300x1.png", photo("coffee.png", (100, 200, 400, 201))),
        ("resize_256x300.png", photo("moon.png", (10, 20, 266, 320))),
        ("resize_300x256.png", photo("moon.png", (150, 100, 450, 356))),
        ("resize_301x271.png", photo("coffee.png", (150, 80, 451, 351))),
        ("resize_moon_512.png", Image.open(os.path.join(PHOTOS, "moon.png"))),
        ("resize_2x2.png", photo("chelsea.png", (60, 60, 62, 62))),
    ]
    for name, im in rcases:
        im.save(os.path.join(OUT, name))
        r, rgb = record(Image.open(os.path.join(OUT, name)), file=name)
        if name == "resize_64x64.png":
            np.save(os.path.join(OUT, name + ".resize.npy"), np.asarray(RESIZE(rgb)))
        out["resize"].append(r)
    # CenterCrop on a 37x53 RGB image, including sizes that need padding.
    src = np.asarray(Image.open(os.path.join(OUT, "resize_37x53.png")).convert("RGB"))
    for sz in ([30, 30], [33, 20], [36, 36], [40, 40], [53, 37], [60, 64], [52, 38], [51, 35]):
        cr = np.asarray(F.center_crop(Image.fromarray(src), sz))
        fn = f"centercrop_{sz[0]}x{sz[1]}.npy"  # (height, width)
        np.save(os.path.join(OUT, fn), cr)
        out["centercrop"].append(dict(src="resize_37x53.png", height=sz[0], width=sz[1], file=fn))
    # ToTensor + Normalize of every uint8 value, and of a small crop with other options.
    ramp = np.stack([np.arange(256, dtype=np.uint8), np.arange(256)[::-1].astype(np.uint8),
                     (np.arange(256) * 7 % 256).astype(np.uint8)], -1)[None]
    np.save(os.path.join(OUT, "tensor_ramp.rgb.npy"), ramp)
    np.save(os.path.join(OUT, "tensor_ramp.npy"), NORM(Image.fromarray(ramp)).numpy())
    small = T.Compose([T.Resize(40), T.CenterCrop(32), T.ToTensor(), T.Normalize([0.5, 0.4, 0.3], [0.2, 0.25, 0.3])])
    np.save(os.path.join(OUT, "tensor_small.npy"), small(Image.open(os.path.join(OUT, "resize_37x53.png")).convert("RGB")).numpy())
    # Full-size photos (not committed): checked when photos.sh has been run.
    for name in ("focal-ubuntukylin.png", "the-mouse.jpg"):
        r, _ = record(Image.open(os.path.join(PHOTOS, name)), file=name, format=name.rsplit(".", 1)[1])
        out["photos"].append(r)
    # Tiny ImageNet: first 200 val images (val_0 .. val_199).
    if os.path.isdir(TINY):
        for i in range(200):
            name = f"val_{i}.JPEG"
            r, _ = record(Image.open(os.path.join(TINY, "val", "images", name)), file=name)
            out["tiny"].append(r)
    else:
        print("no Tiny ImageNet at", TINY, "- tiny fixture left empty", file=sys.stderr)
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
