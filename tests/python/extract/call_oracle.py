"""Hold anatomy's call resolution against CPython running the code.

Library used by the pytest oracle tests and by scripts/call_oracle.sh:

    python call_oracle.py ROOT [--show N] -- PROGRAM...
    python call_oracle.py ROOT [--show N] --trace T.jsonl [--trace ...]

runs PROGRAM (`-m module args` or `script args`) under this interpreter with call_trace.py,
which records, per call expression that ran, the functions it entered; runs
build/anatomy_extract_dump on ROOT; matches each call expression to our call site by its byte
span (CPython's positions are lines and UTF-8 columns; frozen modules, `<frozen os>`, by module
name), and compares:

- a call we resolved to a definition (PY_CALLS_SYMBOL) *agrees* when the definition is among
  the Python functions it entered (by file and first line, a decorated one's first decorator's
  line or its `def` line). A call of a class with no `__init__` or `__new__` we know of (method
  `class`) is compared with nothing: the constructor that ran is not one of REPO's, or is one
  of a base we cannot see. Otherwise it is *dispatch* when the runtime callee is a method of
  the same name and we resolved through an object or `self` (a subclass overrides it: static
  resolution names the class the code was written against), *decorated* when our definition
  has decorators (a wrapper ran in its place), else a *disagreement*;
- a call we named `builtins.…` (PY_CALLS_QNAME, method builtin) agrees when the C function it
  entered is that builtin or builtin class's method; disagrees when it entered C functions of
  which none is;
- a call we left unresolved or named by qualified name whose only callees are REPO functions
  is *missed* (what static resolution could still reach).

Only what ran is compared: the oracle measures precision on the calls a program executes.
"""
from __future__ import annotations

import argparse
import bisect
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(__file__))
from symtable_oracle import read, run_dump  # noqa: E402

TRACER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "call_trace.py")
# Resolution methods that reach a method through an instance or the class of `self`: a
# subclass may override what they name.
THROUGH_OBJECTS = {"self_method", "inherited_method", "subclass_method", "instance_method",
                   "attribute_method", "annotated_method", "super_method", "class_attribute",
                   "class_init"}


def trace(program: list[str], out: str, python: str = sys.executable, cwd: str | None = None,
          env: dict | None = None, timeout: int = 1800) -> subprocess.CompletedProcess:
    """Runs `program` (`-m module args` or `script args`) under call_trace.py; the JSON lines go
    to `out`. The program's own output is returned, not checked: a failing test still ran."""
    return subprocess.run([python, TRACER, out, *program], cwd=cwd, env=env, timeout=timeout,
                          capture_output=True, text=True)


@dataclass
class Report:
    counts: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)
    by_site: dict = field(default_factory=dict)  # "path:line callee" -> category

    def add(self, category: str, example=None, keep: int = 200, where: str | None = None):
        self.counts[category] += 1
        if where is not None:
            self.by_site[where] = category
        if example is not None:
            self.examples.setdefault(category, [])
            if len(self.examples[category]) < keep:
                self.examples[category].append(example)

    @property
    def symbol_precision(self) -> float:
        agree, disagree = self.counts["symbol agree"], self.counts["symbol disagree"]
        return agree / (agree + disagree) if agree + disagree else 1.0

    @property
    def disagreements(self) -> list:
        return self.examples.get("symbol disagree", []) + self.examples.get("builtin disagree", [])


class Sources:
    """Byte offsets of line starts, per file of ROOT, and runtime file names to ROOT paths."""

    def __init__(self, root: str, files: list[dict]):
        self.root = os.path.realpath(root)
        self.by_module = {f["module_name"]: f["path"] for f in files if f["module_name"]}
        self.utf8 = {f["path"] for f in files if f["encoding"] in ("utf-8", "utf-8-sig")}
        self.bom = {f["path"] for f in files if f["encoding"] == "utf-8-sig"}
        self.starts: dict[str, list[int]] = {}

    def path(self, filename: str) -> str | None:
        if filename.startswith("<frozen ") and filename.endswith(">"):
            return self.by_module.get(filename[len("<frozen "):-1])
        real = os.path.realpath(filename)
        if real.startswith(self.root + os.sep):
            return os.path.relpath(real, self.root)
        return None

    def line_starts(self, path: str) -> list[int]:
        starts = self.starts.get(path)
        if starts is None:
            with open(os.path.join(self.root, path), "rb") as fh:
                data = fh.read()
            skip = 3 if path in self.bom else 0
            starts = [skip] + [i + 1 for i, b in enumerate(data) if b == 10]
            self.starts[path] = starts
        return starts

    def span(self, path: str, pos: list[int]) -> tuple[int, int] | None:
        # CPython's columns count UTF-8 bytes of the decoded text: only UTF-8 files map to ours.
        if path not in self.utf8:
            return None
        starts = self.line_starts(path)
        line, end_line, col, end_col = pos
        if not 1 <= line <= end_line <= len(starts):
            return None
        return starts[line - 1] + col, starts[end_line - 1] + end_col

    def line_of(self, path: str, offset: int) -> int:
        return bisect.bisect_right(self.line_starts(path), offset)


def runtime_sites(traces: list[str], src: Sources) -> dict:
    """(path, bstart, bend) -> {callee: count}, the callees of every instruction at that span."""
    sites: dict = {}
    for t in traces:
        with open(t, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                path = src.path(r["file"])
                span = src.span(path, r["pos"]) if path else None
                if span is None:
                    continue
                callees = sites.setdefault((path,) + span, {})
                for c in r["callees"]:
                    key = tuple(c[:-1])
                    if key[0] == "py":  # (py, ROOT path or None, first line, qualname)
                        key = ("py", src.path(key[1]), key[2], key[3])
                    callees[key] = callees.get(key, 0) + c[-1]
    return sites


def is_builtin(named: str, callee: tuple) -> bool:
    """Whether C function `callee` is `builtins.name` or `builtins.Class.name`. Its module is
    not compared (`open` is `io.open`), nor its class when it has none (a static method of a
    builtin class, `bytes.maketrans`, knows neither)."""
    _, _, owner, name = callee
    parts = named.split(".")
    if parts[0] != "builtins" or parts[-1] != name:
        return False
    return not owner or parts[1:-1] == [owner]


def compare(root: str, dump: str, traces: list[str]) -> Report:
    files = read(dump, "files")
    src = Sources(root, files)
    ours = {(c["path"], c["bstart"], c["bend"]): c for c in read(dump, "call_sites")}
    resolutions = {r["call_id"]: r for r in read(dump, "call_resolutions")}
    defs = {d["def_id"]: d for d in read(dump, "definitions")}
    rep = Report()
    for key, callees in sorted(runtime_sites(traces, src).items(), key=lambda kv: kv[0]):
        site = ours.get(key)
        if site is None:
            rep.add("no call site of ours at the span")  # decorators, implicit calls
            continue
        res = resolutions[site["call_id"]]
        py = [c for c in callees if c[0] == "py"]
        cfns = [c for c in callees if c[0] == "c"]
        where = f"{key[0]}:{src.line_of(key[0], key[1])} {site['callee_text']}"
        if res["edge_kind"] == "PY_CALLS_SYMBOL":
            d = defs[res["target_def_id"]]
            lines = {d["line"], src.line_of(d["path"], d["bstart"])}
            ran = [f"{c[1] or '<outside>'}:{c[2]} {c[3]}" for c in py] + \
                  [".".join(x for x in c[1:] if x) for c in cfns]
            example = (where, res["resolution_method"], d["qualified_name"], ran[:4])
            if any(c[1] == d["path"] and c[2] in lines for c in py):
                rep.add("symbol agree", where=where)
            elif res["resolution_method"] == "class":
                rep.add("symbol class", example, where=where)  # a constructor not in REPO ran
            elif res["resolution_method"] in THROUGH_OBJECTS and \
                    any(c[3].rsplit(".", 1)[-1] == d["name"] for c in py):
                rep.add("symbol dispatch", example, where=where)
            elif d["decorators"]:
                rep.add("symbol decorated", example, where=where)
            else:
                rep.add("symbol disagree", example, where=where)
            continue
        named = res["target_qualified_name"] or ""
        if res["resolution_method"] == "builtin" and cfns:
            if any(is_builtin(named, c) for c in cfns):
                rep.add("builtin agree")
            else:
                rep.add("builtin disagree",
                        (where, named, [".".join(x for x in c[1:] if x) for c in cfns][:4]))
            continue
        if py and all(c[1] is not None for c in py) and not cfns:
            rep.add(f"missed ({res['resolution_method']})",
                    (where, named, [f"{c[1]}:{c[2]} {c[3]}" for c in py][:3]), where=where)
        else:
            rep.add(f"not compared ({res['resolution_method']})", where=where)
    return rep


def print_report(rep: Report, show: int) -> None:
    for k, v in sorted(rep.counts.items()):
        print(f"{v:9d}  {k}")
    print(f"resolved calls that ran: {rep.counts['symbol agree'] + rep.counts['symbol disagree']} "
          f"compared, precision {rep.symbol_precision:.5f} "
          f"(dispatch to overrides and decorator wrappers apart)")
    for category, examples in sorted(rep.examples.items()):
        print(f"\n== {category}: {rep.counts[category]}")
        for e in examples[:show]:
            print("  ", *e)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root")
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--exclude", action="append", default=[])
    ap.add_argument("--show", type=int, default=20, help="examples to print per category")
    ap.add_argument("--min-precision", type=float, default=0.0)
    ap.add_argument("--trace", action="append", default=[],
                    help="compare traces call_trace.py wrote instead of running a program")
    argv = sys.argv[1:] if argv is None else argv
    split = argv.index("--") if "--" in argv else len(argv)
    args, program = ap.parse_args(argv[:split]), argv[split + 1:]
    if bool(program) == bool(args.trace):
        ap.error("a program to run (ROOT [options] -- (-m MODULE | SCRIPT) [ARGS...]) or --trace")
    with tempfile.TemporaryDirectory() as tmp:
        traces = args.trace
        if program:
            traces = [os.path.join(tmp, "trace.jsonl")]
            ran = trace(program, traces[0])
            print(f"program exit status {ran.returncode}")
            if ran.returncode:
                print(ran.stderr[-2000:])
        run_dump(args.root, os.path.join(tmp, "dump"), args.include, args.exclude)
        rep = compare(args.root, os.path.join(tmp, "dump"), traces)
    print_report(rep, args.show)
    return 0 if rep.symbol_precision >= args.min_precision else 1


if __name__ == "__main__":
    sys.exit(main())
