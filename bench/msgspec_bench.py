"""msgspec side of bench/serde_vs_msgspec.sh: encode+decode of the same plan-artifact payload.

Reads the msgpack that `serde_bench --dump-payload` wrote, decodes it into msgspec Structs that
mirror the C++ declarations, checks that msgspec re-encodes it to the identical bytes, then
times encode+decode round trips. Prints one JSON line.
"""

import json
import sys
import time
from typing import Literal

import msgspec


class S(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True, kw_only=True):
    pass


class DeltaFeatureGate(S, kw_only=True):
    min_reader_version: int | None = None
    min_writer_version: int | None = None
    required_reader_features: list[str] = []
    required_writer_features: list[str] = []


class DeltaProtocolSnapshot(msgspec.Struct, omit_defaults=True, kw_only=True):
    min_reader_version: int
    min_writer_version: int
    reader_features: list[str] = []
    writer_features: list[str] = []


class DeltaProtocolCompatibility(S, kw_only=True):
    compatible: bool
    reason: str | None = None
    required_reader_version: int | None = None
    required_writer_version: int | None = None
    supported_reader_version: int
    supported_writer_version: int
    required_reader_features: list[str] = []
    required_writer_features: list[str] = []
    supported_reader_features: list[str] = []
    supported_writer_features: list[str] = []
    missing_reader_features: list[str] = []
    missing_writer_features: list[str] = []
    reader_version_ok: bool
    writer_version_ok: bool
    feature_support_ok: bool


class DeltaInputPin(S, kw_only=True):
    dataset_name: str
    version: int | None = None
    timestamp: str | None = None
    feature_gate: DeltaFeatureGate | None = None
    protocol: DeltaProtocolSnapshot | None = None
    storage_options_hash: str | None = None
    protocol_compatible: bool | None = None


class LineageScan(S, kw_only=True):
    dataset_name: str
    projected_columns: list[str] = []
    pushed_filters: list[str] = []


class LineageJoin(S, kw_only=True):
    join_type: str
    left_keys: list[str] = []
    right_keys: list[str] = []


class LineageExpr(S, kw_only=True):
    kind: str
    referenced_columns: list[tuple[str, str]] = []
    referenced_functions: list[str] = []
    text: str = ""


class LineagePayload(S, kw_only=True):
    scans: list[LineageScan] = []
    joins: list[LineageJoin] = []
    exprs: list[LineageExpr] = []
    required_columns_by_dataset: dict[str, list[str]] = {}
    filters: list[str] = []
    aggregations: list[str] = []
    referenced_tables: list[str] = []
    all_required_columns: list[tuple[str, str]] = []


class ScanUnitPayload(S, kw_only=True):
    key: str
    dataset_name: str
    delta_version: int | None = None
    delta_timestamp: str | None = None
    snapshot_timestamp: int | None = None
    delta_feature_gate: DeltaFeatureGate | None = None
    delta_protocol: DeltaProtocolSnapshot | None = None
    storage_options_hash: str | None = None
    protocol_compatible: bool | None = None
    protocol_compatibility: DeltaProtocolCompatibility | None = None
    total_files: int
    candidate_file_count: int
    pruned_file_count: int
    candidate_files: list[str] = []
    pushed_filters: list[str] = []
    projected_columns: list[str] = []


class ViewSchemaDescribe(S, kw_only=True):
    column_name: str
    data_type: str
    nullable: bool
    source: str | None = None


class DeterminismAudit(S, kw_only=True):
    plan_fingerprint: str
    planning_env_hash: str
    information_schema_hash: str
    settings_hash: str
    function_registry_hash: str
    schema_contract_hash: str


class PlanDetailsPayload(S, kw_only=True):
    logical_plan: str
    physical_plan: str
    explain_analyze: str | None = None
    partition_count: int
    schema_names: list[str] = []
    schema_describe: list[ViewSchemaDescribe] = []
    delta_inputs_hash: str
    scan_units_hash: str
    settings_hash: str
    plan_identity_hash: str
    determinism_audit: DeterminismAudit


class PlanArtifactPayload(S, kw_only=True):
    view_name: str
    plan_fingerprint: str
    required_functions: list[str] = []
    engine_settings: dict[str, str] = {}
    delta_inputs: list[DeltaInputPin] = []
    lineage: LineagePayload = msgspec.field(default_factory=LineagePayload)
    scan_units: list[ScanUnitPayload] = []
    plan_details: PlanDetailsPayload | None = None


def main(path, seconds=2.0):
    data = open(path, "rb").read()
    encoder = msgspec.msgpack.Encoder(order="deterministic")
    decoder = msgspec.msgpack.Decoder(PlanArtifactPayload)
    value = decoder.decode(data)
    if encoder.encode(value) != data:
        sys.exit("msgspec does not re-encode the C++ payload byte for byte")
    best = 0.0
    for _ in range(5):  # best of 5 runs; CPU time, as Google Benchmark reports items_per_second
        n = 0
        start = time.process_time()
        while True:
            for _ in range(200):
                decoder.decode(encoder.encode(value))
            n += 200
            elapsed = time.process_time() - start
            if elapsed >= seconds / 5:
                break
        best = max(best, n / elapsed)
    print(json.dumps({"roundtrips_per_sec": best, "bytes": len(data),
                      "msgspec": msgspec.__version__}))


if __name__ == "__main__":
    main(sys.argv[1])
