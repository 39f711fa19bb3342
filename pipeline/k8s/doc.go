// Package k8s holds the tests of the Kubernetes manifests of `alexnet
// serve` in deploy/k8s: parsed with sigs.k8s.io/yaml (no schema can be
// downloaded here for a schema checker such as kubeconform), their
// kinds, labels and selectors, ports, probes and the autoscaler's metric
// are checked against each other and against what a running serve.Server
// answers and exports.
package k8s
