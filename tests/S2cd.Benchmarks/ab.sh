#!/usr/bin/env bash
# Runs the daemon benchmarks for two builds of s2cd-bench alternately, ROUNDS rounds each, so that both see the
# same machine: tests/S2cd.Benchmarks/ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]   (each DIR holds an s2cd-bench.dll,
# for example a copy of tests/S2cd.Benchmarks/bin/Release/net10.0 taken at each commit). Prints every run's output.
set -uo pipefail
before=${1:?usage: ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]}
after=${2:?usage: ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]}
rounds=${3:-3}
for round in $(seq 1 "$rounds"); do
  for build in "$before" "$after"; do
    for bench in "relay-load --sessions 100 --participants 4 --seconds 10" "video-delay --seconds 10" "audio --seconds 10" "render"; do
      echo "=== round $round $build $bench"
      # shellcheck disable=SC2086
      timeout 120 dotnet "$build/s2cd-bench.dll" $bench 2>&1 | tail -n 25
    done
  done
done
