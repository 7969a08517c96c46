#pragma once

// The fixed plan of the plan golden and the determinism checks: SELECT id FROM events WHERE
// id > 1 over a fixed ingested table.

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <memory>
#include <string>

#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"

namespace anatomy::engine::testing {

inline std::shared_ptr<arrow::Table> FixedEvents() {
  arrow::Int64Builder ids;
  arrow::StringBuilder kinds;
  for (int64_t i = 0; i < 5; ++i) {
    (void)ids.Append(i);
    (void)kinds.Append(i % 2 ? "odd" : "even");
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64(), false), arrow::field("kind", arrow::utf8())});
  return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), kinds.Finish().ValueOrDie()});
}

inline std::unique_ptr<Session> FixedSession(SessionOptions options = {}) {
  auto session = Session::Make(std::move(options)).ValueOrDie();
  (void)session->Ingest("events", FixedEvents());
  return session;
}

inline LogicalPlan SelectIdWhereIdGreaterThan(const Session& session, int64_t bound = 1) {
  namespace cp = arrow::compute;
  return PlanBuilder::Scan(session, "events", {"id"},
                           cp::greater(cp::field_ref("id"), cp::literal(bound)))
      .Build()
      .ValueOrDie();
}

}  // namespace anatomy::engine::testing
