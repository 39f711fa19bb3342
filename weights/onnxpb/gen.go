// Package onnxpb holds the Go types of ONNX's protobuf messages (ModelProto,
// GraphProto, NodeProto, TensorProto, ...), generated from onnx.proto of
// ONNX 1.12 (IR version 8). See README.md for its origin and how to
// regenerate it; package weights reads .onnx files with it.
package onnxpb

//go:generate ./gen.sh
