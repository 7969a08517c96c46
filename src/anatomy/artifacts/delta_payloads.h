#pragma once

// Delta policy, protocol and pin payloads of CONTRACTS.md (stored as msgpack in artifact rows).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/serde/struct.h"

namespace anatomy::artifacts {

enum class StatsPolicy { kOff, kExplicit, kAuto };
ANATOMY_ENUM(StatsPolicy, "off", "explicit", "auto");

enum class StatisticsLevel { kNone, kChunk, kPage };
ANATOMY_ENUM(StatisticsLevel, "none", "chunk", "page");

/// Table features a write may ask for; one the writer does not support is an error.
enum class DeltaFeature {
  kChangeDataFeed,
  kDeletionVectors,
  kRowTracking,
  kInCommitTimestamps,
  kColumnMapping,
  kV2Checkpoints
};
ANATOMY_ENUM(DeltaFeature, "change_data_feed", "deletion_vectors", "row_tracking",
             "in_commit_timestamps", "column_mapping", "v2_checkpoints");

enum class SchemaMode { kMerge, kOverwrite };
ANATOMY_ENUM(SchemaMode, "merge", "overwrite");

enum class ColumnMappingMode { kId, kName };
ANATOMY_ENUM(ColumnMappingMode, "id", "name");

inline constexpr int64_t kDefaultTargetFileSize = int64_t{96} * 1024 * 1024;

/// \brief Parquet writer settings of a Delta write.
struct ParquetWriterPolicy {
  std::vector<std::string> statistics_enabled{};
  StatisticsLevel statistics_level = StatisticsLevel::kPage;
  std::vector<std::string> bloom_filter_enabled{};
  std::optional<double> bloom_filter_fpp{};
  std::optional<int64_t> bloom_filter_ndv{};
  std::vector<std::string> dictionary_enabled{};
  bool operator==(const ParquetWriterPolicy&) const = default;
};
ANATOMY_STRUCT(ParquetWriterPolicy, "ParquetWriterPolicy", kStrict,
               ANATOMY_FIELD(statistics_enabled), ANATOMY_FIELD(statistics_level),
               ANATOMY_FIELD(bloom_filter_enabled), ANATOMY_FIELD(bloom_filter_fpp),
               ANATOMY_FIELD(bloom_filter_ndv), ANATOMY_FIELD(dictionary_enabled));

/// \brief How a table is written: file size, layout, statistics, features.
struct DeltaWritePolicy {
  std::optional<int64_t> target_file_size = kDefaultTargetFileSize;
  std::vector<std::string> partition_by{};
  std::vector<std::string> zorder_by{};
  StatsPolicy stats_policy = StatsPolicy::kAuto;
  std::optional<std::vector<std::string>> stats_columns{};
  int32_t stats_max_columns = 32;
  std::optional<ParquetWriterPolicy> parquet_writer_policy{};
  std::vector<DeltaFeature> enable_features{};
  bool operator==(const DeltaWritePolicy&) const = default;
};
ANATOMY_STRUCT(DeltaWritePolicy, "DeltaWritePolicy", kStrict, ANATOMY_FIELD(target_file_size),
               ANATOMY_FIELD(partition_by), ANATOMY_FIELD(zorder_by), ANATOMY_FIELD(stats_policy),
               ANATOMY_FIELD(stats_columns), ANATOMY_FIELD(stats_max_columns),
               ANATOMY_FIELD(parquet_writer_policy), ANATOMY_FIELD(enable_features));

/// \brief Schema evolution of a write; an absent policy is stored as the empty map.
struct DeltaSchemaPolicy {
  std::optional<SchemaMode> schema_mode{};
  std::optional<ColumnMappingMode> column_mapping_mode{};
  bool operator==(const DeltaSchemaPolicy&) const = default;
};
ANATOMY_STRUCT(DeltaSchemaPolicy, "DeltaSchemaPolicy", kStrict, ANATOMY_FIELD(schema_mode),
               ANATOMY_FIELD(column_mapping_mode));

/// \brief The statistics columns chosen for one write and why.
struct DeltaStatsDecision {
  std::string dataset_name{};
  StatsPolicy stats_policy = StatsPolicy::kAuto;
  std::vector<std::string> stats_columns{};
  std::vector<std::string> lineage_columns{};
  std::vector<std::string> partition_by{};
  std::vector<std::string> zorder_by{};
  int32_t stats_max_columns = 32;
  bool operator==(const DeltaStatsDecision&) const = default;
};
ANATOMY_STRUCT(DeltaStatsDecision, "DeltaStatsDecision", kStrict, ANATOMY_REQUIRED(dataset_name),
               ANATOMY_FIELD(stats_policy), ANATOMY_FIELD(stats_columns),
               ANATOMY_FIELD(lineage_columns), ANATOMY_FIELD(partition_by),
               ANATOMY_FIELD(zorder_by), ANATOMY_FIELD(stats_max_columns));

/// \brief A table's protocol as read back from its log (compat: other writers add fields).
struct DeltaProtocolSnapshot {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  std::vector<std::string> reader_features{};
  std::vector<std::string> writer_features{};
  bool operator==(const DeltaProtocolSnapshot&) const = default;
};
ANATOMY_STRUCT(DeltaProtocolSnapshot, "DeltaProtocolSnapshot", kCompat,
               ANATOMY_REQUIRED(min_reader_version), ANATOMY_REQUIRED(min_writer_version),
               ANATOMY_FIELD(reader_features), ANATOMY_FIELD(writer_features));

/// \brief What a reader or writer requires of a table's protocol.
struct DeltaFeatureGate {
  std::optional<int32_t> min_reader_version{};
  std::optional<int32_t> min_writer_version{};
  std::vector<std::string> required_reader_features{};
  std::vector<std::string> required_writer_features{};
  bool operator==(const DeltaFeatureGate&) const = default;
};
ANATOMY_STRUCT(DeltaFeatureGate, "DeltaFeatureGate", kStrict, ANATOMY_FIELD(min_reader_version),
               ANATOMY_FIELD(min_writer_version), ANATOMY_FIELD(required_reader_features),
               ANATOMY_FIELD(required_writer_features));

/// \brief Whether a table's protocol is supported, and if not, what is missing.
struct DeltaProtocolCompatibility {
  bool compatible = false;
  std::optional<std::string> reason{};
  std::optional<int32_t> required_reader_version{};
  std::optional<int32_t> required_writer_version{};
  int32_t supported_reader_version = 0;
  int32_t supported_writer_version = 0;
  std::vector<std::string> required_reader_features{};
  std::vector<std::string> required_writer_features{};
  std::vector<std::string> supported_reader_features{};
  std::vector<std::string> supported_writer_features{};
  std::vector<std::string> missing_reader_features{};
  std::vector<std::string> missing_writer_features{};
  bool reader_version_ok = false;
  bool writer_version_ok = false;
  bool feature_support_ok = false;
  bool operator==(const DeltaProtocolCompatibility&) const = default;
};
ANATOMY_STRUCT(DeltaProtocolCompatibility, "DeltaProtocolCompatibility", kStrict,
               ANATOMY_REQUIRED(compatible), ANATOMY_FIELD(reason),
               ANATOMY_FIELD(required_reader_version), ANATOMY_FIELD(required_writer_version),
               ANATOMY_REQUIRED(supported_reader_version),
               ANATOMY_REQUIRED(supported_writer_version), ANATOMY_FIELD(required_reader_features),
               ANATOMY_FIELD(required_writer_features), ANATOMY_FIELD(supported_reader_features),
               ANATOMY_FIELD(supported_writer_features), ANATOMY_FIELD(missing_reader_features),
               ANATOMY_FIELD(missing_writer_features), ANATOMY_REQUIRED(reader_version_ok),
               ANATOMY_REQUIRED(writer_version_ok), ANATOMY_REQUIRED(feature_support_ok));

/// \brief One Delta input of a plan, pinned to a version or timestamp.
struct DeltaInputPin {
  std::string dataset_name{};
  std::optional<int64_t> version{};
  std::optional<std::string> timestamp{};
  std::optional<DeltaFeatureGate> feature_gate{};
  std::optional<DeltaProtocolSnapshot> protocol{};
  std::optional<std::string> storage_options_hash{};
  std::optional<bool> protocol_compatible{};
  bool operator==(const DeltaInputPin&) const = default;
};
ANATOMY_STRUCT(DeltaInputPin, "DeltaInputPin", kStrict, ANATOMY_REQUIRED(dataset_name),
               ANATOMY_FIELD(version), ANATOMY_FIELD(timestamp), ANATOMY_FIELD(feature_gate),
               ANATOMY_FIELD(protocol), ANATOMY_FIELD(storage_options_hash),
               ANATOMY_FIELD(protocol_compatible));

/// \brief One output of a run: a Delta table and the version written.
struct OutputDescriptor {
  std::string name{};
  std::string path{};
  std::optional<int64_t> delta_version{};
  std::optional<int64_t> rows{};
  bool operator==(const OutputDescriptor&) const = default;
};
ANATOMY_STRUCT(OutputDescriptor, "OutputDescriptor", kStrict, ANATOMY_REQUIRED(name),
               ANATOMY_REQUIRED(path), ANATOMY_FIELD(delta_version), ANATOMY_FIELD(rows));

}  // namespace anatomy::artifacts
