#pragma once

#include <arrow/type_fwd.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/cpg/views.h"

namespace anatomy::artifacts {
class ArtifactStore;
}
namespace anatomy::engine {
class Session;
class WritePipeline;
}  // namespace anatomy::engine

namespace anatomy::pipeline {

/// \brief What the steps of one run share: where it writes, where it records, and under which
/// run id and profile.
struct RunContext {
  std::string out;  //!< absolute output folder
  std::string run_id;
  std::string profile;
  std::string runtime_hash;  //!< sha256 of "<anatomy version>|<profile>"
  artifacts::ArtifactStore* store = nullptr;
  engine::WritePipeline* writer = nullptr;

  /// run_id, profile and operation, for the commits of this run.
  std::map<std::string, std::string> CommitMetadata(const std::string& operation) const;
};

/// \brief sha256 of "<anatomy version>|<profile>": what a build's outputs depend on besides
/// the plans and the repository.
std::string RuntimeHash(const std::string& profile);

/// \brief One computed CPG view.
struct ViewResult {
  std::string name;
  std::vector<std::string> partition_by, cluster_by;
  bool nested = false;  //!< one row per node, holding a list
  std::string plan_fingerprint, plan_identity_hash;
  std::shared_ptr<arrow::Table> table;
};

/// \brief Registers the view in the session, compiles it, records its plan, view and
/// execution artifacts, executes it, nests the nested views and checks cpg_nodes and
/// cpg_edges against the kind catalogs. A failed execution is recorded, then returned.
/// Without `record_plan` only the execution is recorded (the same view over another batch).
/// `release_inputs`, when given, is called once the plan's sources have been read (RunView reads
/// `view.plan` no more): a caller holding the view's inputs for this view alone drops them
/// there, and the final sort frees each input column as it copies it (ExecuteOptions).
Result<ViewResult> RunView(engine::Session& session, const cpg::CpgView& view,
                           const RunContext& ctx, bool record_plan = true,
                           const std::function<void()>& release_inputs = {});

/// \brief Ingests the extraction tables (name, table) into `session` under their CPG names.
Status IngestExtraction(
    engine::Session& session,
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>>& tables);

/// \brief The plan fingerprint of every CPG view (qualified names, base and derived) for this
/// profile, compiled over empty inputs: the same as a build's, without running anything.
Result<std::map<std::string, std::string>> ViewFingerprints(const std::string& profile);

}  // namespace anatomy::pipeline
