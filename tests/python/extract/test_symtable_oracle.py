"""The symtable oracle in `make test`: hand-written edge cases must agree fully with CPython's
symtable, and a fixed sample of 60 standard-library files must agree on >= 99.5% of symbols.
The whole standard library runs in scripts/stdlib_oracle.sh (make stdlib-oracle)."""
import os
import sys
import sysconfig
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
import symtable_oracle as oracle  # noqa: E402

SOURCE = os.environ.get("ANATOMY_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".."))
FIXTURES = os.path.join(SOURCE, "tests", "extract", "fixtures", "symtable")
# Python 3.12+ syntax: only a 3.12+ symtable parses it.
FIXTURES_312 = os.path.join(SOURCE, "tests", "extract", "fixtures", "symtable_312")
# Python 3.13+ syntax (PEP 696 type parameter defaults).
FIXTURES_313 = os.path.join(SOURCE, "tests", "extract", "fixtures", "symtable_313")

SAMPLE = """
abc.py argparse.py ast.py asyncio/base_events.py asyncio/tasks.py base64.py bdb.py
calendar.py cgi.py cmd.py codecs.py collections/__init__.py concurrent/futures/_base.py
configparser.py contextlib.py copy.py csv.py dataclasses.py datetime.py decimal.py difflib.py
dis.py email/message.py enum.py fractions.py ftplib.py functools.py gettext.py glob.py gzip.py
heapq.py html/parser.py http/client.py importlib/_bootstrap.py inspect.py ipaddress.py
json/decoder.py logging/__init__.py multiprocessing/pool.py pathlib.py pickle.py pprint.py
pydoc.py re/_parser.py shutil.py socket.py statistics.py string.py subprocess.py tarfile.py
tempfile.py textwrap.py threading.py tokenize.py traceback.py typing.py unittest/mock.py
zipfile.py weakref.py xml/dom/minidom.py
""".split()


def run(root, include=(), python=sys.executable):
    with tempfile.TemporaryDirectory() as out:
        oracle.run_dump(root, out, include)
        return oracle.compare(root, out, python)


@pytest.fixture(scope="module")
def modern_python():
    python = oracle.modern_python()
    if python is None:
        pytest.skip("no CPython >= 3.12 on this machine (set ANATOMY_MODERN_PYTHON): "
                    "the PEP 695 scopes are not held against symtable")
    return python


def test_sample_has_sixty_files():
    assert len(SAMPLE) == 60


def test_hand_written_edge_cases_agree_fully():
    rep = run(FIXTURES)
    assert rep.files == len([f for f in os.listdir(FIXTURES) if f.endswith(".py")])
    assert rep.disagreements == [], rep.disagreements
    assert rep.symbols > 100


def test_stdlib_sample_agrees():
    stdlib = sysconfig.get_paths()["stdlib"]
    present = [p for p in SAMPLE if os.path.exists(os.path.join(stdlib, p))]
    if len(present) < 50:
        pytest.skip(f"standard library at {stdlib} lacks the sample files")
    rep = run(stdlib, present)
    print(f"sample: {rep.files} files, {rep.symbols} symbols, ratio {rep.ratio:.5f}")
    for d in rep.disagreements:
        print("DISAGREE", *d)
    assert rep.files == len(present) - len(rep.skipped)
    assert rep.ratio >= 0.995


@pytest.mark.parametrize("fixtures, minimum, pep, min_symbols",
                         [(FIXTURES_312, (3, 12), "PEP 695 scopes", 100),
                          (FIXTURES_313, (3, 13), "PEP 696 defaults", 110)])
def test_new_syntax_agrees_fully_with_a_symtable_that_knows_it(fixtures, minimum, pep, min_symbols):
    python = oracle.modern_python(minimum)
    if python is None:
        pytest.skip(f"no CPython >= {minimum[0]}.{minimum[1]} on this machine "
                    f"(set ANATOMY_MODERN_PYTHON): the {pep} are not held against symtable")
    rep = run(fixtures, python=python)
    assert rep.skipped == [], rep.skipped
    assert rep.files == 1
    assert rep.disagreements == [], rep.disagreements
    assert rep.symbols > min_symbols


def test_hand_written_edge_cases_agree_fully_with_a_modern_symtable(modern_python):
    rep = run(FIXTURES, python=modern_python)
    assert rep.files == len([f for f in os.listdir(FIXTURES) if f.endswith(".py")])
    assert rep.disagreements == [], rep.disagreements


def test_stdlib_sample_agrees_with_a_modern_symtable(modern_python):
    stdlib = sysconfig.get_paths()["stdlib"]
    present = [p for p in SAMPLE if os.path.exists(os.path.join(stdlib, p))]
    if len(present) < 50:
        pytest.skip(f"standard library at {stdlib} lacks the sample files")
    rep = run(stdlib, present, python=modern_python)
    for d in rep.disagreements:
        print("DISAGREE", *d)
    assert rep.files == len(present) - len(rep.skipped)
    assert rep.ratio >= 0.995
