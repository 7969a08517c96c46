#pragma once

#include <arrow/table.h>

#include <functional>
#include <memory>
#include <string>

#include "anatomy/core/status.h"
#include "anatomy/engine/plan.h"

namespace anatomy::engine {

/// \brief The outcome of running a plan. A failed run is an outcome too (status "error"),
/// so that it can be recorded like a successful one.
struct ExecutionResult {
  std::shared_ptr<arrow::Table> table;  // null on error
  double duration_ms = 0;
  std::string status;  // "ok" | "error"
  std::string error;
  int64_t output_rows = 0;
  Status ToStatus() const { return status == "ok" ? Status::OK() : Status::ExecutionError(error); }
};

struct ExecuteOptions {
  /// Run on Arrow's CPU thread pool; false runs every task on the calling thread.
  bool use_threads = true;
  /// Called once the plan's sources have been read, before the final sort of a plan ending in
  /// order_by (the plan is not read after it). A caller that drops its own references to the
  /// inputs there (the plan included) lets the sort free each input column as it copies it.
  std::function<void()> sources_read;
};

/// \brief Run a plan on Acero and collect its output.
ExecutionResult Execute(const LogicalPlan& plan, const ExecuteOptions& options = {});

}  // namespace anatomy::engine
