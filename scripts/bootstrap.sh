#!/usr/bin/env bash
# One idempotent bootstrap: Debian packages, the project virtualenv (.venv) and the
# pinned npm packages (.deps/npm). Safe to run any number of times; quick when done.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

APT_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config
  clang clang-format libclang-rt-14-dev llvm
  libmsgpack-cxx-dev nlohmann-json3-dev libssl-dev libsodium-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libzstd-dev libutf8proc-dev libjemalloc-dev
  python3 python3-venv nodejs npm
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  # nodejs/npm/python3 may come from elsewhere on the machine; only install what has no binary.
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in
      nodejs) command -v node >/dev/null || filtered+=("$p") ;;
      npm) command -v npm >/dev/null || filtered+=("$p") ;;
      python3) command -v python3 >/dev/null || filtered+=("$p") ;;
      python3-venv) python3 -c 'import venv, ensurepip' 2>/dev/null || filtered+=("$p") ;;
      *) filtered+=("$p") ;;
    esac
  done
  if [ "${#filtered[@]}" -gt 0 ]; then
    echo "bootstrap: installing Debian packages: ${filtered[*]}"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${filtered[@]}" >/dev/null
  fi
fi

# Python: project-local virtualenv with pinned packages.
req="$root/requirements.txt"
stamp="$root/.venv/.requirements.sha256"
want="$(sha256sum "$req" | cut -d' ' -f1)"
if [ ! -x "$root/.venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bootstrap: creating .venv"
  python3 -m venv "$root/.venv"
  "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi

# npm: the tree-sitter runtime and Python grammar C sources, exact versions, no install scripts
# (their node bindings are not needed and would try to download headers).
npm_dir="$root/.deps/npm"
npm_stamp="$npm_dir/.package.sha256"
npm_want="$(cat "$root/package.json" "$root/package-lock.json" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$npm_dir/node_modules/tree-sitter-python/src/parser.c" ] || [ "$(cat "$npm_stamp" 2>/dev/null)" != "$npm_want" ]; then
  echo "bootstrap: installing npm packages"
  mkdir -p "$npm_dir"
  cp "$root/package.json" "$root/package-lock.json" "$npm_dir/"
  (cd "$npm_dir" && npm ci --ignore-scripts --no-audit --no-fund --silent)
  echo "$npm_want" > "$npm_stamp"
fi
