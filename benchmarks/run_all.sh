#!/usr/bin/env bash
# Run every benchmark and print its figures. Targets are stated in each script's docstring.
# Usage: bash benchmarks/run_all.sh   (pin to one core with: taskset -c 0 bash benchmarks/run_all.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
for bench in bench_crawl bench_screen bench_extract bench_pool; do
  echo "== ${bench} =="
  python "benchmarks/${bench}.py"
  echo
done
