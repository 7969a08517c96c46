"""The CPython peer of the stdlib benchmarks: ast.parse + symtable.symtable over every .py file
under a root (site-packages skipped), the work a Python tool does merely to parse and scope."""
import ast
import os
import symtable
import sys

root = sys.argv[1]
for d, dirs, files in os.walk(root):
    dirs[:] = sorted(x for x in dirs if x != "site-packages")
    for f in sorted(files):
        if f.endswith(".py"):
            p = os.path.join(d, f)
            try:
                src = open(p, "rb").read()
                ast.parse(src, p)
                symtable.symtable(src, p, "exec")
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                pass
