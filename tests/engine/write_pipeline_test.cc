#include "anatomy/engine/write_pipeline.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "anatomy/artifacts/rows.h"
#include "anatomy/delta/scan.h"
#include "anatomy/delta/snapshot.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "anatomy/serde/msgpack_codec.h"
#include "support/temp_dir.h"

namespace anatomy::engine {
namespace {

namespace fs = std::filesystem;
namespace cp = arrow::compute;

std::shared_ptr<arrow::Table> Rows() {
  arrow::StringBuilder kind;
  arrow::Int64Builder id;
  const std::vector<std::pair<std::string, int64_t>> rows = {
      {"b", 3}, {"a", 2}, {"b", 1}, {"a", 4}};
  for (const auto& [k, i] : rows) {
    EXPECT_TRUE(kind.Append(k).ok());
    EXPECT_TRUE(id.Append(i).ok());
  }
  auto schema =
      arrow::schema({arrow::field("kind", arrow::utf8()), arrow::field("id", arrow::int64())});
  return arrow::Table::Make(schema, {kind.Finish().ValueOrDie(), id.Finish().ValueOrDie()});
}

class WritePipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cp::Initialize().ok());
    store_ = std::make_unique<artifacts::ArtifactStore>((dir_ / "artifacts").string());
  }

  test_support::TempDir tmp_{"anatomy_wp_"};
  const fs::path dir_ = tmp_.path();
  std::unique_ptr<artifacts::ArtifactStore> store_;
};

TEST(DecideStats, AutoPutsPartitionZorderAndLineageFirstAndCaps) {
  artifacts::DeltaWritePolicy policy;
  policy.partition_by = {"kind"};
  policy.zorder_by = {"id"};
  policy.stats_max_columns = 3;
  auto schema =
      arrow::schema({arrow::field("a", arrow::utf8()), arrow::field("id", arrow::int64()),
                     arrow::field("kind", arrow::utf8()), arrow::field("z", arrow::utf8())});
  auto d = DecideStats("t", policy, {"z", "missing"}, *schema);
  EXPECT_EQ(d.stats_columns, (std::vector<std::string>{"kind", "id", "z"}));
  policy.stats_policy = artifacts::StatsPolicy::kOff;
  EXPECT_TRUE(DecideStats("t", policy, {}, *schema).stats_columns.empty());
  policy.stats_policy = artifacts::StatsPolicy::kExplicit;
  policy.stats_columns = std::vector<std::string>{"a", "nope"};
  EXPECT_EQ(DecideStats("t", policy, {}, *schema).stats_columns, std::vector<std::string>{"a"});
}

TEST_F(WritePipelineTest, WritesOrdersAndRecords) {
  WritePipeline writer(store_.get(), "test");
  WriteRequest req;
  req.dataset_name = "things";
  req.table_uri = (dir_ / "things").string();
  req.data = Rows();
  req.write_policy.partition_by = {"kind"};
  req.write_policy.zorder_by = {"id"};
  req.commit_metadata = {{"run_id", "run:1"}, {"plan_fingerprint", "abc"}};
  req.delta_inputs = {{"events", 3}, {"users", 7}};
  auto outcome = writer.Write(req);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->delta_version, 0);

  auto snapshot = delta::LoadSnapshot(req.table_uri).ValueOrDie();
  EXPECT_EQ(snapshot->metadata.partition_columns, std::vector<std::string>{"kind"});
  auto table = delta::ScanToTable(*snapshot).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 4);

  auto writes = artifacts::ReadArtifacts<artifacts::WriteArtifactRow>(
      store_->TablePath("write_artifacts_v2"));
  ASSERT_TRUE(writes.ok()) << writes.status().ToString();
  ASSERT_EQ(writes->size(), 1u);
  const auto& w = (*writes)[0];
  EXPECT_EQ(w.status, "ok");
  EXPECT_EQ(w.commit_run_id, "run:1");
  EXPECT_EQ(w.commit_metadata.at("anatomy.delta_inputs"), "events@v3,users@v7");
  EXPECT_EQ(w.partition_by, std::vector<std::string>{"kind"});
  auto decision =
      serde::DecodeMsgpack<artifacts::DeltaStatsDecision>(w.delta_stats_decision_msgpack.data);
  ASSERT_TRUE(decision.ok());
  EXPECT_EQ(decision->stats_columns.front(), "kind");
  auto mutations = artifacts::ReadArtifacts<artifacts::DeltaMutationRow>(
      store_->TablePath("delta_mutations_v2"));
  ASSERT_TRUE(mutations.ok());
  ASSERT_EQ(mutations->size(), 1u);
  EXPECT_EQ((*mutations)[0].commit_metadata->at("plan_fingerprint"), "abc");
  auto snapshots = artifacts::ReadArtifacts<artifacts::DeltaSnapshotRow>(
      store_->TablePath("delta_snapshots_v2"));
  ASSERT_TRUE(snapshots.ok());
  EXPECT_EQ((*snapshots)[0].partition_columns, std::vector<std::string>{"kind"});
}

TEST_F(WritePipelineTest, OrdersStringKeysWithNullsLastUnlessAlreadyOrdered) {
  auto table = [](std::vector<std::optional<std::string>> k1,
                  std::vector<std::optional<std::string>> k2) {
    arrow::StringBuilder a, b;
    for (size_t i = 0; i < k1.size(); ++i) {
      EXPECT_TRUE((k1[i] ? a.Append(*k1[i]) : a.AppendNull()).ok());
      EXPECT_TRUE((k2[i] ? b.Append(*k2[i]) : b.AppendNull()).ok());
    }
    auto schema =
        arrow::schema({arrow::field("k1", arrow::utf8()), arrow::field("k2", arrow::utf8())});
    return arrow::Table::Make(schema, {a.Finish().ValueOrDie(), b.Finish().ValueOrDie()});
  };
  auto written = [&](const std::shared_ptr<arrow::Table>& data) {
    WritePipeline writer(store_.get(), "test");
    WriteRequest req;
    req.dataset_name = "ordered";
    req.table_uri = (dir_ / "ordered").string();
    req.data = data;
    req.write_policy.zorder_by = {"k1", "k2"};
    EXPECT_TRUE(writer.Write(req).ok());
    auto rows = delta::ScanToTable(*delta::LoadSnapshot(req.table_uri).ValueOrDie()).ValueOrDie();
    auto batch = rows->CombineChunksToBatch().ValueOrDie();
    std::vector<std::string> out;
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      std::string row;
      for (int c = 0; c < 2; ++c) {
        auto s = std::static_pointer_cast<arrow::StringArray>(batch->column(c));
        row += (s->IsNull(i) ? std::string("null") : s->GetString(i)) + (c ? "" : ",");
      }
      out.push_back(row);
    }
    return out;
  };
  // A null sorts after the values of its key, as SortIndices places it.
  EXPECT_EQ(written(table({"a", "a", "b"}, {std::nullopt, "x", "y"})),
            (std::vector<std::string>{"a,x", "a,null", "b,y"}));
  EXPECT_EQ(written(table({"b", std::nullopt, "a"}, {"y", "z", "x"})),
            (std::vector<std::string>{"a,x", "b,y", "null,z"}));
  // Already in order: written as given.
  EXPECT_EQ(written(table({"a", "a", std::nullopt}, {"x", std::nullopt, "z"})),
            (std::vector<std::string>{"a,x", "a,null", "null,z"}));
}

TEST_F(WritePipelineTest, UnsupportedFeatureIsAnErrorAndIsRecorded) {
  WritePipeline writer(store_.get(), "test");
  WriteRequest req;
  req.dataset_name = "things";
  req.table_uri = (dir_ / "things").string();
  req.data = Rows();
  req.write_policy.enable_features = {artifacts::DeltaFeature::kRowTracking,
                                      artifacts::DeltaFeature::kV2Checkpoints};
  auto outcome = writer.Write(req);
  if (outcome.ok()) GTEST_SKIP() << "the delta writer supports these features";
  EXPECT_TRUE(outcome.status().IsNotImplemented()) << outcome.status().ToString();
  EXPECT_NE(outcome.status().message().find("does not support"), std::string::npos);
  auto writes = artifacts::ReadArtifacts<artifacts::WriteArtifactRow>(
      store_->TablePath("write_artifacts_v2"));
  ASSERT_TRUE(writes.ok());
  ASSERT_EQ(writes->size(), 1u);
  EXPECT_EQ((*writes)[0].status, "error");
  EXPECT_FALSE(fs::exists(dir_ / "things" / "_delta_log"));
}

TEST_F(WritePipelineTest, ColumnMappingPolicyCreatesAMappedTable) {
  WritePipeline writer(store_.get(), "test");
  WriteRequest req;
  req.dataset_name = "things";
  req.table_uri = (dir_ / "things").string();
  req.data = Rows();
  req.write_policy.partition_by = {"kind"};
  artifacts::DeltaSchemaPolicy schema_policy;
  schema_policy.column_mapping_mode = artifacts::ColumnMappingMode::kId;
  req.schema_policy = schema_policy;
  auto outcome = writer.Write(req);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  auto snapshot = delta::LoadSnapshot(req.table_uri).ValueOrDie();
  EXPECT_EQ(snapshot->Property("delta.columnMapping.mode"), "id");
  const auto* kind = snapshot->schema.FindField("kind");
  ASSERT_TRUE(kind && kind->physical_name && kind->mapping_id);
  ASSERT_FALSE(snapshot->files.empty());
  EXPECT_TRUE(snapshot->files[0].partition_values.count(*kind->physical_name));
  auto table = delta::ScanToTable(*snapshot).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 4);
  // A second write under the same policy appends; a different mode is refused.
  req.mode = "append";
  ASSERT_TRUE(writer.Write(req).ok());
  schema_policy.column_mapping_mode = artifacts::ColumnMappingMode::kName;
  req.schema_policy = schema_policy;
  auto refused = writer.Write(req);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("delta.columnMapping.mode"), std::string::npos);
  EXPECT_EQ(
      delta::ScanToTable(*delta::LoadSnapshot(req.table_uri).ValueOrDie()).ValueOrDie()->num_rows(),
      8);
}

TEST_F(WritePipelineTest, ArtifactAppendsFromManyThreadsAllLand) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        artifacts::NormalizeOutputsRow row{i, "run:" + std::to_string(t), "out", {"files"}, i};
        EXPECT_TRUE(store_->Append(row).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  auto rows = artifacts::ReadArtifacts<artifacts::NormalizeOutputsRow>(
      store_->TablePath("normalize_outputs_v1"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(rows->size(), 20u);
}

TEST_F(WritePipelineTest, FailedExecutionIsRecordedToo) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("t", Rows()).ok());
  // Dividing by zero fails at run time, not at planning time.
  auto plan =
      PlanBuilder::Scan(*session, "t")
          .Project(
              {{cp::call("divide_checked", {cp::field_ref("id"), cp::literal(int64_t{0})}), "q"}})
          .Build();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto bundle = CompilePlan(*session, "bad", *plan).ValueOrDie();
  auto result = Execute(*plan);
  EXPECT_EQ(result.status, "error");
  EXPECT_NE(result.error.find("divide by zero"), std::string::npos) << result.error;
  auto row = ExecutionArtifact(bundle, "test", result);
  ASSERT_TRUE(store_->Append(row).ok());
  auto rows =
      artifacts::ReadArtifacts<artifacts::PlanArtifactRow>(store_->TablePath("plan_artifacts_v8"));
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].event_kind, artifacts::PlanEventKind::kExecution);
  EXPECT_EQ((*rows)[0].execution_status, artifacts::ExecutionStatus::kError);
  EXPECT_TRUE((*rows)[0].execution_error.has_value());
}

TEST_F(WritePipelineTest, ViewsAreNamedPlans) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("t", Rows()).ok());
  auto plan = PlanBuilder::Scan(*session, "t", {"id"}).Build().ValueOrDie();
  ASSERT_TRUE(session->RegisterView("ids", plan).ok());
  EXPECT_TRUE(session->RegisterView("ids", plan).IsAlreadyExists());
  EXPECT_EQ(session->ViewNames(), std::vector<std::string>{"ids"});
  auto bundle = CompilePlan(*session, "ids", session->View("ids").ValueOrDie()).ValueOrDie();
  auto row = ViewArtifact(bundle, "runtime");
  EXPECT_EQ(row.name, "ids");
  EXPECT_EQ(row.plan_fingerprint, bundle.plan_fingerprint);
  EXPECT_EQ(row.referenced_tables, std::vector<std::string>{"t"});
  auto abi =
      serde::DecodeMsgpack<artifacts::SchemaAbiPayload>(row.schema_msgpack.data).ValueOrDie();
  ASSERT_EQ(abi.fields.size(), 1u);
  EXPECT_EQ(abi.fields[0].name, "id");
  EXPECT_EQ(row.schema_fingerprint, serde::Fingerprint(abi));
}

TEST_F(WritePipelineTest, MaintenanceIsRecorded) {
  WritePipeline writer(store_.get(), "test");
  WriteRequest req;
  req.dataset_name = "things";
  req.table_uri = (dir_ / "things").string();
  req.data = Rows();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.Write(req).ok());  // versions 0..2, overwrites

  MaintenanceRequest m;
  m.dataset_name = "things";
  m.table_uri = req.table_uri;
  m.commit_metadata = {{"run_id", "run:m"}};
  auto checkpoint = writer.Maintain(m);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().ToString();
  EXPECT_EQ(checkpoint->delta_version, 2);
  EXPECT_EQ(checkpoint->metrics.at("num_add_files"), 1);
  EXPECT_TRUE(
      fs::exists(dir_ / "things" / "_delta_log" / "00000000000000000002.checkpoint.parquet"));

  // Two overwritten data files are past a zero retention; a dry run only lists them.
  m.operation = MaintenanceOperation::kVacuum;
  m.retention_hours = 0;
  m.enforce_retention = false;
  m.dry_run = true;
  auto listed = writer.Maintain(m);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->deleted.size(), 2u);
  EXPECT_TRUE(fs::exists(dir_ / "things" / listed->deleted[0]));
  m.dry_run = false;
  auto vacuumed = writer.Maintain(m);
  ASSERT_TRUE(vacuumed.ok()) << vacuumed.status().ToString();
  EXPECT_EQ(vacuumed->deleted, listed->deleted);
  EXPECT_FALSE(fs::exists(dir_ / "things" / listed->deleted[0]));

  m.operation = MaintenanceOperation::kLogCleanup;
  auto cleaned = writer.Maintain(m);
  ASSERT_TRUE(cleaned.ok()) << cleaned.status().ToString();
  EXPECT_FALSE(cleaned->deleted.empty());
  EXPECT_FALSE(fs::exists(dir_ / "things" / "_delta_log" / "00000000000000000000.json"));
  auto table = delta::ScanToTable(*delta::LoadSnapshot(req.table_uri).ValueOrDie()).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 4);  // still readable after all three

  auto rows = artifacts::ReadArtifacts<artifacts::DeltaMaintenanceRow>(
      store_->TablePath("delta_maintenance_v2"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 4u);
  std::multiset<std::string> operations;
  const artifacts::DeltaMaintenanceRow* vacuum = nullptr;
  const artifacts::DeltaMaintenanceRow* dry_run = nullptr;
  for (const auto& r : *rows) {
    operations.insert(r.operation);
    if (r.operation == "VACUUM") (r.dry_run == true ? dry_run : vacuum) = &r;
  }
  EXPECT_EQ(operations,
            (std::multiset<std::string>{"CHECKPOINT", "VACUUM", "VACUUM", "LOG_CLEANUP"}));
  ASSERT_TRUE(vacuum && dry_run);
  const auto& vacuum_row = *vacuum;
  EXPECT_EQ(vacuum_row.dataset_name, "things");
  EXPECT_EQ(vacuum_row.delta_version, 2);
  EXPECT_EQ(vacuum_row.commit_run_id, "run:m");
  EXPECT_EQ(vacuum_row.retention_hours, 0);
  EXPECT_EQ(vacuum_row.log_retention_duration, "interval 30 days");
  EXPECT_EQ(vacuum_row.checkpoint_interval, 10);
  EXPECT_TRUE(vacuum_row.min_reader_version.has_value());
  auto metrics =
      serde::DecodeMsgpack<std::map<std::string, int64_t>>(vacuum_row.metrics_msgpack.data);
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->at("files_deleted"), 2);

  m.table_uri = (dir_ / "missing").string();
  EXPECT_FALSE(writer.Maintain(m).ok());
}

TEST_F(WritePipelineTest, OptimizeCompactsSmallAppendsAndIsRecorded) {
  WritePipeline writer(store_.get(), "test");
  WriteRequest req;
  req.dataset_name = "things";
  req.table_uri = (dir_ / "things").string();
  req.data = Rows();
  req.mode = "append";
  req.write_policy.partition_by = {"kind"};
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(writer.Write(req).ok());  // 3 small files per kind

  MaintenanceRequest m;
  m.dataset_name = "things";
  m.table_uri = req.table_uri;
  m.operation = MaintenanceOperation::kOptimize;
  m.order_by = {"id"};
  m.commit_metadata = {{"run_id", "run:o"}};
  auto optimized = writer.Maintain(m);
  ASSERT_TRUE(optimized.ok()) << optimized.status().ToString();
  EXPECT_EQ(optimized->delta_version, 3);
  EXPECT_EQ(optimized->metrics.at("partitions"), 2);
  EXPECT_EQ(optimized->metrics.at("files_removed"), 6);
  EXPECT_EQ(optimized->metrics.at("files_added"), 2);
  auto snapshot = delta::LoadSnapshot(req.table_uri).ValueOrDie();
  EXPECT_EQ(snapshot->files.size(), 2u);
  auto table = delta::ScanToTable(*snapshot).ValueOrDie();
  EXPECT_EQ(table->num_rows(), 12);  // every row of the three appends, once

  auto rows = artifacts::ReadArtifacts<artifacts::DeltaMaintenanceRow>(
      store_->TablePath("delta_maintenance_v2"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].operation, "OPTIMIZE");
  EXPECT_EQ((*rows)[0].delta_version, 3);
  EXPECT_EQ((*rows)[0].commit_run_id, "run:o");
}

}  // namespace
}  // namespace anatomy::engine
