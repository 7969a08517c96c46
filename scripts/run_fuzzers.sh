#!/usr/bin/env bash
# Bounded runs of every libFuzzer target in BUILD_DIR, each for SECONDS, seeded from its corpus.
# Each run's random seed is printed (FUZZ_SEED=N reruns one) and an input that fails is kept
# as BUILD_DIR/<target>-crash-<sha1> to reproduce with `BUILD_DIR/fuzz/<target> FILE`.
set -euo pipefail
build="${1:?build dir}"; seconds="${2:-30}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
shopt -s nullglob
ran=0; failed=0
for fuzzer in "$build"/fuzz/fuzz_*; do
  [ -x "$fuzzer" ] || continue
  name="$(basename "$fuzzer")"
  corpus="$(mktemp -d)"
  seeds="$root/fuzz/corpus/$name"
  [ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
  # Generated seeds (from goldens) if the target knows how to make them.
  # (bounded: a target that does not know the flag would take it for an input and fuzz on)
  if timeout 60 "$fuzzer" --write-seeds "$corpus" >/dev/null 2>&1; then :; fi
  seed="${FUZZ_SEED:-$(( (RANDOM << 15 | RANDOM) + 1 ))}"
  echo "fuzz: $name for ${seconds}s, -seed=$seed"
  if "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
       -seed="$seed" -artifact_prefix="$build/$name-" "$corpus" >"$build/$name.log" 2>&1; then
    ran=$((ran+1))
  else
    failed=$((failed+1)); echo "fuzz: $name FAILED"; tail -40 "$build/$name.log"
  fi
  rm -rf "$corpus"
done
echo "fuzz: $ran targets clean, $failed with findings"
[ "$failed" -eq 0 ]
