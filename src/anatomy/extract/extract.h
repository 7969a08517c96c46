#pragma once

#include <arrow/type_fwd.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::extract {

/// \brief What to extract and how.
struct ExtractOptions {
  std::string repo_root;                       //!< the repository folder
  std::vector<std::string> include;            //!< globs on relative paths; empty = every file
  std::vector<std::string> exclude;            //!< globs on relative paths (files and folders)
  int jobs = 0;                                //!< parser threads; 0 = all cores
  int64_t max_file_bytes = int64_t{64} << 20;  //!< larger .py files get a FILE_TOO_LARGE error
  /// When set, only these files (relative paths) get rows. Every scanned file still counts
  /// for import resolution, and the modules their resolution looks into are analysed (but not
  /// emitted) as it asks for them, so the rows equal those of a whole-repository extraction.
  /// Incremental builds.
  std::optional<std::set<std::string>> only_paths;
  /// Called after each file is parsed and analysed, with the files done and the files to parse
  /// (with `only_paths`, the total grows as resolution asks for more modules). Calls come from
  /// the parser threads, one at a time, with `done` counting up.
  std::function<void(int64_t done, int64_t total)> on_parsed;
};

/// \brief Wall-clock milliseconds of each extraction phase.
struct ExtractTimings {
  int64_t scan_ms = 0, parse_ms = 0, resolve_ms = 0, tables_ms = 0;
};

/// \brief One Arrow table per dataset; columns in schemas.h and README.md.
struct ExtractionResult {
  ExtractTimings timings;
  std::shared_ptr<arrow::Table> files, scopes, bindings, occurrences, definitions, parameters,
      call_sites, call_resolutions, imports, references, type_params, annotations, diagnostics,
      errors;

  /// \brief (dataset name, table) pairs in DatasetNames() order.
  std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>> Tables() const;
};

/// \brief Scans `options.repo_root`, parses every Python file with tree-sitter on
/// `options.jobs` threads and returns the extraction tables. Per-file problems become rows of
/// `errors` or `diagnostics`; only an unusable root or an internal Arrow failure is an error.
/// The result does not depend on the number of threads.
arrow::Result<ExtractionResult> ExtractRepository(const ExtractOptions& options);

struct ScanResult;

/// \brief ExtractRepository on the result of a scan already made (ScanRepository) with the
/// same options.
arrow::Result<ExtractionResult> ExtractScanned(const ScanResult& scan,
                                               const ExtractOptions& options);

/// \brief An extraction handed out a batch of files at a time, so that what a build holds is
/// bounded by a batch rather than the repository: every file is parsed and resolved first
/// (resolution needs them all), then each batch's tables are built when asked for and the
/// rows of its files freed. Batches go in file_id order; their tables, concatenated, hold the
/// rows of ExtractScanned (whose files go in path order).
class BatchedExtraction {
 public:
  /// Parses and resolves every scanned file (`options.only_paths` must be unset).
  static arrow::Result<std::unique_ptr<BatchedExtraction>> Make(const ScanResult& scan,
                                                                const ExtractOptions& options);
  ~BatchedExtraction();

  int64_t num_files() const;
  /// The definitions that calls in other files resolve to (target_def_id of call resolutions
  /// whose target_file_id is not the caller's), sorted: the only nodes of a file that edges
  /// from other files point at.
  const std::vector<std::string>& called_from_other_files() const;
  /// The tables of the next files, taken until their bytes reach `max_bytes` (at least one
  /// file); the first batch (there is one even without files) also carries the scan's errors.
  /// nullopt after the last.
  arrow::Result<std::optional<ExtractionResult>> Next(int64_t max_bytes);

 private:
  BatchedExtraction();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// \brief Runs ExtractRepository's per-file pipeline (decoding, parse, scope analysis, rows,
/// resolution, tables) on in-memory `bytes` as the file `path` (relative, '/' separators; a
/// `.py` name is analysed as Python). Only `options.max_file_bytes` is used; `mtime_ms` is 0.
/// Imports resolve as in a repository holding only this file. For tests and fuzzing.
arrow::Result<ExtractionResult> ExtractSource(std::string_view path, std::string_view bytes,
                                              const ExtractOptions& options = {});

}  // namespace anatomy::extract
