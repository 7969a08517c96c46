#pragma once

// Writing Parquet data files for a table: Hive partition folders, target file size, row-group
// size, zstd, and per-file stats JSON (PROTOCOL.md "Per-file Statistics").

#include <arrow/type_fwd.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"
#include "anatomy/delta/storage.h"

namespace arrow::util {
class CodecOptions;
}  // namespace arrow::util
namespace parquet {
class FileMetaData;
}  // namespace parquet

namespace anatomy::delta {

struct DataWriteOptions {
  int64_t target_file_size = 128ll
                             << 20;  ///< bytes; a file is closed after the row group crossing it
  int64_t row_group_rows = 1 << 20;  ///< rows per row group
  int compression_level = 1;         ///< zstd level (1: the parquet-rs default delta-rs uses)
  /// Columns with min/max/nullCount (top-level, logical names); nullopt → the first
  /// `num_indexed_cols` non-partition columns.
  std::optional<std::vector<std::string>> stats_columns;
  int num_indexed_cols = 32;
  int string_prefix_length = 32;  ///< long strings are truncated in min/max
};

/// The zstd options of the pages of string columns written without a dictionary (ids, mostly):
/// at level 1, tuned for input that repeats as whole values or not at all
/// (bench/zstd_pages.cc); other levels as they are.
std::shared_ptr<arrow::util::CodecOptions> StringPageCodecOptions(int level);

/// Writes `data` (already in table-schema order and types) as data files and returns their
/// `add` actions (paths URI-encoded relative to the root, dataChange=true).
Result<std::vector<AddFile>> WriteDataFiles(Storage& storage,
                                            const std::shared_ptr<arrow::Table>& data,
                                            const std::vector<std::string>& partition_columns,
                                            const DataWriteOptions& options);

/// \brief WriteDataFiles for a write that comes in chunks (WriteOptions::more_data): each
/// partition's rows that would make a file smaller than a full one are held back (copied) and
/// written with the next chunk's rows of that partition, so chunks do not leave a small file
/// per partition each. The last call writes everything held.
class DataFileWriter {
 public:
  DataFileWriter(Storage& storage, std::vector<std::string> partition_columns,
                 DataWriteOptions options);
  ~DataFileWriter();
  /// The `add` actions of the files written for `data` (and, when `last`, for all held rows).
  Result<std::vector<AddFile>> Write(const std::shared_ptr<arrow::Table>& data, bool last);

 private:
  struct Held {
    std::shared_ptr<arrow::Table> rows;
    PartitionValues values;
  };
  Status WritePartitions(const std::shared_ptr<arrow::Table>& data, bool last,
                         std::vector<AddFile>* out);
  Status WritePart(std::shared_ptr<arrow::Table> part, const std::string& dir,
                   const PartitionValues& values, bool last, std::vector<AddFile>* out);

  /// The columns of partition `dir` written without a dictionary (values that repeat little).
  std::vector<std::string> PlainColumns(const std::string& dir, const arrow::Table& rows);

  Storage& storage_;
  const std::vector<std::string> partition_columns_;
  const DataWriteOptions options_;
  std::vector<std::string> stats_columns_;
  std::map<std::string, Held> held_;          // by partition folder
  std::map<std::string, int64_t> full_rows_;  // rows of the last full file, by partition folder
  std::map<std::string, std::vector<std::string>> plain_;  // PlainColumns, by partition folder
};

/// Stats JSON of one file's rows for the given columns. With the file's Parquet `footer`, min and
/// max of the columns whose footer statistics are exact come from it instead of a pass over
/// the rows.
Result<std::string> ComputeStatsJson(const arrow::Table& table,
                                     const std::vector<std::string>& columns,
                                     int string_prefix_length,
                                     const parquet::FileMetaData* footer = nullptr);

/// A random RFC 4122 version-4 UUID.
std::string NewUuid();

}  // namespace anatomy::delta
