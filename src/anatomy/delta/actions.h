#pragma once

// Delta log actions as plain structs (PROTOCOL.md "Actions"), and their JSON line codec.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::delta {

using StringMap = std::map<std::string, std::string>;
/// Partition values keyed by (physical) column name; nullopt is a null partition value.
using PartitionValues = std::map<std::string, std::optional<std::string>>;

/// `protocol` action.
struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  std::optional<std::vector<std::string>> reader_features;  ///< only for reader version 3
  std::optional<std::vector<std::string>> writer_features;  ///< only for writer version 7
  bool operator==(const Protocol&) const = default;
};

/// `metaData` action.
struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string format_provider = "parquet";
  StringMap format_options;
  std::string schema_string;
  std::vector<std::string> partition_columns;
  StringMap configuration;
  std::optional<int64_t> created_time;
};

/// Deletion vector descriptor (PROTOCOL.md "Deletion Vector Descriptor Schema").
struct DeletionVectorDescriptor {
  std::string storage_type;  ///< "u", "i" or "p"
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  /// Identifies a DV for snapshot reconstruction: storageType + pathOrInlineDv [+ "@" offset].
  std::string UniqueId() const;
  bool operator==(const DeletionVectorDescriptor&) const = default;
};

/// `add` action. `stats` is kept as the JSON text (parsed on demand by stats.h).
struct AddFile {
  std::string path;  ///< as in the log: a URI-encoded relative path (or absolute URI)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;
};

/// `remove` action.
struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
};

/// `cdc` action (Add CDC File).
struct AddCdcFile {
  std::string path;
  PartitionValues partition_values;
  int64_t size = 0;
  bool data_change = false;
  std::optional<StringMap> tags;
};

/// `txn` action (application transaction identifier).
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
};

/// `domainMetadata` action.
struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
};

/// `commitInfo` action. `json` is the whole object as written (engines add arbitrary fields).
struct CommitInfo {
  std::optional<int64_t> timestamp;
  std::optional<int64_t> in_commit_timestamp;
  std::optional<std::string> operation;
  StringMap operation_parameters;  ///< non-string values are kept as their JSON text
  std::optional<int64_t> read_version;
  std::optional<std::string> engine_info;
  std::optional<bool> is_blind_append;
  StringMap user_metadata;  ///< string-valued keys outside the well-known ones (incl. userMetadata)
  std::string json;
};

/// `sidecar` action (v2 checkpoints).
struct Sidecar {
  std::string path;
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
};

/// `checkpointMetadata` action (v2 checkpoints).
struct CheckpointMetadata {
  int64_t version = 0;
};

/// Any one action of a commit. Unknown action kinds are kept by name so replay can ignore them.
struct UnknownAction {
  std::string name;
};
using Action = std::variant<Protocol, Metadata, AddFile, RemoveFile, AddCdcFile, Txn,
                            DomainMetadata, CommitInfo, Sidecar, CheckpointMetadata, UnknownAction>;

/// Parses a newline-delimited JSON commit. `file` names the source in errors
/// ("_delta_log/…json:LINE: reason"). Blank lines are allowed; anything else malformed fails.
Result<std::vector<Action>> ParseCommit(std::string_view text, std::string_view file);

/// Serialises actions as newline-delimited JSON (one action per line, trailing newline).
std::string SerializeActions(const std::vector<Action>& actions);

}  // namespace anatomy::delta
