#!/usr/bin/env bash
# The symtable oracle on the whole standard library of the machine's python3: anatomy's
# scopes and bindings against CPython's symtable, per (scope, name); fails under 99.5%.
# Usage: scripts/stdlib_oracle.sh [BUILD_DIR] (default: build). Extra args go to the oracle.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"; shift || true
py="$root/.venv/bin/python"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
echo "stdlib-oracle: $(python3 --version) at $stdlib"
ANATOMY_BUILD_DIR="$build" "$py" "$root/tests/python/extract/symtable_oracle.py" "$stdlib" \
  --include '**/*.py' --exclude 'site-packages' --exclude 'dist-packages' --show 100 "$@"
