#!/usr/bin/env bash
# Encode+decode of the same plan-artifact payload: anatomy serde (C++) against Python msgspec,
# side by side in one run. Usage: bench/serde_vs_msgspec.sh [BUILD_DIR]  (default: build)
# Both sides are timed in CPU time (Google Benchmark's items_per_second; time.process_time in
# Python), so that other load on the machine affects them alike.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
bench="$build/bench/serde_bench"
python="$root/.venv/bin/python"
[ -x "$bench" ] || cmake --build "$build" --target serde_bench
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT

"$bench" --dump-payload "$tmp/payload.msgpack"
"$bench" --benchmark_filter='BM_Msgpack' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/cpp.json" 2>/dev/null
"$python" "$root/bench/msgspec_bench.py" "$tmp/payload.msgpack" >"$tmp/py.json"

"$python" - "$tmp/cpp.json" "$tmp/py.json" <<'PY'
import json, sys
cpp = json.load(open(sys.argv[1]))
py = json.load(open(sys.argv[2]))
rows = {b["run_name"]: b for b in cpp["benchmarks"] if b.get("aggregate_name") == "median"}
rt = rows["BM_MsgpackRoundTrip"]
cpp_rate = rt["items_per_second"]
ns = {name: rows[name]["cpu_time"] for name in rows}
print(f"payload: {py['bytes']} bytes of msgpack (plan artifact: lineage 20 exprs, 5 scan units, plan details)")
print(f"{'':28} {'round trips/s':>14} {'us per round trip':>18}")
print(f"{'anatomy serde (C++)':28} {cpp_rate:14.0f} {1e6 / cpp_rate:18.2f}")
print(f"{'msgspec ' + py['msgspec'] + ' (Python)':28} {py['roundtrips_per_sec']:14.0f} {1e6 / py['roundtrips_per_sec']:18.2f}")
print(f"C++ encode {ns['BM_MsgpackEncode']/1000:.2f} us, decode {ns['BM_MsgpackDecode']/1000:.2f} us (CPU time, medians of 5)")
print(f"ratio (C++ / msgspec): {cpp_rate / py['roundtrips_per_sec']:.2f}x")
PY
