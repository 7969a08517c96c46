#!/usr/bin/env bash
# The main job. Until `anatomy build` exists, run what exists.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/build/anatomy" version
