#include "anatomy/engine/plan_builder.h"

#include <arrow/acero/exec_plan.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "anatomy/engine/session.h"

namespace anatomy::engine {
namespace {

namespace cp = arrow::compute;

std::shared_ptr<arrow::Table> TableFromJson(const std::shared_ptr<arrow::Schema>& schema,
                                            const std::string& json) {
  auto type = arrow::struct_(schema->fields());
  auto array = arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
  auto batch = arrow::RecordBatch::FromStructArray(array).ValueOrDie();
  return arrow::Table::FromRecordBatches(schema, {batch}).ValueOrDie();
}

class PlanBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cp::Initialize().ok());
    session_ = Session::Make().ValueOrDie();
    auto events = TableFromJson(
        arrow::schema({arrow::field("id", arrow::int64()), arrow::field("user_id", arrow::int64()),
                       arrow::field("kind", arrow::utf8())}),
        R"([{"id": 1, "user_id": 10, "kind": "a"}, {"id": 2, "user_id": 10, "kind": "b"},
            {"id": 3, "user_id": 20, "kind": "a"}, {"id": 4, "user_id": 30, "kind": "b"}])");
    auto users =
        TableFromJson(arrow::schema({arrow::field("user_id", arrow::int64()),
                                     arrow::field("name", arrow::utf8())}),
                      R"([{"user_id": 10, "name": "ann"}, {"user_id": 20, "name": "bob"}])");
    ASSERT_TRUE(session_->Ingest("events", events).ok());
    ASSERT_TRUE(session_->Ingest("users", users).ok());
  }

  std::shared_ptr<arrow::Table> Run(const LogicalPlan& plan) {
    auto table = arrow::acero::DeclarationToTable(plan.declaration, /*use_threads=*/false);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    return table.ValueOr(nullptr);
  }

  std::unique_ptr<Session> session_;
};

TEST_F(PlanBuilderTest, SelectWithPushedFilterRecordsLineage) {
  auto plan = PlanBuilder::Scan(*session_, "events", {"id"},
                                cp::greater(cp::field_ref("id"), cp::literal(int64_t{1})))
                  .Build();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto out = Run(*plan);
  ASSERT_NE(out, nullptr);
  EXPECT_EQ(out->num_rows(), 3);
  EXPECT_EQ(out->schema()->ToString(), "id: int64");

  const auto& l = plan->lineage;
  ASSERT_EQ(l.scans.size(), 1u);
  EXPECT_EQ(l.scans[0].dataset_name, "events");
  EXPECT_EQ(l.scans[0].projected_columns, std::vector<std::string>{"id"});
  EXPECT_EQ(l.scans[0].pushed_filters, std::vector<std::string>{"(id > 1)"});
  EXPECT_EQ(l.filters, std::vector<std::string>{"(id > 1)"});
  EXPECT_EQ(l.referenced_tables, std::vector<std::string>{"events"});
  EXPECT_EQ(l.required_columns_by_dataset.at("events"), std::vector<std::string>{"id"});
  ASSERT_EQ(l.exprs.size(), 1u);
  EXPECT_EQ(l.exprs[0].kind, "scan");
  EXPECT_EQ(l.exprs[0].referenced_functions, std::vector<std::string>{"greater"});
  EXPECT_EQ(l.exprs[0].referenced_columns, (std::vector<ColumnRef>{{"events", "id"}}));
  EXPECT_EQ(plan->required_functions, std::vector<std::string>{"greater"});
  EXPECT_EQ(plan->LogicalText(), "scan events columns=[id] exprs=[(id > 1)]\n");
  auto physical = plan->PhysicalText();
  ASSERT_TRUE(physical.ok());
  EXPECT_NE(physical->find("filter"), std::string::npos);
}

TEST_F(PlanBuilderTest, JoinAggregateOrderTracksColumnOrigins) {
  auto users = PlanBuilder::Scan(*session_, "users");
  auto plan = PlanBuilder::Scan(*session_, "events", {"id", "user_id"})
                  .Join(users, JoinKind::kInner, {"user_id"}, {"user_id"})
                  .Aggregate({{"count", "id", "n"}}, {"name"})
                  .OrderBy({{"name", false}})
                  .Build();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto out = Run(*plan);
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(out->num_rows(), 2);
  auto combined = out->CombineChunks().ValueOrDie();
  auto names =
      std::static_pointer_cast<arrow::StringArray>(combined->GetColumnByName("name")->chunk(0));
  auto counts =
      std::static_pointer_cast<arrow::Int64Array>(combined->GetColumnByName("n")->chunk(0));
  EXPECT_EQ(names->GetString(0), "ann");
  EXPECT_EQ(counts->Value(0), 2);
  EXPECT_EQ(names->GetString(1), "bob");
  EXPECT_EQ(counts->Value(1), 1);

  const auto& l = plan->lineage;
  ASSERT_EQ(l.joins.size(), 1u);
  EXPECT_EQ(l.joins[0].join_type, "inner");
  EXPECT_EQ(l.joins[0].left_keys, std::vector<std::string>{"user_id"});
  EXPECT_EQ(l.referenced_tables, (std::vector<std::string>{"events", "users"}));
  EXPECT_EQ(l.aggregations, std::vector<std::string>{"count(id) AS n"});
  // The aggregate's input column traces back to events.id; the sort key to users.name.
  bool saw_count = false, saw_sort = false;
  for (const auto& e : l.exprs) {
    if (e.kind == "aggregate") {
      saw_count = true;
      EXPECT_EQ(e.referenced_columns, (std::vector<ColumnRef>{{"events", "id"}}));
      EXPECT_EQ(e.referenced_functions, std::vector<std::string>{"hash_count"});
    }
    if (e.kind == "order_by") {
      saw_sort = true;
      EXPECT_EQ(e.referenced_columns, (std::vector<ColumnRef>{{"users", "name"}}));
    }
  }
  EXPECT_TRUE(saw_count && saw_sort);
  EXPECT_EQ(plan->required_functions, std::vector<std::string>{"hash_count"});
  // Canonical tree: root first, inputs indented.
  EXPECT_EQ(plan->LogicalText(),
            "order_by order=[name ASC]\n"
            "  aggregate keys=[name] aggregates=[count(id) AS n]\n"
            "    join type=inner on=[user_id]=[user_id]\n"
            "      scan events columns=[id, user_id]\n"
            "      scan users columns=[user_id, name]\n");
}

TEST_F(PlanBuilderTest, ProjectUnionLimit) {
  auto doubled =
      PlanBuilder::Scan(*session_, "events", {"id"})
          .Project({{cp::call("multiply", {cp::field_ref("id"), cp::literal(int64_t{2})}), "x"}});
  auto plan = PlanBuilder(doubled).Union(doubled).OrderBy({{"x", true}}).Limit(3).Build();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto out = Run(*plan);
  ASSERT_NE(out, nullptr);
  auto x = std::static_pointer_cast<arrow::Int64Array>(
      out->CombineChunks().ValueOrDie()->column(0)->chunk(0));
  ASSERT_EQ(x->length(), 3);
  EXPECT_EQ(x->Value(0), 8);
  EXPECT_EQ(x->Value(1), 8);
  EXPECT_EQ(x->Value(2), 6);
  EXPECT_EQ(plan->required_functions, std::vector<std::string>{"multiply"});
  for (const auto& e : plan->lineage.exprs) {
    if (e.kind == "order_by") {
      EXPECT_EQ(e.referenced_columns, (std::vector<ColumnRef>{{"events", "id"}}));
    }
  }
}

TEST_F(PlanBuilderTest, ErrorsNameTheProblem) {
  auto missing_table = PlanBuilder::Scan(*session_, "nope").Filter(cp::literal(true)).Build();
  EXPECT_TRUE(missing_table.status().IsKeyError());
  EXPECT_NE(missing_table.status().message().find("'nope'"), std::string::npos);

  auto missing_column = PlanBuilder::Scan(*session_, "events", {"idx"}).Build();
  EXPECT_NE(missing_column.status().message().find("'idx'"), std::string::npos);

  auto bad_filter = PlanBuilder::Scan(*session_, "events")
                        .Filter(cp::equal(cp::field_ref("zzz"), cp::literal(1)))
                        .Build();
  EXPECT_FALSE(bad_filter.ok());
  EXPECT_NE(bad_filter.status().message().find("filter"), std::string::npos);

  auto bad_union =
      PlanBuilder::Scan(*session_, "events").Union(PlanBuilder::Scan(*session_, "users")).Build();
  EXPECT_TRUE(bad_union.status().IsTypeError());
}

}  // namespace
}  // namespace anatomy::engine
