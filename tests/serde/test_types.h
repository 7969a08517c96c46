#pragma once

// Small types that exercise every field kind; the contract types live in anatomy/artifacts.

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/serde/struct.h"

namespace anatomy::serde::testing {

enum class Mode { kOff, kExplicit, kAuto };
ANATOMY_ENUM(Mode, "off", "explicit", "auto");

struct Inner {
  int64_t delta_version = 0;
  std::optional<std::string> note{};
  bool operator==(const Inner&) const = default;
};
ANATOMY_STRUCT(Inner, "Inner", kStrict, ANATOMY_REQUIRED(delta_version), ANATOMY_FIELD(note));

struct Outer {
  std::string name{};
  std::vector<Inner> scan_units{};
  std::map<std::string, int64_t> counts{};
  std::optional<int64_t> size = 96;
  Mode mode = Mode::kAuto;
  Bytes blob{};
  double ratio = 0.0;
  bool flag = false;
  int32_t small = 0;
  std::pair<std::string, std::string> ref{};
  std::optional<Inner> extra{};
  bool operator==(const Outer&) const = default;
};
ANATOMY_STRUCT(Outer, "Outer", kStrict, ANATOMY_REQUIRED(name), ANATOMY_FIELD(scan_units),
               ANATOMY_FIELD(counts), ANATOMY_FIELD(size), ANATOMY_FIELD(mode), ANATOMY_FIELD(blob),
               ANATOMY_FIELD(ratio), ANATOMY_FIELD(flag), ANATOMY_FIELD(small), ANATOMY_FIELD(ref),
               ANATOMY_FIELD(extra));

/// Like a protocol snapshot read back from another writer: unknown fields are skipped.
struct Snapshot {
  int32_t min_reader_version = 1;
  std::vector<std::string> reader_features{};
  bool operator==(const Snapshot&) const = default;
};
ANATOMY_STRUCT(Snapshot, "Snapshot", kCompat, ANATOMY_REQUIRED(min_reader_version),
               ANATOMY_FIELD(reader_features));

/// A row type: every Arrow mapping, nullable and not.
struct Row {
  int64_t id = 0;
  std::optional<std::string> label{};
  std::vector<std::string> tags{};
  std::optional<std::vector<int32_t>> scores{};
  std::map<std::string, std::string> props{};
  std::optional<std::map<std::string, std::optional<int64_t>>> opt_props{};
  Inner inner{};
  std::optional<Inner> opt_inner{};
  std::vector<Inner> inners{};
  Mode mode = Mode::kOff;
  Bytes payload{};
  std::optional<double> ratio{};
  bool ok = false;
  bool operator==(const Row&) const = default;
};
ANATOMY_STRUCT(Row, "test_rows_v3", kStrict, ANATOMY_REQUIRED(id), ANATOMY_FIELD(label),
               ANATOMY_FIELD(tags), ANATOMY_FIELD(scores), ANATOMY_FIELD(props),
               ANATOMY_FIELD(opt_props), ANATOMY_FIELD(inner), ANATOMY_FIELD(opt_inner),
               ANATOMY_FIELD(inners), ANATOMY_FIELD(mode), ANATOMY_FIELD(payload),
               ANATOMY_FIELD(ratio), ANATOMY_FIELD(ok));

/// Invalid: a struct member whose default differs from its type's default would decode
/// omitted fields wrongly; the registry refuses it.
struct BadDefault {
  Inner inner = Inner{.delta_version = 5, .note = std::nullopt};
  bool operator==(const BadDefault&) const = default;
};
ANATOMY_STRUCT(BadDefault, "BadDefault", kStrict, ANATOMY_FIELD(inner));

}  // namespace anatomy::serde::testing
