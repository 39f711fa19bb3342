#!/usr/bin/python3
"""Makes the JPEG decoder fixtures in testdata/jpeg (imageproc/jpeg tests).

Rerun from the repository root:
    testdata/gen/photos.sh                 # real photos into /tmp/alexnet-photos
    apt-get install -y libjpeg-turbo-progs # cjpeg: sampling factors, restarts, scans
    (cd /work/shared/tools/jpeg && for p in rawdump ycckenc; do cc -O2 -o /tmp/$p $p.c -ljpeg; done)
    apt-get install -y libjpeg62-turbo-dev  # jpeglib.h: ARITHENC below sets DAC conditioning
    /usr/bin/python3 testdata/gen/jpeg.py

Debian bookworm: Pillow 9.4, numpy 1.24, libjpeg-turbo 2.1.5. Each NAME.jpg is
cut from a real photo and encoded by Pillow or cjpeg; NAME.npy is
np.asarray(Image.open(NAME.jpg)), Pillow's decoded bytes (L: HxW, RGB:
HxWx3, CMYK: HxWx4). NAME.raw (some files) is rawdump's post-IDCT component
planes. tiny-imagenet-val.txt lists, for every Tiny ImageNet validation
image, the first 16 hex digits of sha256 of
np.asarray(Image.open(f).convert('RGB')).tobytes().
"""
import glob, hashlib, os, random, struct, subprocess, tempfile
import numpy as np
from PIL import Image

OUT = "testdata/jpeg"
PHOTOS = os.environ.get("ALEXNET_PHOTOS", "/tmp/alexnet-photos")
TINY = "/work/shared/data/tiny-imagenet-200/val/images"
TMP = tempfile.mkdtemp()


def photo(name, box):
    return Image.open(os.path.join(PHOTOS, name)).convert("RGB").crop(box)


def save_npy(name):
    im = Image.open(os.path.join(OUT, name + ".jpg"))
    np.save(os.path.join(OUT, name + ".npy"), np.asarray(im))


def pil(name, im, **kw):
    im.save(os.path.join(OUT, name + ".jpg"), "JPEG", **kw)
    save_npy(name)


def cjpeg(name, im, *args, npy=True):
    src = os.path.join(TMP, "in.ppm" if im.mode == "RGB" else "in.pgm")
    im.save(src)
    subprocess.run(["cjpeg", *args, "-outfile", os.path.join(OUT, name + ".jpg"), src], check=True)
    if npy:
        save_npy(name)


def strip_app(name, src):
    """Copies src without its APPn segments, so libjpeg must guess the colour
    space from the component ids."""
    b = open(os.path.join(OUT, src + ".jpg"), "rb").read()
    out, i = bytearray(b[:2]), 2
    while b[i + 1] != 0xDA:
        n = int.from_bytes(b[i + 2:i + 4], "big")
        if not 0xE0 <= b[i + 1] <= 0xEF:
            out += b[i:i + 2 + n]
        i += 2 + n
    out += b[i:]
    open(os.path.join(OUT, name + ".jpg"), "wb").write(out)
    save_npy(name)


def rawdump(name):
    subprocess.run(["/tmp/rawdump", os.path.join(OUT, name + ".jpg"), os.path.join(OUT, name + ".raw")], check=True)


ZZ=[0,1,8,16,9,2,3,10,17,24,32,25,18,11,4,5,12,19,26,33,40,48,41,34,27,20,13,6,7,14,21,28,35,42,49,56,57,50,43,36,29,22,15,23,30,37,44,51,58,59,52,45,38,31,39,46,53,60,61,54,47,55,62,63]
def seg(m,p): return bytes([0xFF,m])+struct.pack('>H',len(p)+2)+p
class BW:
    def __init__(s): s.out=bytearray(); s.acc=0; s.n=0
    def put(s,v,n):
        for i in range(n-1,-1,-1):
            s.acc=(s.acc<<1)|((v>>i)&1); s.n+=1
            if s.n==8:
                s.out.append(s.acc); 
                if s.acc==0xFF: s.out.append(0)
                s.acc=0; s.n=0
    def flush(s):
        while s.n: s.put(1,1)
def cat(v):
    a=abs(v); c=0
    while a: c+=1; a>>=1
    return c
def bitsof(v,c): return v if v>=0 else v+(1<<c)-1
def make_gray(path, blocks, q, bw):
    """Writes a baseline 8-bit gray JPEG with the given quantised blocks
    (natural order), 16-bit quantisation table q and simple Huffman tables."""
    W=8*bw; H=8*((len(blocks)+bw-1)//bw)
    while len(blocks)<(H//8)*bw: blocks.append([0]*64)
    dq = bytes([0x10]) + b''.join(struct.pack('>H',q[ZZ[k]]) for k in range(64))
    dcsyms=list(range(12)); dccounts=[0]*16; dccounts[3]=12  # length 4
    acsyms=[0x00,0xF0]+[(r<<4)|s for r in range(16) for s in range(1,11)]
    accounts=[0]*16; accounts[7]=len(acsyms)  # 162 codes of length 8
    dht=bytes([0x00])+bytes(dccounts)+bytes(dcsyms)+bytes([0x10])+bytes(accounts)+bytes(acsyms)
    dccode={s:i for i,s in enumerate(dcsyms)}; accode={s:i for i,s in enumerate(acsyms)}
    bw_=BW(); pred=0
    for b in blocks:
        d=b[0]-pred; pred=b[0]; c=cat(d); bw_.put(dccode[c],4)
        if c: bw_.put(bitsof(d,c),c)
        zz=[b[ZZ[k]] for k in range(64)]; run=0
        last=max([k for k in range(1,64) if zz[k]]+[0])
        for k in range(1,last+1):
            v=zz[k]
            if v==0: run+=1; continue
            while run>15: bw_.put(accode[0xF0],8); run-=16
            c=cat(v); bw_.put(accode[(run<<4)|c],8); bw_.put(bitsof(v,c),c); run=0
        if last<63: bw_.put(accode[0x00],8)
    bw_.flush()
    sof=struct.pack('>BHHB',8,H,W,1)+bytes([1,0x11,0])
    sos=bytes([1,1,0x00,0,63,0])
    data=b'\xff\xd8'+seg(0xDB,dq)+seg(0xC0,sof)+seg(0xC4,dht)+seg(0xDA,sos)+bytes(bw_.out)+b'\xff\xd9'
    open(path,'wb').write(data)

def idct_extreme(name):
    """Blocks whose IDCT leaves [0, 255] and overflows 16 bits: libjpeg-turbo's
    SIMD islow (what Pillow runs on x86-64) saturates where jidctint.c's
    range-limit table would wrap."""
    random.seed(1)
    blocks = []
    for i in range(64):
        b = [0] * 64
        if i % 4 == 0:
            b[0] = random.randint(-1023, 1023)
        elif i % 4 == 1:
            for k in random.sample(range(64), 6): b[k] = random.randint(-1023, 1023)
        elif i % 4 == 2:
            for k in random.sample(range(64), 4): b[k] = random.randint(-1023, 1023)
            b[0] = random.randint(-1023, 1023)
        else:
            for k in random.sample(range(64), 20): b[k] = random.randint(-60, 60)
        blocks.append(b)
    q = [random.choice([1, 2, 8, 16, 40]) for _ in range(64)]
    q[0] = 8
    make_gray(os.path.join(OUT, name + ".jpg"), blocks, q, 8)
    save_npy(name)
    rawdump(name)


# ARITHENC writes an arithmetic-coded JPEG with chosen DAC conditioning
# (cjpeg has no option for it): arithenc in.ppm|in.pgm out.jpg L U Kx
# progressive restart_rows quality.
ARITHENC = r"""
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>
int main(int argc, char **argv) {
  FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
  char magic[3]; int w, h, mx, nc, i;
  struct jpeg_compress_struct c; struct jpeg_error_mgr e;
  if (argc != 9 || !in || !out || fscanf(in, "%2s %d %d %d", magic, &w, &h, &mx) != 4) return 1;
  fgetc(in);
  nc = magic[1] == '6' ? 3 : 1;
  unsigned char *buf = malloc((size_t)w * h * nc);
  if (fread(buf, 1, (size_t)w * h * nc, in) != (size_t)w * h * nc) return 1;
  c.err = jpeg_std_error(&e); jpeg_create_compress(&c); jpeg_stdio_dest(&c, out);
  c.image_width = w; c.image_height = h; c.input_components = nc;
  c.in_color_space = nc == 3 ? JCS_RGB : JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, atoi(argv[8]), TRUE);
  c.arith_code = TRUE;
  for (i = 0; i < NUM_ARITH_TBLS; i++) {
    c.arith_dc_L[i] = atoi(argv[3]); c.arith_dc_U[i] = atoi(argv[4]); c.arith_ac_K[i] = atoi(argv[5]);
  }
  if (atoi(argv[6])) jpeg_simple_progression(&c);
  c.restart_in_rows = atoi(argv[7]);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = buf + (size_t)c.next_scanline * w * nc;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c); fclose(out); return 0;
}
"""


def arith():
    """Arithmetic-coded fixtures (SOF9, SOF10, DAC): cjpeg -arithmetic, and
    ARITHENC for non-default conditioning tables."""
    rocket = photo("rocket.jpg", (318, 350, 385, 403))
    hopper = photo("grace_hopper.jpg", (100, 40, 161, 89))
    wall = photo("astronaut.png", (250, 180, 307, 227))
    cjpeg("cj_arith_prog_420", hopper, "-arithmetic", "-progressive", "-sample", "2x2", "-quality", "90")
    cjpeg("cj_arith_restart_444", wall, "-arithmetic", "-restart", "1", "-sample", "1x1", "-quality", "85")
    cjpeg("cj_arith_gray_prog_r2b", rocket.convert("L"), "-arithmetic", "-progressive", "-restart", "2B")
    cjpeg("cj_arith_q100_33x17", rocket.crop((3, 7, 36, 24)), "-arithmetic", "-quality", "100", "-sample", "1x1")
    cjpeg("cj_arith_mixed", wall, "-arithmetic", "-progressive", "-sample", "2x2,1x2,2x1", "-restart", "3B")
    src = os.path.join(TMP, "arithenc.c")
    open(src, "w").write(ARITHENC)
    exe = os.path.join(TMP, "arithenc")
    subprocess.run(["cc", "-O2", "-o", exe, src, "-ljpeg"], check=True)
    for name, im, args in (("cj_arith_dac_seq", hopper, "3 9 20 0 0 95"),
                           ("cj_arith_dac_prog", wall, "0 15 0 1 1 90"),
                           ("cj_arith_dac_gray", rocket.convert("L"), "15 15 63 1 0 100")):
        ppm = os.path.join(TMP, "arith.ppm" if im.mode == "RGB" else "arith.pgm")
        im.save(ppm)
        subprocess.run([exe, ppm, os.path.join(OUT, name + ".jpg"), *args.split()], check=True)
        save_npy(name)
    save_npy("cj_arith")


def main():
    os.makedirs(OUT, exist_ok=True)
    rocket = photo("rocket.jpg", (200, 100, 280, 160))
    hopper = photo("grace_hopper.jpg", (150, 120, 230, 180))
    wall = photo("2004default.jpg", (1800, 1000, 1880, 1060))
    pil("pil_444", rocket, quality=90, subsampling=0)
    pil("pil_422", hopper, quality=85, subsampling=1)
    pil("pil_420", wall, quality=75, subsampling=2)
    pil("pil_420_prog", hopper, quality=80, subsampling=2, progressive=True)
    pil("pil_444_prog_opt", wall, quality=95, subsampling=0, progressive=True, optimize=True)
    pil("pil_q100", rocket, quality=100, subsampling=0)
    pil("pil_gray", hopper.convert("L"), quality=85)
    pil("pil_gray_prog", wall.convert("L"), quality=70, progressive=True)
    pil("pil_cmyk", rocket.convert("CMYK"), quality=90)
    pil("pil_1x1", rocket.crop((0, 0, 1, 1)), quality=90)
    pil("pil_2x2_420", hopper.crop((0, 0, 2, 2)), quality=90, subsampling=2)
    pil("pil_3x5_422", hopper.crop((0, 0, 3, 5)), quality=90, subsampling=1)
    pil("pil_17x13_420", wall.crop((5, 5, 22, 18)), quality=85, subsampling=2)
    pil("pil_17x13_prog", rocket.crop((5, 5, 22, 18)), quality=85, progressive=True)
    cjpeg("cj_440", hopper, "-quality", "85", "-sample", "1x2")
    cjpeg("cj_411", wall, "-quality", "85", "-sample", "4x1")
    cjpeg("cj_31", rocket, "-quality", "85", "-sample", "3x1")
    cjpeg("cj_42", hopper, "-quality", "85", "-sample", "4x2")
    cjpeg("cj_mixed", wall, "-quality", "85", "-sample", "2x2,1x2,2x1")
    cjpeg("cj_33x7_411", rocket.crop((0, 0, 33, 7)), "-quality", "90", "-sample", "4x1")
    cjpeg("cj_restart_rows", hopper, "-quality", "80", "-restart", "1")
    cjpeg("cj_restart_prog", wall, "-quality", "80", "-restart", "3B", "-progressive")
    cjpeg("cj_gray_restart", rocket.convert("L"), "-quality", "80", "-restart", "2B", "-progressive")
    cjpeg("cj_rgb", rocket, "-quality", "90", "-rgb")
    strip_app("cj_rgb_noapp", "cj_rgb")
    strip_app("cj_ycc_noapp", "pil_420")
    scans = os.path.join(TMP, "seq.txt")
    open(scans, "w").write("0;\n2;\n1;\n")
    cjpeg("cj_seqscans", hopper, "-quality", "85", "-scans", scans)
    cjpeg("cj_arith", rocket, "-arithmetic")
    arith()
    cmyk = os.path.join(TMP, "in.cmyk")
    c = wall.convert("CMYK")
    open(cmyk, "wb").write(c.tobytes())
    subprocess.run(["/tmp/ycckenc", cmyk, str(c.width), str(c.height), os.path.join(OUT, "ycck.jpg")], check=True)
    save_npy("ycck")
    # Benchmark input: a 500x375 4:2:0 photo (no .npy; too big to keep).
    photo("rocket.jpg", (70, 26, 570, 401)).save(os.path.join(OUT, "bench_500x375_420.jpg"), quality=85, subsampling=2)
    for n in ("pil_420", "pil_420_prog", "cj_411", "cj_mixed", "pil_17x13_420", "pil_q100"):
        rawdump(n)
    idct_extreme("idct_extreme")
    with open(os.path.join(OUT, "tiny-imagenet-val.txt"), "w") as f:
        f.write("# first 16 hex of sha256(np.asarray(Image.open(f).convert('RGB')).tobytes()), Pillow 9.4\n")
        files = sorted(glob.glob(os.path.join(TINY, "val_*.JPEG")), key=lambda p: int(p.split("_")[-1].split(".")[0]))
        for p in files:
            a = np.asarray(Image.open(p).convert("RGB"))
            f.write("%s %s\n" % (os.path.basename(p), hashlib.sha256(a.tobytes()).hexdigest()[:16]))


if __name__ == "__main__":
    main()
