#!/usr/bin/env bash
# The call oracle on the standard library's own test suites: CPython runs them and records
# which function each call entered; anatomy's call resolution of the whole standard library
# is compared with that (tests/python/extract/call_oracle.py). Fails under 99.5% of the
# resolved calls that ran. Usage: scripts/call_oracle.sh [BUILD_DIR] [TEST_MODULE...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"; shift || true
py="$root/.venv/bin/python"
stdlib="$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
modules=("$@")
if [[ ${#modules[@]} -eq 0 ]]; then
  modules=(test.test_json test.test_argparse test.test_csv test.test_textwrap test.test_email
    test.test_collections test.test_enum test.test_dataclasses test.test_typing test.test_pathlib
    test.test_configparser test.test_difflib test.test_fractions test.test_ipaddress
    test.test_statistics test.test_pprint test.test_inspect test.test_ast test.test_tokenize
    test.test_shlex test.test_string test.test_functools test.test_contextlib test.test_tempfile
    test.test_zipfile test.test_gzip test.test_unittest test.test_pickle test.test_copy
    test.test_calendar test.test_html test.test_http_cookies test.test_urlparse test.test_base64
    test.test_heapq test.test_bisect test.test_abc test.test_weakref)
fi
if ! "$py" -c 'import test.support' 2>/dev/null; then
  echo "call-oracle: $stdlib has no test package (Debian: python3-test / libpython3-testsuite)"
  exit 0
fi
echo "call-oracle: $("$py" --version) at $stdlib, ${#modules[@]} test modules, one process each"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
traces=()
for m in "${modules[@]}"; do
  # One process per suite: a RecursionError in calling the profile function unsets it for the
  # rest of its process (call_trace.py says so).
  if ! "$py" "$root/tests/python/extract/call_trace.py" "$work/$m.jsonl" -m unittest -q "$m" \
      >"$work/$m.log" 2>&1; then
    echo "call-oracle: $m failed under the trace (its calls are still compared)"
  fi
  grep -h "^call_trace.py:" "$work/$m.log" | sed "s/^/call-oracle: $m: /" || true
  traces+=(--trace "$work/$m.jsonl")
done
ANATOMY_BUILD_DIR="$build" "$py" "$root/tests/python/extract/call_oracle.py" "$stdlib" \
  --exclude site-packages --exclude dist-packages --min-precision 0.995 --show 30 "${traces[@]}"
