#!/usr/bin/env bash
# The load benchmark (make bench-load, which installs wrk first): builds the
# server as `make run` does, the bare yardstick and the load generator, then
# runs the load generator, which starts both servers on free loopback ports,
# loads each in turn with wrk and prints the table. The table is also written
# to infra/perf/load/results/latest.md. Extra arguments go to the load
# generator (-conns, -threads, -rounds, -duration, -warmup).
set -euo pipefail
cd "$(dirname "$0")/../../.."
wrk=$(command -v wrk) || { echo "bench-load: wrk is missing: make bench-load installs it (apt-get install wrk)" >&2; exit 1; }
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/local" ./infra/local
go build -o "$bin/bare" ./infra/perf/load/bare
go build -o "$bin/loadgen" ./infra/perf/load/loadgen
mkdir -p infra/perf/load/results
"$bin/loadgen" -wrk "$wrk" -server "$bin/local" -bare "$bin/bare" -results infra/perf/load/results/latest.md "$@"
