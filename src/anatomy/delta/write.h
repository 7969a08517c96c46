#pragma once

// Table writes: create, append, overwrite, overwrite of matching partitions (replaceWhere),
// row-level replace and delete by any predicate, schema merge and schema overwrite; app
// transactions.

#include <arrow/type_fwd.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/data_writer.h"
#include "anatomy/delta/predicate.h"
#include "anatomy/delta/storage.h"

namespace anatomy::delta {

enum class WriteMode { kAppend, kOverwrite, kErrorIfExists, kIgnore };
enum class SchemaMode { kStrict, kMerge, kOverwrite };

struct WriteOptions {
  WriteMode mode = WriteMode::kAppend;
  SchemaMode schema_mode = SchemaMode::kStrict;
  /// On create (or schema overwrite): partition columns, properties, name/description.
  std::vector<std::string> partition_columns;
  StringMap properties;
  std::optional<std::string> name, description;
  /// Table features asked for at creation (e.g. "changeDataFeed", "appendOnly",
  /// "timestampNtz", "domainMetadata", "inCommitTimestamp"); the protocol is the smallest that
  /// carries them (and any the schema or properties need). "deletionVectors" is also added to
  /// an existing table (protocol upgrade and delta.enableDeletionVectors=true in the write's
  /// commit), after which row-level replaces and deletes mark rows instead of rewriting files.
  std::vector<std::string> features;
  /// With kOverwrite: only files matching these partition-column filters are replaced, and
  /// every new row must match them.
  std::vector<Predicate> replace_where;
  /// With kOverwrite: only the rows matching any of these conjunctions (on any columns) are
  /// replaced. Files that may hold such rows (after pruning on partition values and stats) are
  /// read; each one that does is removed and its other rows are written again with the new
  /// data (or, when the table enables deletion vectors, the file is added back with a DV
  /// marking its matching rows), all in one commit. The new rows need not match. Rows where a
  /// predicate is null are kept.
  std::vector<std::vector<Predicate>> replace_rows_where;
  /// With replace_rows_where: called once with the rows being replaced (all of them, in the
  /// table's logical schema); the rows it returns are written too, in the same commit. A
  /// read-modify-write that reads the affected files once.
  std::function<Result<std::shared_ptr<arrow::Table>>(const std::shared_ptr<arrow::Table>&)>
      rewrite_matched;
  /// Further rows of the same write, pulled once `data` is written until it returns null:
  /// each table becomes data files of its own (conformed and checked like `data`), and all of
  /// them are committed together, so a write larger than memory is still one commit. An error
  /// it returns fails the write before anything is committed. Not with replace_where.
  std::function<Result<std::shared_ptr<arrow::Table>>()> more_data;
  DataWriteOptions files;
  std::string engine_info = "anatomy-delta/0.1";
  StringMap commit_metadata;  ///< added to commitInfo as string fields
  /// App transaction: skip the write when the table already has this app id at >= version.
  std::optional<std::string> app_id;
  int64_t app_version = 0;
  int max_retries = 10;
};

struct WriteResult {
  int64_t version = -1;    ///< the committed version (or the current one when skipped)
  bool committed = false;  ///< false for an idempotent no-op (txn already applied) or kIgnore
  int64_t files_added = 0, files_removed = 0, rows_written = 0;
  int attempts = 0;
};

/// Writes `data` to the table at `storage` (creating it when absent).
Result<WriteResult> WriteTable(std::shared_ptr<Storage> storage,
                               const std::shared_ptr<arrow::Table>& data,
                               const WriteOptions& options = {});
Result<WriteResult> WriteTable(const std::string& path, const std::shared_ptr<arrow::Table>& data,
                               const WriteOptions& options = {});

/// Creates an empty table with this schema (fails if one exists).
Result<WriteResult> CreateTable(std::shared_ptr<Storage> storage,
                                const std::shared_ptr<arrow::Schema>& schema,
                                const WriteOptions& options = {});

/// Deletes the rows matching the filters. With partition-column filters only, whole files are
/// removed; otherwise the files holding matching rows are rewritten without them.
Result<WriteResult> DeleteWhere(std::shared_ptr<Storage> storage,
                                const std::vector<Predicate>& filters,
                                const WriteOptions& options = {});

struct OptimizeOptions {
  /// Files smaller than this are compacted; nullopt: half of files.target_file_size.
  std::optional<int64_t> min_file_size;
  /// A partition is compacted when it holds at least this many small files.
  int min_files = 2;
  /// The rewritten rows are ordered (stably) by these columns, e.g. the clustering key, so
  /// that compaction keeps a partition's files clustered.
  std::vector<std::string> order_by;
  /// Only partitions matching these partition-column filters are compacted.
  std::vector<Predicate> partition_filters;
  DataWriteOptions files;  ///< target size, row groups, compression of the new files
  std::string engine_info = "anatomy-delta/0.1";
  StringMap commit_metadata;
  int max_retries = 10;
};

struct OptimizeResult {
  int64_t version = -1;    ///< the committed version (or the current one when nothing to do)
  bool committed = false;  ///< false when no partition had enough small files
  int64_t partitions = 0, files_removed = 0, files_added = 0, bytes_removed = 0, bytes_added = 0;
};

/// \brief Compacts the small files of each partition into files of the target size (bin
/// packing, as Delta's OPTIMIZE): one commit, operation OPTIMIZE, whose removes and adds have
/// dataChange=false, so the table's content, its change data feed and concurrent appends are
/// unaffected; a concurrent commit removing one of the compacted files conflicts.
Result<OptimizeResult> Optimize(std::shared_ptr<Storage> storage,
                                const OptimizeOptions& options = {});

/// The protocol a new table gets for these features, schema and properties.
Result<Protocol> ProtocolForFeatures(const std::vector<std::string>& features,
                                     const arrow::Schema& schema, const StringMap& properties);

}  // namespace anatomy::delta
