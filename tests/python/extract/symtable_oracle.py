"""Compare anatomy's extracted scopes and bindings with CPython's `symtable` module.

Library used by the pytest oracle tests and by scripts/stdlib_oracle.sh:

    python symtable_oracle.py ROOT [--include GLOB]... [--exclude GLOB]... [--show N]

runs build/anatomy_extract_dump on ROOT, walks symtable.symtable(source, path, 'exec')
recursively for every parsed file, matches scopes by (kind, name, first line, ordinal) and
compares, per (scope, name), the flags local, global, declared_global, nonlocal, free,
parameter, imported, assigned, referenced, annotated. Names that symtable invents (`.0`,
`__classdict__`...) are ignored.

symtable is this interpreter's unless `--python PY` names a CPython 3.12 or later, whose
symtable knows PEP 695: it then runs in that interpreter (modern_python() finds one) and its
type-parameter, type-alias and bound scopes are compared with ours. Under 3.11 our
`annotation` and `type_params` scopes are left out (their children hoisted to the parent).
Annotation scopes of `from __future__ import annotations` are left out under every version:
symtable records no scope and no name for such annotations.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow.parquet as pq

FLAGS = ("local", "global", "declared_global", "nonlocal", "free", "parameter", "imported",
         "assigned", "referenced", "annotated")
KIND_MAP = {"module": "module", "class": "class", "function": "function", "lambda": "function",
            "comprehension": "function", "type_params": "type_params", "annotation": "annotation"}
# Names symtable makes up for the compiler's own use; no source spells them.
INVENTED = {"__classdict__", "__classdictcell__", "__type_params__", "__conditional_annotations__"}
GENERIC_PREFIX, GENERIC_SUFFIX = "<generic parameters of ", ">"

# Run in the interpreter whose symtable is the oracle (any CPython >= 3.8, no third-party
# packages): argv[1] is the root, stdin the relative paths, one per line; one JSON line per
# path on stdout, its scope tree with the kinds and flags the comparison uses.
DUMPER = r"""
import json, os, symtable, sys
FLAGS = %r
KINDS = {"type parameter": "type_params", "type parameters": "type_params",
         "type alias": "annotation", "TypeVar bound": "annotation", "type variable": "annotation",
         "annotation": "annotation"}
def flags(sym, table):
    got = set(f for f in FLAGS if getattr(sym, "is_" + f)())
    kind = str(getattr(table.get_type(), "value", table.get_type()))
    scope = getattr(sym, "_Symbol__scope", None)
    if kind != "module" and table.get_name() == "top" and scope is not None:
        # Some versions take any table named 'top' for the module: undo that quirk.
        got.discard("global"); got.discard("local")
        if scope in (symtable.GLOBAL_IMPLICIT, symtable.GLOBAL_EXPLICIT): got.add("global")
        if scope in (symtable.LOCAL, symtable.CELL): got.add("local")
    return sorted(got)
def tree(t):
    kind = str(getattr(t.get_type(), "value", t.get_type()))
    return {"kind": KINDS.get(kind, kind), "name": t.get_name(), "line": t.get_lineno(),
            "symbols": {s.get_name(): flags(s, t) for s in t.get_symbols()},
            "children": [tree(c) for c in t.get_children()]}
root = sys.argv[1]
for path in sys.stdin.read().splitlines():
    try:
        with open(os.path.join(root, path), "rb") as fh:
            out = {"path": path, "tree": tree(symtable.symtable(fh.read(), path, "exec"))}
    except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError) as e:
        out = {"path": path, "error": type(e).__name__}
    print(json.dumps(out))
""" % (FLAGS,)


def python_version(python: str) -> tuple | None:
    try:
        proc = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return tuple(int(x) for x in proc.stdout.split())


def modern_python(minimum: tuple[int, int] = (3, 12)) -> str | None:
    """A CPython >= `minimum` (3.12: PEP 695 scopes; 3.13: PEP 696 defaults) to hold our scopes
    against: $ANATOMY_MODERN_PYTHON, python3.14, python3.13 or python3.12 on PATH, or a pyenv
    installation; None when the machine has none."""
    candidates = [os.environ.get("ANATOMY_MODERN_PYTHON"), shutil.which("python3.14"),
                  shutil.which("python3.13"), shutil.which("python3.12")]
    pyenv_root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates += sorted(glob.glob(os.path.join(pyenv_root, "versions", "3.1[2-9]*", "bin", "python3")),
                         reverse=True)
    for c in candidates:
        if c and (python_version(c) or (0, 0)) >= minimum:
            return c
    return None


def build_dir() -> str:
    env = os.environ.get("ANATOMY_BUILD_DIR")
    if env:
        return env
    return os.path.join(os.path.dirname(__file__), "..", "..", "..", "build")


def run_dump(root: str, out: str, include=(), exclude=(), jobs: int | None = None) -> None:
    cmd = [os.path.join(build_dir(), "anatomy_extract_dump"), root, "--out", out]
    for g in include:
        cmd += ["--include", g]
    for g in exclude:
        cmd += ["--exclude", g]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def read(out: str, name: str) -> list[dict]:
    return pq.read_table(os.path.join(out, name + ".parquet")).to_pylist()


@dataclass
class OurScope:
    kind: str
    name: str
    line: int
    children: list = field(default_factory=list)
    symbols: dict = field(default_factory=dict)
    comprehension: bool = False


@dataclass
class Report:
    files: int = 0
    skipped: list = field(default_factory=list)  # (path, reason) symtable could not handle
    symbols: int = 0
    agree: int = 0
    disagreements: list = field(default_factory=list)  # (path, scope path, name, ours, theirs)

    @property
    def ratio(self) -> float:
        return self.agree / self.symbols if self.symbols else 1.0


def hidden_from(s: dict, pep695: bool) -> bool:
    if s["scope_kind"] == "annotation" and s["scope_name"] == "_annotation":
        return True  # `from __future__ import annotations`
    return not pep695 and s["scope_kind"] in ("annotation", "type_params")


def our_trees(out: str, pep695: bool = False) -> dict[str, OurScope]:
    scopes = read(out, "scopes")
    by_id, roots, hidden = {}, {}, set()
    for s in scopes:
        if hidden_from(s, pep695):
            # Not reported by the oracle's symtable: hoist its children to the parent, drop its
            # names.
            by_id[s["scope_id"]] = by_id.get(s["parent_scope_id"])
            hidden.add(s["scope_id"])
            continue
        name = s["scope_name"]
        if s["scope_kind"] == "type_params" and name.startswith(GENERIC_PREFIX):
            name = name[len(GENERIC_PREFIX):-len(GENERIC_SUFFIX)]  # symtable names it the owner
        node = OurScope(KIND_MAP[s["scope_kind"]], name, s["line"],
                        comprehension=s["scope_kind"] == "comprehension")
        by_id[s["scope_id"]] = node
        if s["parent_scope_id"] is None:
            roots[s["path"]] = node
        else:
            parent = by_id.get(s["parent_scope_id"])
            if parent is not None:
                parent.children.append(node)
    for b in read(out, "bindings"):
        node = by_id.get(b["scope_id"])
        if node is not None and b["scope_id"] not in hidden:
            node.symbols[b["name"]] = frozenset(f for f in b["flags"] if f in FLAGS)
    if pep695:
        for root in roots.values():
            inline_comprehensions(root)
    return roots


INLINED = ("listcomp", "setcomp", "dictcomp")
BOUND = {"assigned", "parameter", "imported"}


def inline_comprehensions(node: OurScope) -> None:
    """Since 3.12 (PEP 709) symtable inlines list, set and dict comprehensions into the scope
    that holds them: no child table; each of its names the scope lacks is copied with its flags
    (at module level a bound name also reads as global), and names the scope has keep the
    scope's flags. Applied to our tree, bottom-up, as CPython's symtable.c does. A name that
    only passes through the scope (free, for a nested scope) is not yet among the scope's
    names when CPython inlines."""
    kids = []
    for child in node.children:
        inline_comprehensions(child)
        if not (child.comprehension and child.name in INLINED):
            kids.append(child)
            continue
        for name, flags in child.symbols.items():
            if node.symbols.get(name, {"free"}) == {"free"}:
                if node.kind == "module" and flags & BOUND:
                    flags = flags | {"global"}
                node.symbols[name] = flags
        kids.extend(child.children)
    node.children = kids


def their_tree(d: dict) -> OurScope:
    node = OurScope(d["kind"], d["name"], d["line"])
    node.symbols = {n: frozenset(f) for n, f in d["symbols"].items()
                    if not n.startswith(".") and n not in INVENTED}
    node.children = [their_tree(c) for c in d["children"]]
    return node


def their_trees(root: str, paths: list[str], python: str = sys.executable) -> dict[str, OurScope | str]:
    """Per path, symtable's tree in `python`, or the name of the error it raised."""
    proc = subprocess.run([python, "-c", DUMPER, root], input="\n".join(paths), capture_output=True,
                          text=True, check=True)
    out = {}
    for line in proc.stdout.splitlines():
        d = json.loads(line)
        out[d["path"]] = their_tree(d["tree"]) if "tree" in d else d["error"]
    return out


def key_children(children, key):
    seen, out = defaultdict(int), {}
    for c in children:
        k = key(c)
        out[k + (seen[k],)] = c
        seen[k] += 1
    return out


def compare_scope(path, where, ours: OurScope | None, theirs: OurScope | None, rep: Report):
    their_syms = theirs.symbols if theirs is not None else {}
    our_syms = ours.symbols if ours is not None else {}
    for name in sorted(set(their_syms) | set(our_syms)):
        rep.symbols += 1
        a, b = our_syms.get(name), their_syms.get(name)
        if a == b:
            rep.agree += 1
        else:
            rep.disagreements.append((path, where, name, sorted(a) if a is not None else None,
                                      sorted(b) if b is not None else None))
    our_kids = key_children(ours.children if ours else [], lambda c: (c.kind, c.name, c.line))
    their_kids = key_children(theirs.children if theirs else [], lambda c: (c.kind, c.name, c.line))
    for k in sorted(set(our_kids) | set(their_kids), key=repr):
        compare_scope(path, where + "/" + f"{k[0]}:{k[1]}@{k[2]}", our_kids.get(k), their_kids.get(k), rep)


def compare(root: str, out: str, python: str = sys.executable) -> Report:
    """Our trees in `out` against symtable's in `python` (this interpreter by default)."""
    rep = Report()
    pep695 = (python_version(python) or (0, 0)) >= (3, 12)
    trees = our_trees(out, pep695)
    paths = [f["path"] for f in read(out, "files") if f["is_python"]]
    oracle = their_trees(root, paths, python)
    for path in paths:
        theirs = oracle[path]
        if isinstance(theirs, str):
            rep.skipped.append((path, theirs))
            continue
        if path not in trees:
            rep.skipped.append((path, "not extracted"))
            continue
        rep.files += 1
        compare_scope(path, "top", trees[path], theirs, rep)
    return rep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--show", type=int, default=50, help="disagreements to print")
    ap.add_argument("--min-ratio", type=float, default=0.995)
    ap.add_argument("--python", default=sys.executable,
                    help="the interpreter whose symtable is the oracle ('modern': a CPython >= 3.12)")
    args = ap.parse_args(argv)
    python = modern_python() if args.python == "modern" else args.python
    if python is None:
        print("no CPython >= 3.12 found (set ANATOMY_MODERN_PYTHON)")
        return 2
    with tempfile.TemporaryDirectory() as out:
        run_dump(args.root, out, args.include, args.exclude)
        rep = compare(args.root, out, python)
    print(f"symtable of {python} (Python {'.'.join(map(str, python_version(python) or ()))})")
    print(f"files compared: {rep.files}, skipped (symtable cannot parse): {len(rep.skipped)}")
    print(f"symbols: {rep.symbols}, agree: {rep.agree}, ratio: {rep.ratio:.5f}")
    for d in rep.disagreements[: args.show]:
        print("DISAGREE", *d)
    if len(rep.disagreements) > args.show:
        print(f"... {len(rep.disagreements) - args.show} more disagreements")
    return 0 if rep.ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
