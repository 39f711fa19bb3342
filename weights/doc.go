// Package weights reads and writes AlexNet parameters as state dicts, and
// finds, downloads and caches the official torchvision checkpoint.
//
// Formats:
//
//   - PyTorch .pth, both layouts of torch.save (torch/serialization.py,
//     PyTorch 1.13): the zip format (_save: "<archive>/data.pkl" holding the
//     pickled object, "<archive>/data/<key>" holding each storage's raw
//     little-endian bytes, "<archive>/version") and the legacy format
//     (_legacy_save: pickles of the magic number 0x1950a86a20f9469cfc6c,
//     the protocol version 1001 and sys_info, then the object, then the
//     list of storage keys, then per key an int64 element count and the
//     raw bytes). Tensors are rebuilt as torch._utils._rebuild_tensor_v2
//     does (storage, storage offset, size, stride), so views and
//     non-contiguous tensors come out right, and every dtype is converted
//     to float32. The pickle is decoded by package pickle, which refuses
//     any global other than the few a state dict needs.
//   - safetensors (github.com/huggingface/safetensors, "Format"): an
//     unsigned little-endian 64-bit header size N, N bytes of JSON mapping
//     each name to {"dtype", "shape", "data_offsets"} plus an optional
//     "__metadata__" string map, then the byte buffer.
//   - ONNX (onnx.proto of ONNX 1.12, ModelProto; Go types in package
//     onnxpb): a graph of one of our architectures, as torch.onnx.export,
//     the ONNX model zoo's Caffe conversion or WriteONNX write it. See
//     ReadONNX: the nodes become layers (onnx_layers.go), matched against
//     each architecture's modules (onnx_arch.go, onnx_match.go), and the
//     initializers are named after the modules using them.
//
// Writers produce float32: WritePTH the torch 1.13 zip layout, which
// torch.load and Module.load_state_dict accept; WriteSafetensors, which
// also stores int8, uint8 and int32 tensors as such when
// StateDict.DTypes asks for them (package quant's files); and WriteONNX,
// the whole model as an ONNX graph that ONNX Runtime runs.
//
// Download, Resolve and the cache functions locate the official weights
// (OfficialURL); see Resolve for the search order.
package weights
