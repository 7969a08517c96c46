#!/usr/bin/env bash
# The call oracle on the standard library's own test suites: CPython runs them and records
# which function each call entered; anatomy's call resolution of the whole standard library
# is compared with that (tests/python/extract/call_oracle.py); then the same with a CPython 3.12 or
# later and its standard library when the machine has one. Fails under 99.5% of the
# resolved calls that ran. Usage: scripts/call_oracle.sh [BUILD_DIR] [TEST_MODULE...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"; shift || true
py="$root/.venv/bin/python"
suite_seconds="${CALL_ORACLE_SUITE_SECONDS:-240}"
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
run() {  # run PYTHON: its test suites traced under it, against its own standard library
  local python="$1" stdlib work m
  stdlib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  if ! "$python" -c 'import test.support' 2>/dev/null; then
    echo "call-oracle: $stdlib has no test package (Debian: libpython3-testsuite)"
    return 0
  fi
  echo "call-oracle: $("$python" --version) at $stdlib, ${#modules[@]} test modules, one process each"
  work="$(mktemp -d)"
  local traces=()
  for m in "${modules[@]}"; do
    # One process per suite: a RecursionError in calling the profile function unsets it for
    # the rest of its process (call_trace.py says so). A suite the version lacks is skipped;
    # one that runs over $suite_seconds s under the trace (some do, under 3.12's slower
    # profile hook) is stopped and what it ran is compared.
    (cd "$work" && timeout "$suite_seconds" "$python" "$root/tests/python/extract/call_trace.py" \
      "$work/$m.jsonl" -m unittest -q "$m" >"$work/$m.log" 2>&1) ||
      echo "call-oracle: $m failed under the trace (what it ran is still compared)"
    grep -h "^call_trace.py:" "$work/$m.log" | sed "s/^/call-oracle: $m: /" || true
    [[ -f "$work/$m.jsonl" ]] && traces+=(--trace "$work/$m.jsonl")
  done
  local status=0
  (cd "$work" && ANATOMY_BUILD_DIR="$build" "$py" "$root/tests/python/extract/call_oracle.py" \
    "$stdlib" --exclude site-packages --exclude dist-packages --min-precision 0.995 --show 30 \
    "${traces[@]}") || status=$?
  rm -rf "$work"
  return $status
}
run "$py"
modern="$(PYTHONPATH="$root/tests/python/extract" "$py" -c \
  'import symtable_oracle as o; print(o.modern_python() or "")')"
if [[ -n "$modern" ]]; then
  run "$modern"
else
  echo "call-oracle: no CPython >= 3.12 here (set ANATOMY_MODERN_PYTHON); modern code not traced"
fi
