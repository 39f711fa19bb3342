// Time torchvision AlexNet in ONNX Runtime (onnxruntime-node, CPU).
//
//   node ort.mjs --ort-dir DIR --model alexnet.onnx --batch B --threads T \
//                --iters N [--warmup W]
//   node ort.mjs --ort-dir DIR --model alexnet.onnx --check [--tol X | --rtol F] [--min-top1 F]
//
// DIR is the folder where `npm install --ignore-scripts onnxruntime-node` was
// run (its node_modules is used). Prints one JSON object on stdout:
//   {"engine":"onnxruntime","batch":B,"threads":T,"iters":N,
//    "ms_per_batch":median,"ms_min":..,"images_per_sec":..,"peak_rss_bytes":..}
// --check instead runs the reference input written beside the model
// (MODEL.ref-input.f32, by export_onnx.py or quantize_onnx.py; its batch is
// the file's length) and compares the logits with PyTorch's float32 ones
// (MODEL.ref-logits.f32). It prints the largest difference, the reference
// logits' range (max - min) and the fraction of images whose top-1 class
// agrees, and fails when the difference is above --tol (1e-3), or above
// --rtol × the range where --rtol is given, or the agreement is below
// --min-top1.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";

const { values: a } = parseArgs({
  options: {
    "ort-dir": { type: "string" },
    model: { type: "string" },
    batch: { type: "string", default: "1" },
    threads: { type: "string", default: "1" },
    iters: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    check: { type: "boolean", default: false },
    tol: { type: "string", default: "1e-3" },
    rtol: { type: "string" },
    "min-top1": { type: "string", default: "0" },
  },
});
if (!a["ort-dir"] || !a.model) {
  console.error("usage: node ort.mjs --ort-dir DIR --model FILE.onnx [--batch B --threads T --iters N]");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(a["ort-dir"]), "package.json"));
const ort = require("onnxruntime-node");
const ortVersion = require("onnxruntime-node/package.json").version;

const B = +a.batch, T = +a.threads, N = +a.iters, W = +a.warmup;

const t0 = performance.now();
const session = await ort.InferenceSession.create(a.model, {
  executionProviders: ["cpu"],
  intraOpNumThreads: T,
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
  executionMode: "sequential",
});
const loadMs = performance.now() - t0;
const inName = session.inputNames[0], outName = session.outputNames[0];

if (a.check) {
  const f32 = (f) => { const b = readFileSync(f); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
  const x = f32(a.model + ".ref-input.f32"), ref = f32(a.model + ".ref-logits.f32");
  const n = x.length / (3 * 224 * 224), classes = ref.length / n;
  const out = await session.run({ [inName]: new ort.Tensor("float32", Float32Array.from(x), [n, 3, 224, 224]) });
  const y = out[outName].data;
  const argmax = (v, i) => { let k = 0; for (let j = 1; j < classes; j++) if (v[i * classes + j] > v[i * classes + k]) k = j; return k; };
  let d = 0, lo = Infinity, hi = -Infinity, agree = 0;
  for (let i = 0; i < ref.length; i++) {
    d = Math.max(d, Math.abs(y[i] - ref[i]));
    lo = Math.min(lo, ref[i]);
    hi = Math.max(hi, ref[i]);
  }
  for (let i = 0; i < n; i++) agree += argmax(y, i) === argmax(ref, i);
  const tol = a.rtol !== undefined ? +a.rtol * (hi - lo) : +a.tol;
  const ok = d <= tol && agree / n >= +a["min-top1"];
  console.log(JSON.stringify({ engine: "onnxruntime", version: ortVersion, check_max_abs_diff: d, check_range: hi - lo,
    check_top1_agreement: agree / n, check_tol: tol, images: n, n: ref.length, ok }));
  process.exit(ok ? 0 : 1);
}

// Deterministic pseudo-random input (values do not matter for timing).
const data = new Float32Array(B * 3 * 224 * 224);
let s = 12345;
for (let i = 0; i < data.length; i++) {
  s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  data[i] = s / 2 ** 32 * 4 - 2;
}
const feeds = { [inName]: new ort.Tensor("float32", data, [B, 3, 224, 224]) };

for (let i = 0; i < W; i++) await session.run(feeds);
const ts = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  const out = await session.run(feeds);
  ts.push(performance.now() - t);
  if (out[outName].dims[0] !== B) throw new Error("unexpected output shape " + out[outName].dims);
}
ts.sort((x, y) => x - y);
const ms = ts.length % 2 ? ts[(ts.length - 1) / 2] : (ts[ts.length / 2 - 1] + ts[ts.length / 2]) / 2;
console.log(JSON.stringify({
  engine: "onnxruntime",
  version: ortVersion,
  batch: B,
  threads: T,
  iters: N,
  ms_per_batch: ms,
  ms_min: ts[0],
  images_per_sec: B * 1e3 / ms,
  load_ms: loadMs,
  peak_rss_bytes: process.resourceUsage().maxRSS * 1024, // maxRSS is in KiB
}));
