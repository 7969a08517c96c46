"""Independent oracle: Python msgspec reads the C++ contract goldens.

msgspec is the reference for what anatomy's serde layer does (Structs with omit_defaults,
deterministic order). Every golden msgpack must decode with msgspec to the same value as the
golden JSON, and re-encoding with msgspec must give the same bytes.
"""

import base64
import os
import pathlib
from typing import Literal

import msgspec
import pytest

SOURCE = pathlib.Path(os.environ.get("ANATOMY_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
GOLDENS = SOURCE / "tests" / "contract" / "goldens" / "types"
ALL_TYPES = sorted({p.name.split(".")[0] for p in GOLDENS.iterdir()})


def load(name, variant=""):
    """The golden msgpack and JSON of a type; variant "minimal" is the required-fields-only value."""
    suffix = f".{variant}" if variant else ""
    mp = base64.b64decode((GOLDENS / f"{name}{suffix}.msgpack.b64").read_text().strip(), validate=True)
    js = (GOLDENS / f"{name}{suffix}.json").read_bytes().rstrip(b"\n")
    return mp, js


def bytes_as_base64(value):
    """What the JSON form of a generic msgpack value is: bytes become base64 strings."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, list):
        return [bytes_as_base64(v) for v in value]
    if isinstance(value, dict):
        return {k: bytes_as_base64(v) for k, v in value.items()}
    return value


def test_every_registered_type_has_goldens():
    assert len(ALL_TYPES) >= 25


@pytest.mark.parametrize("variant", ["", "minimal"])
@pytest.mark.parametrize("name", ALL_TYPES)
def test_generic_decode_agrees(name, variant):
    mp, js = load(name, variant)
    assert bytes_as_base64(msgspec.msgpack.decode(mp)) == msgspec.json.decode(js)


@pytest.mark.parametrize("name", ALL_TYPES)
def test_generic_reencodes_byte_identical(name):
    mp, js = load(name)
    from_mp = msgspec.msgpack.decode(mp)
    from_js = msgspec.json.decode(js)
    assert bytes_as_base64(from_mp) == from_js
    # Same smallest-int / str8 / float64 choices and field order as msgspec.
    assert msgspec.msgpack.encode(from_mp) == mp
    assert msgspec.json.encode(from_js) == js


# msgspec Structs mirroring a few C++ declarations (the contract as another library reads it).
class Base(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True, kw_only=True):
    pass


class ParquetWriterPolicy(Base, kw_only=True):
    statistics_enabled: list[str] = []
    statistics_level: Literal["none", "chunk", "page"] = "page"
    bloom_filter_enabled: list[str] = []
    bloom_filter_fpp: float | None = None
    bloom_filter_ndv: int | None = None
    dictionary_enabled: list[str] = []


Feature = Literal["change_data_feed", "deletion_vectors", "row_tracking",
                  "in_commit_timestamps", "column_mapping", "v2_checkpoints"]


class DeltaWritePolicy(Base, kw_only=True):
    target_file_size: int | None = 96 * 1024 * 1024
    partition_by: list[str] = []
    zorder_by: list[str] = []
    stats_policy: Literal["off", "explicit", "auto"] = "auto"
    stats_columns: list[str] | None = None
    stats_max_columns: int = 32
    parquet_writer_policy: ParquetWriterPolicy | None = None
    enable_features: list[Feature] = []


class DeltaProtocolSnapshot(msgspec.Struct, omit_defaults=True, kw_only=True):  # compat
    min_reader_version: int
    min_writer_version: int
    reader_features: list[str] = []
    writer_features: list[str] = []


class DeltaFeatureGate(Base, kw_only=True):
    min_reader_version: int | None = None
    min_writer_version: int | None = None
    required_reader_features: list[str] = []
    required_writer_features: list[str] = []


class DeltaProtocolCompatibility(Base, kw_only=True):
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


class ScanUnitPayload(Base, kw_only=True):
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


class LineageScan(Base, kw_only=True):
    dataset_name: str
    projected_columns: list[str] = []
    pushed_filters: list[str] = []


class LineageJoin(Base, kw_only=True):
    join_type: str
    left_keys: list[str] = []
    right_keys: list[str] = []


class LineageExpr(Base, kw_only=True):
    kind: str
    referenced_columns: list[tuple[str, str]] = []
    referenced_functions: list[str] = []
    text: str = ""


class LineagePayload(Base, kw_only=True):
    scans: list[LineageScan] = []
    joins: list[LineageJoin] = []
    exprs: list[LineageExpr] = []
    required_columns_by_dataset: dict[str, list[str]] = {}
    filters: list[str] = []
    aggregations: list[str] = []
    referenced_tables: list[str] = []
    all_required_columns: list[tuple[str, str]] = []


class OutputDescriptor(Base, kw_only=True):
    name: str
    path: str
    delta_version: int | None = None
    rows: int | None = None


class ExtractError(Base, kw_only=True):
    path: str
    stage: str
    code: str
    message: str
    bstart: int | None = None
    bend: int | None = None


class ExtractErrorsRow(Base, kw_only=True):
    event_time_unix_ms: int
    run_id: str
    output_dir: str
    errors: list[ExtractError]
    error_count: int


TYPED = {
    "DeltaWritePolicy": DeltaWritePolicy,
    "ParquetWriterPolicy": ParquetWriterPolicy,
    "DeltaProtocolSnapshot": DeltaProtocolSnapshot,
    "DeltaFeatureGate": DeltaFeatureGate,
    "DeltaProtocolCompatibility": DeltaProtocolCompatibility,
    "ScanUnitPayload": ScanUnitPayload,
    "LineagePayload": LineagePayload,
    "OutputDescriptor": OutputDescriptor,
    "extract_errors_v1": ExtractErrorsRow,
}


@pytest.mark.parametrize("variant", ["", "minimal"])
@pytest.mark.parametrize("name", sorted(TYPED))
def test_msgspec_structs_read_and_write_the_same_bytes(name, variant):
    cls = TYPED[name]
    mp, js = load(name, variant)
    value = msgspec.msgpack.decode(mp, type=cls)
    assert msgspec.json.decode(js, type=cls) == value
    # Deterministic msgspec encoding of the same Struct gives our exact bytes.
    assert msgspec.msgpack.Encoder(order="deterministic").encode(value) == mp
    assert msgspec.json.Encoder(order="deterministic").encode(value) == js


def test_defaults_are_omitted_like_msgspec():
    policy = DeltaWritePolicy(partition_by=["a"])
    assert msgspec.json.encode(policy) == b'{"partition_by":["a"]}'
    # The C++ sample's defaults round-trip: absent fields come back as the same defaults.
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(DeltaWritePolicy()),
                                  type=DeltaWritePolicy).target_file_size == 96 * 1024 * 1024


def test_map_keys_sorted_in_goldens():
    _, js = load("LineagePayload")
    generic = msgspec.json.decode(js)
    keys = list(generic["required_columns_by_dataset"])
    assert keys == sorted(keys) and len(keys) == 2
