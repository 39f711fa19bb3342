// Runs an ONNX model in ONNX Runtime (onnxruntime-node, CPU, one thread)
// on a raw float32 input, for testdata/gen/onnx_graphs.py:
//
//   node ort_logits.mjs ORT_DIR MODEL.onnx INPUT.f32 N,C,H,W OUTPUT.f32
//
// ORT_DIR is the folder where `npm install --ignore-scripts
// onnxruntime-node@1.30.0` was run. Writes the first output as raw
// little-endian float32 and prints its dims and ORT's version.
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [dir, model, input, shape, output] = process.argv.slice(2);
if (!output) {
  console.error("usage: node ort_logits.mjs ORT_DIR MODEL.onnx INPUT.f32 N,C,H,W OUTPUT.f32");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), "package.json"));
const ort = require("onnxruntime-node");
const version = require("onnxruntime-node/package.json").version;
const dims = shape.split(",").map(Number);
const buf = readFileSync(input);
const x = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
const session = await ort.InferenceSession.create(model, {
  executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1,
});
const res = await session.run({ [session.inputNames[0]]: new ort.Tensor("float32", x, dims) });
const y = res[session.outputNames[0]];
writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
console.log(JSON.stringify({ dims: y.dims, ort: version }));
