#include "anatomy/engine/execute.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/session.h"

namespace anatomy::engine {
namespace {

// A table of `n` rows (a string id and a number, in reverse order) allocated from `pool`.
std::shared_ptr<arrow::Table> Reversed(int n, arrow::MemoryPool* pool) {
  arrow::StringBuilder ids(pool);
  arrow::Int64Builder numbers(pool);
  for (int i = n - 1; i >= 0; --i) {
    EXPECT_TRUE(ids.Append("id-" + std::to_string(1000000 + i)).ok());
    EXPECT_TRUE(numbers.Append(i).ok());
  }
  return arrow::Table::Make(
      arrow::schema({arrow::field("id", arrow::utf8()), arrow::field("n", arrow::int64())}),
      {ids.Finish().ValueOrDie(), numbers.Finish().ValueOrDie()});
}

// The sorted plan runs the same whether or not the caller lets its inputs go once they are
// read; when it does, nothing of the input is left allocated after the sort (the sort frees
// each column as it copies it), and when it does not, the input stays.
TEST(Execute, SourcesReadLetsTheSortFreeItsInput) {
  ASSERT_TRUE(arrow::compute::Initialize().ok());
  for (bool release : {false, true}) {
    arrow::ProxyMemoryPool input_pool(arrow::default_memory_pool());
    auto session = Session::Make().ValueOrDie();
    ASSERT_TRUE(session->Ingest("t", Reversed(5000, &input_pool)).ok());
    auto plan = PlanBuilder::Scan(*session, "t").OrderBy({{"id"}}).Build().ValueOrDie();
    ASSERT_GT(input_pool.bytes_allocated(), 0);

    int calls = 0;
    ExecuteOptions options;
    options.use_threads = false;
    options.sources_read = [&] {
      ++calls;
      if (!release) return;
      session->DropTable("t");
      plan.declaration = {};
    };
    auto result = Execute(plan, options);
    ASSERT_EQ(result.status, "ok") << result.error;
    EXPECT_EQ(calls, 1);
    if (release) {
      EXPECT_EQ(input_pool.bytes_allocated(), 0);
    } else {
      EXPECT_GT(input_pool.bytes_allocated(), 0);
    }
    auto sorted = result.table->CombineChunksToBatch().ValueOrDie();
    ASSERT_EQ(sorted->num_rows(), 5000);
    auto numbers = std::static_pointer_cast<arrow::Int64Array>(sorted->GetColumnByName("n"));
    for (int64_t i = 0; i < sorted->num_rows(); ++i) ASSERT_EQ(numbers->Value(i), i);
  }
}

}  // namespace
}  // namespace anatomy::engine
