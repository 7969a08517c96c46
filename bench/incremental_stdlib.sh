#!/usr/bin/env bash
# An incremental build after a one-file edit of the standard library, side by side with the
# full build of the same tree, in one run: wall seconds and peak RSS from /usr/bin/time -v,
# and the ratio (goal: at most 5%). The standard library is copied to a scratch folder so
# that it can be edited. Edits: a comment and a function added to a leaf module
# (colorsys.py), a comment at the top of a module other modules call into
# (json/decoder.py), which shifts every span of the file, and a test method added to a large
# test module (test/test_grammar.py, 2,000 lines), whose edges join the longest lists of
# cpg_edges_by_dst (self.assertEqual, builtins.len, ...).
# Usage: bench/incremental_stdlib.sh [BUILD_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build}"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/repo"
(cd "$stdlib" && tar --exclude=./site-packages --exclude='__pycache__' -cf - .) | tar -C "$work/repo" -xf -
source "$root/bench/measure.sh"
files="$(cd "$work/repo" && find . -name '*.py' | wc -l)"
echo "stdlib copy of $stdlib ($files .py files), $(nproc) cores, $(date -u +%F)"
measure "full build" "$build/anatomy" build "$work/repo" --out "$work/out"
full_s="$LAST_SECONDS"
measure "incremental, nothing changed" "$build/anatomy" build "$work/repo" --out "$work/out" --incremental
printf '\n# edited\ndef added_by_bench(x):\n    return x + 1\n' >>"$work/repo/colorsys.py"
measure "incremental after editing colorsys.py" "$build/anatomy" build "$work/repo" --out "$work/out" --incremental
leaf_s="$LAST_SECONDS"
sed -i '1i # edited by the benchmark' "$work/repo/json/decoder.py"
measure "incremental after editing json/decoder.py" "$build/anatomy" build "$work/repo" --out "$work/out" --incremental
shift_s="$LAST_SECONDS"
python3 - "$work/repo/test/test_grammar.py" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
at = text.index("\n", text.index("class TokenTests(unittest.TestCase):")) + 1
open(path, "w").write(text[:at] + "\n    def test_added_by_bench(self):\n        self.assertEqual(len([1]), 1)\n" + text[at:])
PY
measure "incremental after editing test/test_grammar.py" "$build/anatomy" build "$work/repo" --out "$work/out" --incremental
test_s="$LAST_SECONDS"
awk -v f="$full_s" -v a="$leaf_s" -v b="$shift_s" -v c="$test_s" 'BEGIN {
  printf "ratio incremental/full: colorsys.py %.1f%%, json/decoder.py %.1f%%, test/test_grammar.py %.1f%% (goal <= 5%%)\n", 100 * a / f, 100 * b / f, 100 * c / f }'
