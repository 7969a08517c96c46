#include <arrow/api.h>
#include <arrow/compute/initialize.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "anatomy/delta/write.h"
#include "anatomy/engine/execute.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/plan_bundle.h"
#include "anatomy/engine/session.h"
#include "support/temp_dir.h"

namespace anatomy::engine {
namespace {

namespace fs = std::filesystem;

std::shared_ptr<arrow::Table> Letters(const std::vector<std::string>& letters, int64_t first_id) {
  arrow::StringBuilder l;
  arrow::Int64Builder id;
  for (size_t i = 0; i < letters.size(); ++i) {
    EXPECT_TRUE(l.Append(letters[i]).ok());
    EXPECT_TRUE(id.Append(first_id + static_cast<int64_t>(i)).ok());
  }
  auto schema =
      arrow::schema({arrow::field("letter", arrow::utf8()), arrow::field("id", arrow::int64())});
  return arrow::Table::Make(schema, {l.Finish().ValueOrDie(), id.Finish().ValueOrDie()});
}

class DeltaScanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(arrow::compute::Initialize().ok());
    delta::WriteOptions options;
    options.partition_columns = {"letter"};
    ASSERT_TRUE(delta::WriteTable(dir_.string(), Letters({"a", "a", "b"}, 0), options).ok());  // v0
    options.mode = delta::WriteMode::kAppend;
    ASSERT_TRUE(delta::WriteTable(dir_.string(), Letters({"c", "b"}, 10), options).ok());  // v1
  }

  test_support::TempDir tmp_{"anatomy_delta_scan_"};
  const fs::path dir_ = tmp_.path();
};

TEST_F(DeltaScanTest, PrunesPartitionsAndRecordsTheScanUnit) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(
      session->RegisterDeltaSource("letters", {dir_.string(), std::nullopt, std::nullopt, {}})
          .ok());
  auto filters = delta::ParseFilter("letter = 'b'").ValueOrDie();
  auto plan = PlanBuilder::ScanDelta(*session, "letters", {"id", "letter"}, filters).Build();
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto result = Execute(*plan);
  ASSERT_EQ(result.status, "ok") << result.error;
  EXPECT_EQ(result.output_rows, 2);  // ids 2 and 11

  auto bundle = CompilePlan(*session, "b_rows", *plan);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  ASSERT_EQ(bundle->scan_units.size(), 1u);
  const auto& unit = bundle->scan_units[0];
  EXPECT_EQ(unit.dataset_name, "letters");
  EXPECT_EQ(unit.delta_version, 1);
  EXPECT_EQ(unit.total_files, 4);  // a, b (v0), c, b (v1)
  EXPECT_EQ(unit.candidate_file_count, 2);
  EXPECT_EQ(unit.pruned_file_count, 2);
  EXPECT_EQ(unit.candidate_files.size(), 2u);
  EXPECT_EQ(unit.key.rfind("scan::letters::latest::", 0), 0u) << unit.key;
  ASSERT_EQ(bundle->delta_inputs.size(), 1u);
  EXPECT_EQ(bundle->delta_inputs[0].version, 1);
  auto rows = ScanPlanArtifacts(*bundle);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].pruned_files, 2);
  EXPECT_EQ(rows[0].table_uri, dir_.string());
}

TEST_F(DeltaScanTest, AVersionPinIsAnotherInput) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(
      session->RegisterDeltaSource("latest", {dir_.string(), std::nullopt, std::nullopt, {}}).ok());
  ASSERT_TRUE(session->RegisterDeltaSource("v0", {dir_.string(), 0, std::nullopt, {}}).ok());
  auto count = [&](const std::string& name) {
    auto plan = PlanBuilder::ScanDelta(*session, name).Build().ValueOrDie();
    return Execute(plan).output_rows;
  };
  EXPECT_EQ(count("latest"), 5);
  EXPECT_EQ(count("v0"), 3);
  auto b0 = CompilePlan(*session, "x", PlanBuilder::ScanDelta(*session, "v0").Build().ValueOrDie())
                .ValueOrDie();
  EXPECT_EQ(b0.scan_units[0].key.rfind("scan::v0::0::", 0), 0u);
  EXPECT_EQ(b0.delta_inputs[0].version, 0);
}

TEST_F(DeltaScanTest, UnsupportedProtocolFailsPlanningWithTheReport) {
  // A table that needs a reader feature nobody implements.
  const fs::path t = dir_ / "future";
  fs::create_directories(t / "_delta_log");
  std::ofstream(t / "_delta_log" / "00000000000000000000.json")
      << R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["fancyFeature"],"writerFeatures":["fancyFeature"]}})"
      << "\n"
      << R"({"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{},"createdTime":1}})"
      << "\n";
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(
      session->RegisterDeltaSource("future", {t.string(), std::nullopt, std::nullopt, {}}).ok());
  auto plan = PlanBuilder::ScanDelta(*session, "future").Build();
  ASSERT_FALSE(plan.ok());
  EXPECT_TRUE(plan.status().IsNotImplemented());
  const std::string msg = plan.status().message();
  EXPECT_NE(msg.find("\"missing_reader_features\":[\"fancyFeature\"]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"compatible\":false"), std::string::npos) << msg;
}

TEST_F(DeltaScanTest, NamesAreUniqueAcrossIngestAndDeltaSources) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(
      session->RegisterDeltaSource("t", {dir_.string(), std::nullopt, std::nullopt, {}}).ok());
  EXPECT_TRUE(session->Ingest("t", Letters({"a"}, 0)).IsAlreadyExists());
  EXPECT_TRUE(
      session->RegisterDeltaSource("t", {dir_.string(), 0, std::nullopt, {}}).IsAlreadyExists());
  EXPECT_TRUE(session->RegisterDeltaSource("p", {dir_.string(), 0, 5, {}}).IsInvalid());
}

}  // namespace
}  // namespace anatomy::engine
