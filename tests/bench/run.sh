#!/usr/bin/env bash
# Runs every benchmark of this module in interleaved passes, prints
# benchstat tables, one column per implementation, and draws results.svg,
# a bar chart of time and allocations per task for each implementation in
# each scenario (see cmd/chart).
#
#   ./run.sh [passes] > results.txt
#
# Each pass runs every benchmark once with one compiled binary, so that load
# from other processes falls on all implementations alike instead of on
# consecutive samples of one. Raw output goes to $RAW (default
# /tmp/nursery-bench.txt). Needs benchstat:
#   go install golang.org/x/perf/cmd/benchstat@latest
#
# BenchmarkStreamScale, the sweep of stream lengths and worker counts, is
# not run here: sweep.sh runs it and draws scaling.svg.
set -euo pipefail
cd "$(dirname "$0")"
passes=${1:-6}
raw=${RAW:-/tmp/nursery-bench.txt}
bin=$(mktemp -d)/bench.test
go test -c -o "$bin" .
: > "$raw"
for pass in $(seq "$passes"); do
  echo "pass $pass/$passes, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  "$bin" -test.run='^$' -test.bench='^BenchmarkSpawnWait$' -test.benchtime=1s >> "$raw"
  # One line per size, each with a fixed number of ops: about 300,000
  # tasks a row, but a single op of 1,000,000, so that the whole curve
  # takes about half a minute a pass.
  for row in 1000:300x 10000:30x 100000:3x 1000000:1x; do
    "$bin" -test.run='^$' -test.bench="^BenchmarkCloseScale\$/^n=${row%:*}\$" -test.benchtime="${row#*:}" >> "$raw"
  done
  "$bin" -test.run='^$' -test.bench='^BenchmarkBlockedMemory$' -test.benchtime=10x >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkSubmit$' -test.benchtime=1s >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkRelease$' -test.benchtime=3x >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkFutures$' -test.benchtime=1s >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkMap$' -test.benchtime=2x >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkFlow$' -test.benchtime=2x >> "$raw"
  "$bin" -test.run='^$' -test.bench='^BenchmarkDropin$' -test.benchtime=1s >> "$raw"
done
for name in SpawnWait CloseScale BlockedMemory Submit Release Futures Map Flow Dropin; do
  echo "## $name"
  benchstat -filter ".name:$name" -col /impl "$raw"
  echo
done
go run ./cmd/chart -in "$raw" -out results.svg
echo "chart: $(pwd)/results.svg" >&2
