"""The artifact tables of a build, read back by delta-rs; payloads decoded by msgspec (an
independent msgpack implementation) agree with the columns recorded beside them."""
import json
from pathlib import Path

import msgspec
import pyarrow as pa
from deltalake import DeltaTable

ARTIFACTS = ["plan_artifacts_v8", "view_artifacts_v4", "write_artifacts_v2", "run_manifest_v2",
             "normalize_outputs_v1", "extract_errors_v1"]
OBSERVABILITY = ["delta_snapshots_v2", "delta_mutations_v2"]


def table(out: Path, name: str) -> pa.Table:
    sub = "delta_observability/" if name.startswith("delta_") else ""
    return DeltaTable(str(out / "artifacts" / f"{sub}{name}")).to_pyarrow_table()


def unpack(b: bytes):
    return msgspec.msgpack.decode(b)


def test_plan_artifacts_payloads_decode(fixture_build):
    out, _ = fixture_build
    plans = table(out, "plan_artifacts_v8").to_pylist()
    views = {r["view_name"] for r in plans}
    # The six outputs and the qualified names they share (an input of nodes and props).
    assert views == {"cpg_qualified_names", "cpg_nodes", "cpg_edges", "cpg_props", "cpg_props_map",
                     "cpg_edges_by_src", "cpg_edges_by_dst"}
    assert {r["event_kind"] for r in plans} == {"plan", "execution"}
    for r in plans:
        details = unpack(r["plan_details_msgpack"])
        assert details["determinism_audit"]["plan_fingerprint"] == r["plan_fingerprint"]
        assert details["plan_identity_hash"] == r["plan_identity_hash"]
        lineage = unpack(r["lineage_msgpack"])
        base = r["view_name"] in ("cpg_nodes", "cpg_edges", "cpg_props")
        if base:  # base views read the extraction tables (and the qualified names) and mint ids
            assert all(t.startswith("extract_") or t == "cpg_qualified_names"
                       for t in lineage["referenced_tables"])
            assert "stable_id" in r["required_functions"]
        elif r["view_name"] == "cpg_qualified_names":
            assert lineage["referenced_tables"] == ["extract_call_resolutions", "extract_definitions",
                                                    "extract_imports", "extract_references"]
        else:  # derived views read the base views' results
            assert lineage["referenced_tables"] in (["cpg_props"], ["cpg_edges"])
        assert sorted(r["required_functions"]) == r["required_functions"]
        tree = unpack(r["logical_plan_msgpack"])
        assert tree["nodes"][-1]["kind"] == "order_by"
        assert unpack(r["information_schema_msgpack"])["tables"]
        if r["event_kind"] == "execution":
            assert r["execution_status"] == "ok" and r["execution_duration_ms"] >= 0


def test_view_and_write_artifacts_decode(fixture_build):
    out, _ = fixture_build
    for r in table(out, "view_artifacts_v4").to_pylist():
        schema = unpack(r["schema_msgpack"])
        assert schema["fields"], r["name"]
        describe = unpack(r["schema_describe_msgpack"])
        assert [d["column_name"] for d in describe] == [f["name"] for f in schema["fields"]]
    writes = table(out, "write_artifacts_v2").to_pylist()
    assert {w["destination"] for w in writes} >= {"cpg_nodes", "cpg_edges", "extract_files"}
    for w in writes:
        assert w["status"] == "ok"
        decision = unpack(w["delta_stats_decision_msgpack"])
        assert decision["dataset_name"] == w["destination"]
        assert dict(w["commit_metadata"])["run_id"] == w["commit_run_id"]
    manifest = table(out, "run_manifest_v2").to_pylist()
    assert len(manifest) == 1
    outputs = unpack(manifest[0]["outputs_msgpack"])
    assert {o["name"] for o in outputs} | {"cpg_qualified_names"} == set(dict(manifest[0]["plan_fingerprints"]))
    mutations = table(out, "delta_mutations_v2").to_pylist()
    assert all(m["commit_metadata"] and dict(m["commit_metadata"])["run_id"] == manifest[0]["run_id"] for m in mutations)
    errors = table(out, "extract_errors_v1").to_pylist()[0]
    assert errors["error_count"] == len(errors["errors"]) == 1
    assert errors["errors"][0]["path"] == "pkg/binary.py"


def test_no_json_anywhere(fixture_build):
    out, _ = fixture_build
    for name in ARTIFACTS + OBSERVABILITY:
        t = table(out, name)
        sub = "delta_observability/" if name.startswith("delta_") else ""
        config = DeltaTable(str(out / "artifacts" / f"{sub}{name}")).metadata().configuration
        assert config["anatomy.schema_name"] == name
        assert config["anatomy.schema_version"] == name.rsplit("_v", 1)[1]
        for field in t.schema:
            assert not field.name.endswith("_json"), (name, field.name)
            if pa.types.is_string(field.type):
                for v in t.column(field.name).to_pylist():
                    if isinstance(v, str) and v[:1] in "{[":
                        try:
                            json.loads(v)
                        except ValueError:
                            continue
                        raise AssertionError(f"{name}.{field.name} holds JSON: {v[:80]}")
