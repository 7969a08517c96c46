#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "anatomy/artifacts/rows.h"
#include "anatomy/core/status.h"
#include "anatomy/engine/write_pipeline.h"
#include "anatomy/extract/extract.h"

namespace anatomy::pipeline {

struct BuildOptions {
  std::string repo;
  std::string out;
  int jobs = 0;  // 0 = all cores
  std::string profile = "default";
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  /// The run id to record; empty: a new one.
  std::string run_id;
  /// Incremental builds add small data files with each upsert; a table partition holding this
  /// many small files (under half the target size) is compacted at the end of the run
  /// (OPTIMIZE, recorded in delta_maintenance_v2). 0: never.
  int compact_after = 8;
  /// A full build runs the views over batches of files whose source adds up to this many
  /// bytes (BatchedExtraction): it holds the parsed files and about 200 times a batch's bytes.
  /// Smaller batches hold less and run more (smaller) plans; the tables are the same.
  int64_t batch_bytes = int64_t{1} << 20;
};

/// \brief What a finished build reports.
struct BuildSummary {
  std::string run_id;
  std::string out;
  int64_t files = 0;
  int64_t python_files = 0;
  int64_t lines = 0;
  int64_t errors = 0;
  int64_t diagnostics = 0;
  std::map<std::string, int64_t> nodes_by_kind;
  std::map<std::string, int64_t> edges_by_kind;
  std::map<std::string, int64_t> rows_by_output;
  /// Seconds per stage: extract; views (executing them) and writes (every Delta write), which
  /// overlap; views_and_writes, the wall time of both.
  std::map<std::string, double> stage_seconds;
  double seconds = 0;
};

/// \brief Progress events: (stage, done, total). Called from the build's thread.
using ProgressFn = std::function<void(const std::string& stage, int64_t done, int64_t total)>;

struct RunContext;
struct ViewResult;

/// \brief The extraction options of a build: its repository, globs and jobs.
extract::ExtractOptions ExtractOptionsOf(const BuildOptions& options);

/// \brief A new run id ("run:" and 32 hex digits).
std::string NewRunId();

/// \brief The rows of an extraction `errors` table as the extract_errors_v1 payload.
Result<std::vector<artifacts::ExtractError>> ExtractErrorsOf(const arrow::Table& errors);

/// \brief The write of extraction dataset `dataset` to OUT/extract/<dataset> (policy, stats,
/// commit metadata), as a full build does it; incremental builds change the mode.
engine::WriteRequest ExtractionWrite(const RunContext& ctx, const std::string& dataset,
                                     std::shared_ptr<arrow::Table> rows);

/// \brief OUT/state/qualified_names: every qualified name the files use (qualified_name, uses:
/// how many rows of the extraction name it), the cpg_qualified_names view over all files. A
/// full build writes it; an incremental build updates the counts with the rebuilt files' old
/// and new uses, and so knows which names appear and disappear without reading every file.
inline constexpr const char* kQualifiedNamesState = "state_qualified_names";
std::string QualifiedNamesUri(const std::string& out);
engine::WriteRequest QualifiedNamesWrite(const RunContext& ctx, std::shared_ptr<arrow::Table> rows);

/// \brief `req` as the write of a table a build replaces whole: an overwrite, schema and
/// partitioning included (an OUT written by another version of anatomy may hold other ones).
engine::WriteRequest ReplacingTable(engine::WriteRequest req);

/// \brief The write of a CPG view's result to OUT/<view>, partitioned as CONTRACTS.md says.
engine::WriteRequest OutputWrite(const RunContext& ctx, const ViewResult& view);

/// \brief What closing a run needs of the extraction tables (which a build frees earlier):
/// each dataset's name and rows, and the errors table.
struct ExtractionCounts {
  std::vector<std::pair<std::string, int64_t>> rows;
  std::shared_ptr<arrow::Table> errors;
};
ExtractionCounts CountExtraction(
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>>& tables);

/// \brief The rows that close a run: normalize_outputs_v1 (the extraction datasets written and
/// their rows), extract_errors_v1 (the errors table's rows) and run_manifest_v2 (the views'
/// plan fingerprints, the outputs written, and `artifact_ids` if any).
Status CloseRun(const RunContext& ctx, const ExtractionCounts& extraction,
                const std::map<std::string, std::string>& plan_fingerprints,
                const std::vector<artifacts::OutputDescriptor>& outputs,
                std::optional<artifacts::StringMap> artifact_ids = std::nullopt);

/// \brief `anatomy build`: extract the repository, ingest the tables, build the CPG views,
/// write every output and artifact table under `out`, and close the run with its manifest.
/// Per-file problems do not fail the build; they are counted and recorded.
Result<BuildSummary> RunBuild(const BuildOptions& options, const ProgressFn& progress = {});

}  // namespace anatomy::pipeline
