"""Compare anatomy's extracted scopes and bindings with CPython's `symtable` module.

Library used by the pytest oracle tests and by scripts/stdlib_oracle.sh:

    python symtable_oracle.py ROOT [--include GLOB]... [--exclude GLOB]... [--show N]

runs build/anatomy_extract_dump on ROOT, walks symtable.symtable(source, path, 'exec')
recursively for every parsed file, matches scopes by (kind, name, first line, ordinal) and
compares, per (scope, name), the flags local, global, declared_global, nonlocal, free,
parameter, imported, assigned, referenced, annotated. Names that symtable invents (`.0`)
are ignored; so are our `annotation` and `type_params` scopes, which 3.11 does not report.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import symtable
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

import pyarrow.parquet as pq

FLAGS = ("local", "global", "declared_global", "nonlocal", "free", "parameter", "imported",
         "assigned", "referenced", "annotated")
KIND_MAP = {"module": "module", "class": "class", "function": "function", "lambda": "function",
            "comprehension": "function"}


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


def our_trees(out: str) -> dict[str, OurScope]:
    scopes = read(out, "scopes")
    by_id, roots, hidden = {}, {}, set()
    for s in scopes:
        if s["scope_kind"] in ("annotation", "type_params"):
            # Not reported by 3.11's symtable: hoist its children to the parent, drop its names.
            by_id[s["scope_id"]] = by_id.get(s["parent_scope_id"])
            hidden.add(s["scope_id"])
            continue
        node = OurScope(KIND_MAP[s["scope_kind"]], s["scope_name"], s["line"])
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
    return roots


def their_flags(sym: symtable.Symbol, table: symtable.SymbolTable) -> frozenset:
    got = set(f for f in FLAGS if getattr(sym, "is_" + f)())
    if table.get_type() != "module" and table.get_name() == "top":
        # 3.11's Symbol takes any table named 'top' for the module: undo that quirk.
        scope = sym._Symbol__scope
        got.discard("global")
        got.discard("local")
        if scope in (symtable.GLOBAL_IMPLICIT, symtable.GLOBAL_EXPLICIT):
            got.add("global")
        if scope in (symtable.LOCAL, symtable.CELL):
            got.add("local")
    return frozenset(got)


def key_children(children, key):
    seen, out = defaultdict(int), {}
    for c in children:
        k = key(c)
        out[k + (seen[k],)] = c
        seen[k] += 1
    return out


def compare_scope(path, where, ours: OurScope | None, theirs: symtable.SymbolTable | None, rep: Report):
    their_syms = {}
    if theirs is not None:
        their_syms = {s.get_name(): their_flags(s, theirs) for s in theirs.get_symbols()
                      if not s.get_name().startswith(".")}
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
    their_kids = key_children(theirs.get_children() if theirs else [],
                              lambda c: (c.get_type(), c.get_name(), c.get_lineno()))
    for k in sorted(set(our_kids) | set(their_kids), key=repr):
        compare_scope(path, where + "/" + f"{k[0]}:{k[1]}@{k[2]}", our_kids.get(k), their_kids.get(k), rep)


def compare(root: str, out: str) -> Report:
    rep = Report()
    trees = our_trees(out)
    for f in read(out, "files"):
        if not f["is_python"]:
            continue
        path = f["path"]
        try:
            with open(os.path.join(root, path), "rb") as fh:
                src = fh.read()
            theirs = symtable.symtable(src, path, "exec")
        except (SyntaxError, ValueError, UnicodeDecodeError, RecursionError, MemoryError) as e:
            rep.skipped.append((path, type(e).__name__))
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
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as out:
        run_dump(args.root, out, args.include, args.exclude)
        rep = compare(args.root, out)
    print(f"files compared: {rep.files}, skipped (symtable cannot parse): {len(rep.skipped)}")
    print(f"symbols: {rep.symbols}, agree: {rep.agree}, ratio: {rep.ratio:.5f}")
    for d in rep.disagreements[: args.show]:
        print("DISAGREE", *d)
    if len(rep.disagreements) > args.show:
        print(f"... {len(rep.disagreements) - args.show} more disagreements")
    return 0 if rep.ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
