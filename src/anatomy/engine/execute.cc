#include "anatomy/engine/execute.h"

#include <arrow/acero/exec_plan.h>

#include "anatomy/core/clock.h"

namespace anatomy::engine {

ExecutionResult Execute(const LogicalPlan& plan, const ExecuteOptions& options) {
  ExecutionResult result;
  const double start = core::MonotonicMs();
  auto table = arrow::acero::DeclarationToTable(plan.declaration, options.use_threads);
  result.duration_ms = core::MonotonicMs() - start;
  if (table.ok()) {
    result.table = *std::move(table);
    result.status = "ok";
    result.output_rows = result.table->num_rows();
  } else {
    result.status = "error";
    result.error = table.status().ToString();
  }
  return result;
}

}  // namespace anatomy::engine
