#!/usr/bin/env bash
# Runs the daemon benchmarks for two builds of s2cd-bench alternately, ROUNDS rounds each, so that both see the
# same machine: tests/S2cd.Benchmarks/ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]   (each DIR holds an s2cd-bench.dll,
# for example a copy of tests/S2cd.Benchmarks/bin/Release/net10.0 taken at each commit). Each invocation is one round
# (--runs 1), so the rounds of the two builds alternate; every output's last lines are that round's figures.
set -uo pipefail
before=${1:?usage: ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]}
after=${2:?usage: ab.sh BEFORE_DIR AFTER_DIR [ROUNDS]}
rounds=${3:-3}
for round in $(seq 1 "$rounds"); do
  for build in "$before" "$after"; do
    for bench in "relay-load --sessions 100 --participants 4 --seconds 10 --runs 1" "video-delay --seconds 10 --runs 1" "audio --seconds 10 --runs 1" "render --runs 1"; do
      echo "=== round $round $build $bench"
      # shellcheck disable=SC2086
      timeout 300 dotnet "$build/s2cd-bench.dll" $bench 2>&1 | tail -n 30
    done
  done
done
