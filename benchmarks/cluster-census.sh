#!/usr/bin/env bash
# Issue 16's loopback cluster benchmark (BENCHMARKS.md): the census wide model, 2 epochs, as one
# process, as chief + ps, and as chief + worker + ps; two rounds. Writes the logs under
# ${OUT:-/tmp/e4j-cluster-bench}/r<round>/ and the machine's load to info.txt there.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
out="${OUT:-/tmp/e4j-cluster-bench}"
mkdir -p "$out"
cd "$out"
{ date -u; nproc; uptime; } >info.txt
for round in 1 2; do
  mkdir -p "r$round"
  { time "$root/e4j" sample census --model wide --epochs 2; } >"r$round/local.out" 2>"r$round/local.err"
  { time "$root/e4j" cluster local --ps 1 --workers 1 -- sample census --model wide --epochs 2; } \
    >"r$round/w1.out" 2>"r$round/w1.err"
  { time "$root/e4j" cluster local --ps 1 --workers 2 -- sample census --model wide --epochs 2; } \
    >"r$round/w2.out" 2>"r$round/w2.err"
  uptime >>info.txt
done
