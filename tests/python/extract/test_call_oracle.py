"""The call oracle in `make test`: CPython runs a program and says which function each call
entered; every call we resolved to a definition that ran must be one of them.

- A package written here, which exercises each way we resolve a call (and the ways a name is
  bound again), must agree fully.
- A driver of standard-library modules (json, argparse, email, enum, dataclasses...) run
  against the interpreter's own standard library must agree on >= 99.5% of the resolved calls
  that ran; the rest are listed (a test's monkeypatching, `if`/`else` definitions, a subclass
  overriding what `self.m()` names by a C function).
"""
import os
import sys
import sysconfig
import textwrap

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import call_oracle as oracle  # noqa: E402

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11),
                                reason="the call trace needs CPython >= 3.11 (co_positions)")

PACKAGE = {
    "pkg/__init__.py": "from .shapes import Circle, area\nfrom . import util\n",
    "pkg/shapes.py": """
        import math
        from typing import Self


        class Shape:
            def __init__(self, name):
                self.name = name

            def describe(self):
                return self.label() + "!"

            def label(self):
                return self.name

            def scaled(self, k) -> Self:
                return self


        class Circle(Shape):
            def __init__(self, r):
                super().__init__("circle")
                self.r = r

            def label(self):
                return "round " + super().label()

            def area(self):
                return area(self.r)


        class Point(tuple):
            def __new__(cls, x, y):
                return tuple.__new__(cls, (x, y))


        class Registry(type):
            def __call__(cls, key):
                return cls.members[key]


        class Color(metaclass=Registry):
            members = {}

            def __init__(self, name):
                self.name = name


        class Plain(Shape):
            title = Shape.label
            describe = Shape.label


        def area(r):
            return math.pi * r * r


        class Tagged:
            def tag(self):
                return "<" + self.label() + ">"


        class Badge(Tagged, Shape):
            pass


        class Canvas:
            def __init__(self, shape: Shape):
                self.shape = shape

            def draw(self):
                return self.shape.describe()

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return None

            def grow(self):
                return self
        """,
    "pkg/util.py": """
        import sys

        if sys.platform == "never":
            def join(a, b):
                return None
        else:
            def join(a, b):
                return a + b

        try:
            from json import dumps as encode
        except ImportError:
            def encode(x):
                return str(x)


        def twice(x):
            return x * 2


        def wrap(f):
            def inner(*args):
                return f(*args)
            return inner


        twice = wrap(twice)
        again = join


        def make_counter():
            count = [0]

            def bump():
                count.append(1)
                return len(count)
            return bump


        class Counter:
            def __call__(self, x):
                return x + 1


        counter = Counter()
        """,
    "main.py": """
        import pkg
        from pkg import util
        from pkg.shapes import Badge, Canvas, Circle, Point, Color, Plain, Shape


        def run():
            c = Circle(2)
            c.describe()
            c.area()
            c.scaled(2).label()
            pkg.area(1.0)
            Point(1, 2)
            Color.members["red"] = object.__new__(Color)
            Color("red")
            p = Plain("p")
            p.title()
            p.describe()
            util.join("a", "b")
            util.again("a", "b")
            util.encode([1])
            util.twice(3)
            bump = util.make_counter()
            bump()
            ", ".join(["a", "b"])
            len([1])
            sorted([3, 1])
            Badge("b").tag()
            Canvas(Circle(1)).draw()
            util.counter(1)
            with Canvas(c) as canvas:
                canvas.draw()
            Canvas(c).grow().draw()
            c = Circle(4)
            c.area()
            s = Plain("s")
            s.title()
            s = Circle(3)
            s.label()


        run()
        """,
}


def write_package(root):
    for path, text in PACKAGE.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as fh:
            fh.write(textwrap.dedent(text).lstrip())


def test_a_package_of_our_own_agrees_fully(tmp_path):
    root = tmp_path / "repo"
    write_package(str(root))
    trace = str(tmp_path / "trace.jsonl")
    ran = oracle.trace([str(root / "main.py")], trace, cwd=str(root))
    assert ran.returncode == 0, ran.stderr
    oracle.run_dump(str(root), str(tmp_path / "dump"))
    rep = oracle.compare(str(root), str(tmp_path / "dump"), [trace])
    assert rep.disagreements == [], rep.disagreements
    # Every way of resolving a call above ran and agreed: functions, imports and re-exports,
    # methods of self, of instances and of bases, super(), __init__, __new__, a metaclass's
    # __call__, the last of two definitions, an alias of a function, a try body's import
    # (json's, outside the package: not compared), a function's nested function, a mixin's
    # self.label() (Tagged's subclass Badge has Shape's), an attribute set from an annotated
    # parameter, another module's instance called (its class's __call__), class-body aliases
    # read from another module (Plain's title and describe are Shape.label), what `with` binds
    # and a fluent method returns (`return self`), a name bound twice to one class's instances,
    # and read by read, one bound to two classes' instances in turn.
    assert rep.counts["symbol agree"] >= 35, rep.counts
    for site in ["pkg/shapes.py:59 self.label", "pkg/shapes.py:71 self.shape.describe",
                 "main.py:29 util.counter", "main.py:16 p.title", "main.py:17 p.describe",
                 "main.py:31 canvas.draw", "main.py:32 Canvas(c).grow().draw", "main.py:34 c.area",
                 "main.py:9 c.area", "main.py:36 s.title", "main.py:38 s.label"]:
        assert rep.by_site[site] == "symbol agree", site
    assert rep.counts["builtin agree"] >= 5, rep.counts
    # Circle overrides what Shape.describe's self.label() names.
    assert [e[0] for e in rep.examples["symbol dispatch"]] == ["pkg/shapes.py:10 self.label"]
    # What static resolution leaves: a name bound again (`twice = wrap(twice)`), the function a
    # call returns, a parameter called.
    missed = sorted(site for site, category in rep.by_site.items() if category.startswith("missed"))
    assert missed == ["main.py:21 util.twice", "main.py:23 bump", "pkg/util.py:23 f"], missed


DRIVER = """
import argparse, base64, calendar, collections, configparser, copy, csv, dataclasses, difflib
import email, email.message, email.parser, email.policy, enum, fractions, heapq, html, io
import ipaddress, json, pathlib, pickle, pprint, shlex, statistics, string, textwrap
import tokenize, urllib.parse


@dataclasses.dataclass
class Item:
    name: str
    n: int = 0


class Mode(enum.Enum):
    A = 1
    B = 2


def main():
    data = {"a": [1, 2.5, None, True], "b": {"c": "d"}}
    json.loads(json.dumps(data, indent=2, sort_keys=True))
    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--n", type=int, default=1)
    parser.add_argument("files", nargs="*")
    parser.parse_args(["--n", "3", "a", "b"])
    parser.format_help()
    textwrap.fill("word " * 40, width=30)
    textwrap.dedent("  a\\n  b\\n")
    out = io.StringIO()
    w = csv.writer(out)
    w.writerows([[1, "a,b"], [2, 'c"d']])
    list(csv.reader(io.StringIO(out.getvalue())))
    msg = email.message.EmailMessage()
    msg["Subject"] = "hi"
    msg["To"] = "a@example.com"
    msg.set_content("body")
    email.parser.BytesParser(policy=email.policy.default).parsebytes(msg.as_bytes())
    list(difflib.unified_diff(["a\\n", "b\\n"], ["a\\n", "c\\n"]))
    difflib.SequenceMatcher(None, "abcd", "bcde").ratio()
    cp = configparser.ConfigParser()
    cp.read_string("[s]\\nk = v\\n")
    cp.get("s", "k")
    dataclasses.asdict(Item("x", 2))
    dataclasses.replace(Item("y"), n=3)
    Mode(1), Mode["B"], list(Mode)
    fractions.Fraction(3, 4) + fractions.Fraction(1, 3)
    ipaddress.ip_network("10.0.0.0/24").hosts()
    ipaddress.ip_address("::1").exploded
    pathlib.PurePosixPath("/a/b/c.txt").with_suffix(".py").parts
    shlex.split("a 'b c' d")
    string.Template("$x y").substitute(x=1)
    statistics.median([3, 1, 2]), statistics.mean([1, 2, 3])
    pprint.pformat({"k": list(range(30))})
    list(tokenize.generate_tokens(io.StringIO("x = 1\\n").readline))
    base64.b64decode(base64.b64encode(b"abc"))
    calendar.TextCalendar().formatmonth(2024, 2)
    html.escape("<a>"), html.unescape("&lt;")
    urllib.parse.urlparse("https://x.org/a?b=1").query
    urllib.parse.urlencode({"a": 1})
    heapq.nsmallest(2, [5, 1, 3])
    collections.Counter("abca").most_common(1)
    collections.OrderedDict(a=1).move_to_end("a")
    copy.deepcopy(data)
    pickle.loads(pickle.dumps(Item("z")))


main()
"""


def test_stdlib_driver_agrees(tmp_path):
    stdlib = sysconfig.get_paths()["stdlib"]
    if not os.path.exists(os.path.join(stdlib, "json", "decoder.py")):
        pytest.skip(f"no standard library sources at {stdlib}")
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    trace = str(tmp_path / "trace.jsonl")
    ran = oracle.trace([str(script)], trace, cwd=str(tmp_path))
    assert ran.returncode == 0, ran.stderr
    oracle.run_dump(stdlib, str(tmp_path / "dump"), exclude=["site-packages", "dist-packages"])
    rep = oracle.compare(stdlib, str(tmp_path / "dump"), [trace])
    oracle.print_report(rep, 20)
    compared = rep.counts["symbol agree"] + rep.counts["symbol disagree"]
    assert compared >= 500, rep.counts
    assert rep.symbol_precision >= 0.995, rep.disagreements
    assert rep.counts["builtin agree"] >= 100, rep.counts
