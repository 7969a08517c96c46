"""Run a Python program and record which function each call reached, for the call oracle.

    python call_trace.py OUT.jsonl (-m MODULE | SCRIPT) [ARGS...]

Runs under the interpreter being traced (CPython >= 3.11: co_positions, co_qualname), with no
third-party packages. A profile hook sees every function entered: a Python function's frame
(its caller is the frame below it, stopped at the CALL instruction) and a C function with its
caller's frame. Per (caller code, instruction) the callees are counted; at exit each
instruction's source position (lines and UTF-8 columns of the call expression) is written with
its callees, one JSON line per instruction:

    {"file": co_filename, "pos": [line, end_line, col, end_col],
     "callees": [["py", co_filename, co_firstlineno, co_qualname, n] |
                 ["c", module, owner class, name, n]]}
"""
import json
import os
import runpy
import signal
import sys
import threading

sites = {}  # (caller code, f_lasti) -> {callee: count}


def c_callee(fn):
    owner = getattr(fn, "__self__", None)
    if owner is None or isinstance(owner, type(sys)):
        module = getattr(fn, "__module__", None) or getattr(owner, "__name__", "")
        return ("c", module or "", "", getattr(fn, "__name__", "?"))
    cls = owner if isinstance(owner, type) else type(owner)
    return ("c", cls.__module__ or "", cls.__qualname__, getattr(fn, "__name__", "?"))


def profile(frame, event, arg):
    # CPython unsets a profile function that raises: a RecursionError of a test's deep
    # recursion, raised in here, would end the trace for the rest of the run. (One raised in
    # calling it still does: main() says so at the end.)
    try:
        record(frame, event, arg)
    except Exception:
        pass


def record(frame, event, arg):
    if event == "call":
        caller = frame.f_back
        if caller is None:
            return
        key = (caller.f_code, caller.f_lasti)
        code = frame.f_code
        callee = ("py", code.co_filename, code.co_firstlineno, code.co_qualname)
    elif event == "c_call":
        key = (frame.f_code, frame.f_lasti)
        callee = c_callee(arg)
    else:
        return
    counts = sites.get(key)
    if counts is None:
        counts = sites[key] = {}
    counts[callee] = counts.get(callee, 0) + 1


def write(path):
    positions = {}
    with open(path, "w", encoding="utf-8") as out:
        for (code, lasti), callees in sites.items():
            if code not in positions:
                positions[code] = list(code.co_positions())
            index = lasti // 2
            if not 0 <= index < len(positions[code]):
                continue
            pos = positions[code][index]
            if None in pos:
                continue
            out.write(json.dumps({"file": code.co_filename, "pos": pos,
                                  "callees": [list(k) + [n] for k, n in callees.items()]}) + "\n")


def main():
    if sys.version_info < (3, 11):
        sys.exit("call_trace.py needs CPython >= 3.11 (co_positions, co_qualname)")
    out, mode = sys.argv[1], sys.argv[2]
    target = sys.argv[3] if mode == "-m" else mode
    sys.argv = [target] + sys.argv[(4 if mode == "-m" else 3):]
    # What `python -m MODULE` / `python SCRIPT` put first on sys.path, in place of this file's
    # folder.
    sys.path[0] = os.getcwd() if mode == "-m" else os.path.dirname(os.path.abspath(target))
    def stop(signum, frame):
        # A run stopped from outside (`timeout`) still writes what it recorded. Not by raising:
        # unittest would take SystemExit for a test's error and go on.
        sys.setprofile(None)
        threading.setprofile(None)
        print(f"call_trace.py: stopped by signal {signum}: the calls recorded until then are written",
              file=sys.stderr)
        write(out)
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    threading.setprofile(profile)
    sys.setprofile(profile)
    try:
        if mode == "-m":
            runpy.run_module(target, run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(target, run_name="__main__")
    except SystemExit:
        pass
    finally:
        if sys.getprofile() is not profile:
            print("call_trace.py: the profile function was unset during the run (a RecursionError "
                  "in calling it?): calls after that are not recorded", file=sys.stderr)
        sys.setprofile(None)
        threading.setprofile(None)
        write(out)


if __name__ == "__main__":
    main()
