#!/usr/bin/env bash
# Runs BenchmarkStreamScale, the ordered streams at 1e3 to 1e7 items and 1
# to 1024 workers, prints benchstat tables (one per worker count and unit,
# a row per length, a column per implementation) and draws scaling.svg:
# ns/item and peak heap against the number of items, a line per worker
# count, for each implementation (see cmd/chart -sweep).
#
#   ./sweep.sh [passes] > sweep.txt
#
# One op is one whole stream, so every row runs a fixed number of ops: one
# of 1e6 or 1e7 items, enough of the shorter ones to take about 0.2 s. Like
# run.sh, it builds the test binary once and runs the sweep in interleaved
# passes, so that load from other processes falls on every row alike. A
# pass takes about five minutes on two busy cores. Raw output goes to $RAW
# (default /tmp/nursery-sweep.txt). Needs benchstat:
#   go install golang.org/x/perf/cmd/benchstat@latest
set -euo pipefail
cd "$(dirname "$0")"
passes=${1:-3}
raw=${RAW:-/tmp/nursery-sweep.txt}
bin=$(mktemp -d)/bench.test
go test -c -o "$bin" .
: > "$raw"
for pass in $(seq "$passes"); do
  echo "pass $pass/$passes, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  for row in 1000:200x 10000:20x 100000:2x 1000000:1x 10000000:1x; do
    "$bin" -test.run='^$' -test.bench="^BenchmarkStreamScale\$/^impl=/^workers=/^items=${row%:*}\$" -test.benchtime="${row#*:}" >> "$raw"
  done
done
benchstat -filter '.name:StreamScale .unit:(ns/item OR peak-heap-B OR allocs/op)' \
  -table /workers -row /items -col /impl "$raw"
go run ./cmd/chart -sweep -in "$raw" -out scaling.svg
echo "chart: $(pwd)/scaling.svg" >&2
