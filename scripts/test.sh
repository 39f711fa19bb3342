#!/usr/bin/env bash
# The project's test command: every package, then the compute packages again
# with the portable kernels (-tags purego), so both variants stay tested.
# Extra arguments go to both `go test` runs (e.g. -run, -v, -count=1).
set -euo pipefail
cd "$(dirname "$0")/.."
go test "$@" ./...
go test -tags purego "$@" ./kernels/... ./nn/... ./model/... ./train/...
