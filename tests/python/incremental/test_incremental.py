"""anatomy build --incremental gives exactly the tables of a full build, after any sequence of
edits; it says when and why it rebuilds fully; a killed build loses nothing."""

import os
import random
import shutil
import signal
import subprocess
import time

import pytest
from deltalake import DeltaTable, write_deltalake

from conftest import BUILD, TABLES, anatomy, assert_same_tables, build, runs, sorted_rows


def python_files(repo):
    return sorted(p for p in repo.rglob("*.py") if "\0" not in p.read_text(errors="replace"))


def module_of(repo, path):
    rel = path.relative_to(repo).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


# Each edit changes the repository the way a developer would; the property is that an
# incremental build after it equals a full build.
def shift_spans(rng, repo):
    # A comment line somewhere moves the spans (and so the ids) of everything below it, which
    # the rows of importing files point at; the names the file offers stay the same.
    f = rng.choice(python_files(repo))
    lines = f.read_text().split("\n")
    lines.insert(rng.randrange(len(lines)), f"# edit {rng.randrange(10**6)}")
    f.write_text("\n".join(lines))


def edit_body(rng, repo):
    # A new function: the file offers one more name.
    f = rng.choice(python_files(repo))
    f.write_text(f.read_text() + f"\n\ndef added_{rng.randrange(10**6)}(x):\n    y = x + 1\n    return len([y])\n")


def add_module(rng, repo):
    target = rng.choice(python_files(repo))
    name = module_of(repo, target)
    pkg = rng.choice([d for d in repo.rglob("*") if d.is_dir() and "__pycache__" not in d.parts] + [repo])
    new = pkg / f"added_{rng.randrange(10**6)}.py"
    new.write_text(f"import {name}\nfrom {name} import *\n\n\ndef use():\n    return {name}.helper(1)\n"
                   if name else "def use():\n    return 1\n")


def delete_file(rng, repo):
    files = python_files(repo)
    if len(files) > 3:
        rng.choice(files).unlink()


def rename_file(rng, repo):
    f = rng.choice(python_files(repo))
    f.rename(f.with_name(f"moved_{rng.randrange(10**6)}.py"))


def change_exported_name(rng, repo):
    # Renames a module-level definition that other files import or call.
    for f in rng.sample(python_files(repo), k=len(python_files(repo))):
        text = f.read_text()
        for name in rng.sample(["helper", "Model", "Base", "bump", "join", "f", "save"], k=7):
            if f"def {name}(" in text or f"class {name}" in text:
                new = f"{name}_{rng.randrange(1000)}"
                f.write_text(text.replace(f"def {name}(", f"def {new}(").replace(f"class {name}", f"class {new}"))
                return


def add_syntax_error(rng, repo):
    f = rng.choice(python_files(repo))
    f.write_text(f.read_text() + "\ndef broken(:\n    return (\n")


def touch(rng, repo):
    f = rng.choice(python_files(repo))
    st = f.stat()
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


EDITS = [shift_spans, edit_body, add_module, delete_file, rename_file, change_exported_name, add_syntax_error, touch]


@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("ANATOMY_INCREMENTAL_SEEDS", "1,2,3,4").split(",")])
def test_random_edit_sequences_equal_full_builds(repo, tmp_path, seed):
    rng = random.Random(seed)
    out = tmp_path / "out"
    # Even seeds compact partitions after two small files, so that compaction runs within the
    # sequence and is held to the same equality.
    compact = ("--compact-after", "2") if seed % 2 == 0 else ()
    build(repo, out)
    steps = [EDITS[i % len(EDITS)] for i in range(len(EDITS))] + [rng.choice(EDITS) for _ in range(3)]
    rng.shuffle(steps)
    for step, edit in enumerate(steps):
        edit(rng, repo)
        stdout = build(repo, out, "--incremental", *compact)
        full = tmp_path / f"full{step}"
        build(repo, full)
        last = runs(out)[-1]
        assert last["status"] == "ok", stdout
        assert last["mode"] in ("incremental", "unchanged"), (edit.__name__, last["reason"])
        changed = {c["path"] for c in last["changes"] if c["change"] != "deleted"}
        assert changed <= {i["path"] for i in last["impacted"]}
        try:
            assert_same_tables(out, full)
        except BaseException as e:
            raise AssertionError(f"after step {step} ({edit.__name__}) of seed {seed}: {e}") from None
    if compact:
        from deltalake import DeltaTable
        operations = [h["operation"] for h in DeltaTable(str(out / "cpg_nodes")).history()]
        assert "OPTIMIZE" in operations, operations


def test_unchanged_tree_does_nothing_and_changed_files_are_reported(repo, tmp_path):
    out = tmp_path / "out"
    build(repo, out)
    before = {t: DeltaTable(str(out / t)).version() for t in TABLES}
    stdout = build(repo, out, "--incremental")
    assert "unchanged" in stdout
    assert {t: DeltaTable(str(out / t)).version() for t in TABLES} == before

    (repo / "app" / "models.py").write_text((repo / "app" / "models.py").read_text() + "\nX = 1\n")
    stdout = build(repo, out, "--incremental")
    assert "changed app/models.py" in stdout
    last = runs(out)[-1]
    impacted = {i["path"]: i["reason"] for i in last["impacted"]}
    assert impacted["app/models.py"] == "changed"
    assert impacted["app/util.py"].startswith("imports ")  # it calls into app.models
    assert "pkg/util.py" not in impacted  # imports nothing of app
    # One commit per table, whose metadata names the run and the change.
    for t in TABLES:
        assert DeltaTable(str(out / t)).version() == before[t] + 1, t
        meta = DeltaTable(str(out / t)).history(1)[0]
        assert meta["run_id"] == last["run_id"] and meta["anatomy.incremental"] == "true"
    manifest = DeltaTable(str(out / "artifacts" / "run_manifest_v2")).to_pyarrow_table().to_pylist()
    mine = [m for m in manifest if m["run_id"] == last["run_id"]]
    assert len(mine) == 1 and dict(mine[0]["artifact_ids"])["build_mode"] == "incremental"


def write_repo(tmp_path, files):
    """A repository under tmp_path holding `files` (path -> text)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    for path, text in files.items():
        (repo / path).write_text(text)
    return repo


def call_resolutions(out):
    return DeltaTable(str(out / "extract" / "call_resolutions")).to_pyarrow_table().to_pylist()


def calls_of(out, path=None):
    """(target_qualified_name, resolution_method) of the calls of `path` (None: every file),
    sorted."""
    return sorted((r["target_qualified_name"], r["resolution_method"])
                  for r in call_resolutions(out) if path in (None, r["path"]))


def read_calls(out):
    """calls_of f.py whose target ends in `read`."""
    return [c for c in calls_of(out, "f.py") if c[0].endswith("read")]


# base.py of the tests whose f.py reads instances of two classes of another module.
READ_CLASSES = ("class Ext:\n    def read(self):\n        return 1\n\n\nclass Other:\n"
                "    def read(self):\n        return 2\n")


def assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted=None):
    """Each edit (path, text, what `calls()` gives after it), built incrementally into `out`:
    an incremental run whose tables equal a full build's, that rebuilds `impacted` if given."""
    for step, (path, text, expected) in enumerate(edits):
        (repo / path).write_text(text)
        build(repo, out, "--incremental")
        assert runs(out)[-1]["mode"] == "incremental"
        if impacted:
            assert impacted in {i["path"] for i in runs(out)[-1]["impacted"]}, step
        full = tmp_path / f"full{step}"
        build(repo, full)
        assert_same_tables(out, full)
        assert calls() == expected, step


def test_a_member_added_to_a_base_class_reaches_calls_through_subclasses_in_other_modules(tmp_path):
    # f.py calls Cls.method(); Cls (in m.py) inherits it from Base in n.py. Adding the method
    # to Base changes how f.py's call resolves, though f.py imports nothing from n.py.
    repo = write_repo(tmp_path, {
        "n.py": "class Base:\n    pass\n",
        "m.py": "from n import Base\n\n\nclass Cls(Base):\n    pass\n\n\nclass Sub(Cls):\n    pass\n",
        "f.py": "from m import Cls, Sub\n\n\ndef f():\n    Cls.method()\n    return Sub.method()\n",
        "g.py": "import m\n\n\ndef g():\n    return 1\n",
    })
    out = tmp_path / "out"
    build(repo, out)
    (repo / "n.py").write_text("class Base:\n    def method(self):\n        return 1\n")
    build(repo, out, "--incremental")
    impacted = {i["path"]: i["reason"] for i in runs(out)[-1]["impacted"]}
    assert impacted["f.py"] == "imports m", impacted
    full = tmp_path / "full"
    build(repo, full)
    assert_same_tables(out, full)
    assert sorted(r["target_qualified_name"] for r in call_resolutions(out)) == ["n.Base.method"] * 2


def test_annotations_and_return_types_reach_the_calls_that_read_them_in_other_modules(tmp_path):
    # n.py defines Model.run. m.py: `def load() -> Model` with Model from n; f.py calls
    # load().run() (it imports nothing from n.py); g.py spells n.Model only in an annotation.
    # Renaming run changes how both calls resolve.
    repo = write_repo(tmp_path, {
        "n.py": "class Model:\n    def run(self):\n        return 1\n",
        "m.py": "from n import Model\n\n\ndef load() -> Model:\n    return Model()\n",
        "f.py": "from m import load\n\n\ndef f():\n    return load().run()\n",
        "g.py": "import n\n\n\ndef g(x: n.Model):\n    return x.run()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def run_calls():
        return sorted((r["path"], r["resolution_method"], r["target_qualified_name"])
                      for r in call_resolutions(out) if r["target_qualified_name"].endswith(".run"))

    assert run_calls() == [("f.py", "annotated_method", "n.Model.run"),
                           ("g.py", "annotated_method", "n.Model.run")]
    (repo / "n.py").write_text("class Model:\n    def go(self):\n        return 1\n")
    build(repo, out, "--incremental")
    impacted = {i["path"]: i["reason"] for i in runs(out)[-1]["impacted"]}
    assert impacted == {"n.py": "changed", "m.py": "imports n", "f.py": "imports m", "g.py": "imports n"}
    full = tmp_path / "full"
    build(repo, full)
    assert_same_tables(out, full)
    assert run_calls() == [("f.py", "unresolved", "n.Model.run"), ("g.py", "unresolved", "n.Model.run")]


def test_star_imports_follow_all_through_incremental_builds(tmp_path):
    # f.py star-imports m, which star-imports n: what f's calls of a() and b() reach follows
    # n's __all__ and m's own names. Each edit changes how f.py's calls resolve, though f.py
    # does not change and imports nothing from n.py.
    repo = write_repo(tmp_path, {
        "n.py": '__all__ = ["a"]\n\n\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n',
        "m.py": "from n import *\n",
        "f.py": "from m import *\n\n\ndef f():\n    return a() + b()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out)

    assert calls() == [("b", "unresolved"), ("n.a", "import")]
    edits = [
        ("n.py", '__all__ = ["a", "b"]\n\n\ndef a():\n    return 1\n\n\ndef b():\n    return 2\n',
         [("n.a", "import"), ("n.b", "import")]),
        ("m.py", "from n import *\n\n\ndef b():\n    return 3\n", [("m.b", "import"), ("n.a", "import")]),
        ("n.py", "__all__ = [name for name in ('a',)]\n\n\ndef a():\n    return 1\n",
         [("a", "unresolved"), ("m.b", "import")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted="f.py")


def test_aliases_reach_the_calls_that_read_them_in_other_modules(tmp_path):
    # m.py: `from n import Model` / `Maker = Model`; f.py calls m.Maker().run() through
    # `import m`, g.py calls Maker() after `from m import Maker`. Renaming run in n.py, then
    # pointing the alias elsewhere, changes how both resolve.
    repo = write_repo(tmp_path, {
        "n.py": "class Model:\n    def run(self):\n        return 1\n\n\nclass Other:\n    pass\n",
        "m.py": "from n import Model, Other\n\nMaker = Model\n",
        "f.py": "import m\n\n\ndef f():\n    return m.Maker().run()\n",
        "g.py": "from m import Maker\n\n\ndef g():\n    return Maker()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return sorted((r["path"], r["target_qualified_name"], r["resolution_method"])
                      for r in call_resolutions(out))

    assert calls() == [("f.py", "n.Model", "class"), ("f.py", "n.Model.run", "instance_method"),
                       ("g.py", "n.Model", "class")]
    edits = [
        ("n.py", "class Model:\n    def go(self):\n        return 1\n\n\nclass Other:\n    pass\n",
         [("f.py", "n.Model", "class"), ("f.py", "n.Model.run", "unresolved"), ("g.py", "n.Model", "class")]),
        ("m.py", "from n import Model, Other\n\nMaker = Other\n",
         [("f.py", "n.Other", "class"), ("f.py", "n.Other.run", "unresolved"), ("g.py", "n.Other", "class")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls)


def test_names_bound_again_reach_the_calls_that_read_them_in_other_modules(tmp_path):
    # f.py calls m.load() and m.Child().show(). Each edit of m.py binds a name again (after its
    # definition, by a later import, by a class body over its base's method) or undoes that,
    # which changes what f.py's calls reach though f.py does not change.
    base = "class Base:\n    def show(self):\n        return 1\n\n\nclass Child(Base):\n    pass\n"
    repo = write_repo(tmp_path, {
        "m.py": "def load():\n    return 1\n\n\n" + base,
        "f.py": "import m\n\n\ndef f():\n    m.load()\n    return m.Child().show()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out, "f.py")

    assert calls() == [("m.Base.show", "instance_method"), ("m.Child", "class"), ("m.load", "import")]
    edits = [
        ("m.py", "def load():\n    return 1\n\n\nload = cache(load)\n" + base,
         [("m.Base.show", "instance_method"), ("m.Child", "class"), ("m.load", "unresolved")]),
        ("m.py", "def load():\n    return 1\n\n\nfrom _fast import load\n" + base,
         [("_fast.load", "import_qname"), ("m.Base.show", "instance_method"), ("m.Child", "class")]),
        ("m.py", "try:\n    from _fast import load\nexcept ImportError:\n    def load():\n"
                 "        return 1\n" + base,
         [("_fast.load", "import_qname"), ("m.Base.show", "instance_method"), ("m.Child", "class")]),
        ("m.py", "def load():\n    return 1\n\n\n" + base + "    show = make_show()\n",
         [("m.Child", "class"), ("m.Child.show", "unresolved"), ("m.load", "import")]),
        ("m.py", "def load():\n    return 1\n\n\n" + base,
         [("m.Base.show", "instance_method"), ("m.Child", "class"), ("m.load", "import")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls)


def test_a_metaclass_reaches_the_class_calls_in_other_modules(tmp_path):
    # f.py calls m.C(); C's metaclass is n.Meta. Giving Meta a __call__ (then taking it away)
    # changes what f.py's call reaches, though f.py imports nothing from n.py.
    repo = write_repo(tmp_path, {
        "n.py": "class Meta(type):\n    pass\n",
        "m.py": "from n import Meta\n\n\nclass C(metaclass=Meta):\n    def __init__(self):\n"
                "        pass\n",
        "f.py": "import m\n\n\ndef f():\n    return m.C()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out, "f.py")

    assert calls() == [("m.C.__init__", "class_init")]
    call = "class Meta(type):\n    def __call__(cls):\n        return 1\n"
    edits = [
        ("n.py", call, [("n.Meta.__call__", "metaclass_call")]),
        ("n.py", "class Meta(type):\n    pass\n", [("m.C.__init__", "class_init")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted="f.py")


def test_a_mixins_self_call_follows_the_bases_of_its_subclasses_in_other_modules(tmp_path):
    # m.py's Mixin calls self.check(), which only its subclass Concrete has, from base.Base.
    # Taking check away from Base, moving it to a base of Base in a third module, and giving
    # that base a base outside REPO change what m.py's call reaches.
    repo = write_repo(tmp_path, {
        "root.py": "class Root:\n    pass\n",
        "base.py": "from root import Root\n\n\nclass Base(Root):\n    def check(self):\n"
                   "        return 1\n",
        "m.py": "from base import Base\n\n\nclass Mixin:\n    def run(self):\n"
                "        return self.check()\n\n\nclass Concrete(Mixin, Base):\n    pass\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out, "m.py")

    assert calls() == [("base.Base.check", "subclass_method")]
    edits = [
        ("base.py", "from root import Root\n\n\nclass Base(Root):\n    pass\n",
         [("m.Mixin.check", "unresolved")]),
        ("root.py", "class Root:\n    def check(self):\n        return 2\n",
         [("root.Root.check", "subclass_method")]),
        ("root.py", "import os\n\n\nclass Root(os.PathLike):\n    pass\n",
         [("m.Mixin.check", "unresolved")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted="m.py")


def test_a_module_level_instance_reaches_the_calls_of_its_methods_in_other_modules(tmp_path):
    # f.py calls default.clone(), where m.py binds default = Policy() and Policy comes from
    # base.py. Renaming the method in base.py, binding default to another class, and binding
    # it twice change what f.py's call reaches, though f.py imports nothing from base.py.
    repo = write_repo(tmp_path, {
        "base.py": "class Policy:\n    def clone(self):\n        return 1\n",
        "m.py": "from base import Policy\n\n\ndefault = Policy()\n",
        "f.py": "from m import default\n\n\ndef f():\n    return default.clone()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out, "f.py")

    assert calls() == [("base.Policy.clone", "instance_method")]
    other = "class Other:\n    def clone(self):\n        return 2\n\n\n"
    edits = [
        ("base.py", "class Policy:\n    def copy(self):\n        return 1\n",
         [("base.Policy.clone", "unresolved")]),
        ("m.py", other + "default = Other()\n", [("m.Other.clone", "instance_method")]),
        ("m.py", other + "default = Other()\ndefault = None\n",
         [("m.default.clone", "import_qname")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted="f.py")


def test_what_enter_and_fluent_methods_return_reaches_calls_in_other_modules(tmp_path):
    # f.py enters Zip() (`with Zip() as z: z.read()`) and chains Zip().add().read(); Zip
    # inherits __enter__ and add from base.Archive, where both `return self`. Making either
    # return something else changes what f.py's read calls reach, though f.py imports nothing
    # from base.py.
    def archive(enter, add):
        return ("class Archive:\n    def __enter__(self):\n        return " + enter + "\n\n"
                "    def add(self):\n        return " + add + "\n\n"
                "    def read(self):\n        return 1\n")
    repo = write_repo(tmp_path, {
        "base.py": archive("self", "self"),
        "m.py": "from base import Archive\n\n\nclass Zip(Archive):\n    pass\n",
        "f.py": "from m import Zip\n\n\ndef f():\n    with Zip() as z:\n        z.read()\n"
                "    return Zip().add().read()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def reads():
        return read_calls(out)

    resolved = ("base.Archive.read", "instance_method")
    assert reads() == [resolved, resolved]
    edits = [
        ("base.py", archive("None", "self"), [resolved, ("z.read", "unresolved")]),
        ("base.py", archive("self", "None"), [("Zip().add().read", "unresolved"), resolved]),
        ("base.py", archive("self", "self"), [resolved, resolved]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, reads, impacted="f.py")


def test_a_read_reached_by_one_def_site_follows_another_modules_changes(tmp_path):
    # f.py binds x twice (`x = Other()`, then `x = make(1)`) and calls x.read() after each:
    # each read holds what the def site before it makes. What m.make returns decides the
    # second read, though f.py's text does not change.
    maker = "from base import Ext, Other\n\n\ndef make(c):\n"
    repo = write_repo(tmp_path, {
        "base.py": READ_CLASSES,
        "m.py": maker + "    return Ext()\n",
        "f.py": "from base import Other\nfrom m import make\n\n\ndef f():\n    x = Other()\n"
                "    x.read()\n    x = make(1)\n    return x.read()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def reads():
        return read_calls(out)

    ext, other = ("base.Ext.read", "instance_method"), ("base.Other.read", "instance_method")
    assert reads() == [ext, other]
    edits = [
        ("m.py", maker + "    return Other()\n", [other, other]),
        ("m.py", maker + "    if c:\n        return Ext()\n    return None\n",
         [other, ("x.read", "unresolved")]),
        ("m.py", maker + "    return Ext()\n", [ext, other]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, reads, impacted="f.py")


def test_the_call_a_function_returns_reaches_calls_of_its_result_in_other_modules(tmp_path):
    # f.py calls opener().read(), where m.opener returns base.Ext() (no annotation). Renaming
    # Ext.read in base.py changes what f.py's call reaches, though f.py imports nothing from
    # base.py; so does returning another class, or something else on one path, or a name that
    # holds an instance.
    opener = "from base import Ext, Other\n\n\ndef opener(c):\n"
    repo = write_repo(tmp_path, {
        "base.py": READ_CLASSES,
        "m.py": opener + "    return Ext()\n",
        "f.py": "from m import opener\n\n\ndef f():\n    return opener(1).read()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def reads():
        return read_calls(out)

    assert reads() == [("base.Ext.read", "instance_method")]
    edits = [
        ("base.py", READ_CLASSES.replace("def read", "def size", 1),
         [("base.Ext.read", "unresolved")]),
        ("m.py", opener + "    return Other()\n", [("base.Other.read", "instance_method")]),
        ("m.py", opener + "    if c:\n        return None\n    return Other()\n",
         [("opener(1).read", "unresolved")]),
        # A returned name holds what it holds.
        ("m.py", opener + "    made = Other()\n    return made\n",
         [("base.Other.read", "instance_method")]),
        ("base.py", READ_CLASSES.replace("def read", "def size"),
         [("base.Other.read", "unresolved")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, reads, impacted="f.py")


def test_a_class_body_alias_reaches_the_calls_of_subclasses_in_other_modules(tmp_path):
    # f.py's T inherits check from helpers.Base, whose body binds check = TestCase.assertEqual
    # (TestCase from base.py). Renaming the method in base.py, then pointing the alias at the
    # new name, change what f.py's self.check() reaches, though f.py imports nothing from base.
    repo = write_repo(tmp_path, {
        "base.py": "class TestCase:\n    def assertEqual(self):\n        return 1\n",
        "helpers.py": "from base import TestCase\n\n\nclass Base:\n"
                      "    check = TestCase.assertEqual\n",
        "f.py": "from helpers import Base\n\n\nclass T(Base):\n    def run(self):\n"
                "        return self.check()\n",
    })
    out = tmp_path / "out"
    build(repo, out)

    def calls():
        return calls_of(out, "f.py")

    assert calls() == [("base.TestCase.assertEqual", "inherited_method")]
    edits = [
        ("base.py", "class TestCase:\n    def assertEquals(self):\n        return 1\n",
         [("f.T.check", "unresolved")]),
        ("helpers.py", "from base import TestCase\n\n\nclass Base:\n"
                       "    check = TestCase.assertEquals\n",
         [("base.TestCase.assertEquals", "inherited_method")]),
    ]
    assert_edits_equal_full_builds(repo, out, tmp_path, edits, calls, impacted="f.py")


def test_a_module_many_files_import_reaches_only_those_that_spell_a_changed_name(tmp_path):
    # 30 files `import m` and call m.a(); one of them also calls m.b(), which m.py does not
    # define yet. Defining b changes how that call resolves, and no other file's rows.
    files = {"m.py": "def a():\n    return 1\n"}
    for i in range(30):
        extra = "\n    m.b()" if i == 17 else ""
        files[f"user_{i:02}.py"] = f"import m\n\n\ndef f():\n    m.a(){extra}\n"
    repo = write_repo(tmp_path, files)
    out = tmp_path / "out"
    build(repo, out)
    (repo / "m.py").write_text("def a():\n    return 1\n\n\ndef b():\n    return 2\n")
    build(repo, out, "--incremental")
    impacted = {i["path"]: i["reason"] for i in runs(out)[-1]["impacted"]}
    assert impacted == {"m.py": "changed", "user_17.py": "imports m"}, impacted
    full = tmp_path / "full"
    build(repo, full)
    assert_same_tables(out, full)


def test_invalidation_rebuilds_fully_and_says_why(repo, tmp_path):
    out = tmp_path / "out"
    stdout = build(repo, out, "--incremental")
    assert "full build: no previous build" in stdout
    stdout = build(repo, out, "--incremental", "--profile", "other")
    assert "full build: the profile changed from 'default' to 'other'" in stdout
    stdout = build(repo, out, "--incremental", "--profile", "other", "--exclude", "ns/*")
    assert "globs changed" in stdout
    # A table written by someone else no longer matches its change-feed cursor.
    extra = DeltaTable(str(out / "extract" / "files")).to_pyarrow_table().slice(0, 1)
    write_deltalake(str(out / "extract" / "files"), extra, mode="append")
    stdout = build(repo, out, "--incremental", "--profile", "other", "--exclude", "ns/*")
    assert "extract/files is at version" in stdout and "changed outside anatomy" in stdout
    # State someone deleted: rebuilt, not failed.
    shutil.rmtree(out / "state" / "repo_snapshot")
    stdout = build(repo, out, "--incremental", "--profile", "other", "--exclude", "ns/*")
    assert "the repository snapshot cannot be read" in stdout
    shutil.rmtree(out / "state" / "qualified_names")
    stdout = build(repo, out, "--incremental", "--profile", "other", "--exclude", "ns/*")
    assert "state/qualified_names is missing" in stdout
    reasons = [r["reason"] for r in runs(out) if r["status"] == "ok"]
    assert [r["mode"] for r in runs(out) if r["status"] == "ok"] == ["full"] * 6
    full = tmp_path / "full"
    build(repo, full, "--profile", "other", "--exclude", "ns/*")
    assert_same_tables(out, full)
    assert len(reasons) == 6


def test_killed_builds_leave_readable_tables_and_the_next_build_recovers(repo, tmp_path):
    rng = random.Random(7)
    out = tmp_path / "out"
    build(repo, out)
    for trial in range(4):
        shift_spans(rng, repo)
        edit_body(rng, repo)
        add_module(rng, repo)
        proc = subprocess.Popen([str(BUILD / "anatomy"), "build", str(repo), "--out", str(out), "--incremental"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        for t in TABLES:  # every table still opens, at whatever version it reached
            sorted_rows(out / t)
        build(repo, out, "--incremental")
        full = tmp_path / f"full{trial}"
        build(repo, full)
        assert_same_tables(out, full)
    modes = [r["mode"] for r in runs(out) if r["status"] == "ok"]
    assert modes[0] == "full" and len(modes) >= 5


def test_polars_reads_the_deletion_vectors_of_an_incremental_build(repo, tmp_path):
    # Polars is one of the engines users read the outputs with, and its Delta reader applies
    # deletion vectors itself: after an incremental build it must see exactly a full build's rows.
    import polars
    rng = random.Random(11)
    out = tmp_path / "out"
    build(repo, out)
    shift_spans(rng, repo)
    edit_body(rng, repo)
    build(repo, out, "--incremental")
    full = tmp_path / "full"
    build(repo, full)
    for name in TABLES[:6]:
        log = "".join(p.read_text() for p in sorted((out / name / "_delta_log").glob("*.json")))
        assert '"deletionVector"' in log, f"{name}: the edit left no deletion vector to read"
        ours = polars.read_delta(str(out / name)).to_arrow()
        ours = ours.select(sorted(ours.column_names))
        assert sorted(repr(r) for r in ours.to_pylist()) == sorted_rows(full / name), name
