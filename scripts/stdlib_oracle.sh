#!/usr/bin/env bash
# The symtable oracle on the whole standard library of the machine's python3: anatomy's
# scopes and bindings against CPython's symtable, per (scope, name); fails under 99.5%.
# When the machine also has a CPython 3.12 or later, the same on that interpreter's own
# standard library (3.12+ syntax among it) against its symtable, which knows PEP 695.
# Usage: scripts/stdlib_oracle.sh [BUILD_DIR] (default: build). Extra args go to the oracle.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"; shift || true
py="$root/.venv/bin/python"
oracle="$root/tests/python/extract/symtable_oracle.py"
run() {  # run PYTHON: the oracle over PYTHON's standard library, against PYTHON's symtable
  local stdlib
  stdlib="$("$1" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
  echo "stdlib-oracle: $("$1" --version) at $stdlib"
  ANATOMY_BUILD_DIR="$build" "$py" "$oracle" "$stdlib" --python "$1" \
    --include '**/*.py' --exclude 'site-packages' --exclude 'dist-packages' --show 100 "${@:2}"
}
run "$(command -v python3)" "$@"
modern="$(PYTHONPATH="$root/tests/python/extract" "$py" -c \
  'import symtable_oracle as o; print(o.modern_python() or "")')"
if [[ -n "$modern" ]]; then
  run "$modern" "$@"
else
  echo "stdlib-oracle: no CPython >= 3.12 here (set ANATOMY_MODERN_PYTHON); PEP 695 not checked"
fi
