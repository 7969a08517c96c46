#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/memory.h>
#include <arrow/ipc/api.h>
#include <gtest/gtest.h>

#include "anatomy/serde/api.h"
#include "test_types.h"

namespace anatomy::serde::testing {
namespace {

TEST(ArrowSchema, TypesNullabilityAndMetadata) {
  auto schema = ArrowSchemaOf<Row>();
  auto field = [&](const char* name) { return schema->GetFieldByName(name); };
  EXPECT_EQ(field("id")->type()->ToString(), "int64");
  EXPECT_FALSE(field("id")->nullable());
  EXPECT_TRUE(field("label")->nullable());
  EXPECT_EQ(field("tags")->type()->ToString(), "list<item: string not null>");
  EXPECT_FALSE(field("tags")->nullable());
  EXPECT_TRUE(field("scores")->nullable());
  const auto& props = static_cast<const arrow::MapType&>(*field("props")->type());
  EXPECT_EQ(props.key_type()->id(), arrow::Type::STRING);
  EXPECT_FALSE(props.item_field()->nullable());
  const auto& opt_props = static_cast<const arrow::MapType&>(*field("opt_props")->type());
  EXPECT_EQ(opt_props.item_type()->id(), arrow::Type::INT64);
  EXPECT_TRUE(opt_props.item_field()->nullable());
  EXPECT_EQ(field("inner")->type()->ToString(),
            "struct<delta_version: int64 not null, note: string>");
  EXPECT_TRUE(field("opt_inner")->nullable());
  EXPECT_EQ(field("mode")->type()->id(), arrow::Type::STRING);
  EXPECT_EQ(field("payload")->type()->id(), arrow::Type::BINARY);
  EXPECT_EQ(field("ratio")->type()->id(), arrow::Type::DOUBLE);
  EXPECT_EQ(field("ok")->type()->id(), arrow::Type::BOOL);
  ASSERT_NE(schema->metadata(), nullptr);
  EXPECT_EQ(schema->metadata()->Get("anatomy.schema_name").ValueOr(""), "test_rows_v3");
  EXPECT_EQ(schema->metadata()->Get("anatomy.schema_version").ValueOr(""), "3");
}

std::vector<Row> SampleRows() {
  std::vector<Row> rows;
  rows.push_back(SampleValue<Row>());
  rows.push_back(Row{.id = 2});  // every nullable null, every list/map empty
  Row r3 = SampleValue<Row>("r", 3);
  r3.opt_props = std::map<std::string, std::optional<int64_t>>{{"a", std::nullopt}, {"b", 5}};
  r3.opt_inner = Inner{.delta_version = 9};
  r3.scores = std::vector<int32_t>{};
  rows.push_back(r3);
  return rows;
}

TEST(ArrowRecordBatch, RoundTripWithNullsListsMapsStructs) {
  auto rows = SampleRows();
  auto batch = ToRecordBatch(rows);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_TRUE((*batch)->ValidateFull().ok());
  EXPECT_EQ((*batch)->num_rows(), 3);
  EXPECT_TRUE((*batch)->schema()->Equals(*ArrowSchemaOf<Row>(), /*check_metadata=*/true));
  EXPECT_TRUE((*batch)->GetColumnByName("label")->IsNull(1));
  EXPECT_FALSE((*batch)->GetColumnByName("scores")->IsNull(2));  // empty, not null
  auto back = FromRecordBatch<Row>(**batch);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, rows);
}

TEST(ArrowRecordBatch, SurvivesIpcAndSlicing) {
  // Through Arrow IPC (what another process would hand us), then a slice with an offset.
  auto batch = *ToRecordBatch(SampleRows());
  auto sink = *arrow::io::BufferOutputStream::Create();
  auto writer = *arrow::ipc::MakeStreamWriter(sink, batch->schema());
  ASSERT_TRUE(writer->WriteRecordBatch(*batch).ok());
  ASSERT_TRUE(writer->Close().ok());
  auto buffer = *sink->Finish();
  auto reader =
      *arrow::ipc::RecordBatchStreamReader::Open(std::make_shared<arrow::io::BufferReader>(buffer));
  std::shared_ptr<arrow::RecordBatch> read;
  ASSERT_TRUE(reader->ReadNext(&read).ok());
  auto sliced = read->Slice(1, 2);
  auto back = FromRecordBatch<Row>(*sliced);
  ASSERT_TRUE(back.ok()) << back.status();
  auto rows = SampleRows();
  EXPECT_EQ(*back, std::vector<Row>(rows.begin() + 1, rows.end()));
}

TEST(ArrowRecordBatch, MismatchesAreErrors) {
  auto batch = *ToRecordBatch(SampleRows());
  auto no_id = *batch->RemoveColumn(0);
  EXPECT_EQ(FromRecordBatch<Row>(*no_id).status().message(),
            "record batch has no column 'id' of test_rows_v3");
  // A null in a NOT NULL column names the row and column.
  auto ids = std::static_pointer_cast<arrow::Int64Array>(batch->column(0));
  arrow::Int64Builder b;
  ASSERT_TRUE(b.Append(1).ok());
  ASSERT_TRUE(b.AppendNull().ok());
  ASSERT_TRUE(b.Append(3).ok());
  auto with_null = *batch->SetColumn(0, batch->schema()->field(0)->WithNullable(true), *b.Finish());
  EXPECT_EQ(FromRecordBatch<Row>(*with_null).status().message(),
            "$[1].id: unexpected null in a NOT NULL field");
  auto wrong = *batch->SetColumn(0, arrow::field("id", arrow::utf8()),
                                 *arrow::MakeArrayOfNull(arrow::utf8(), 3));
  EXPECT_EQ(FromRecordBatch<Row>(*wrong).status().message(),
            "column 'id': expected int64, got string");
}

TEST(ArrowRecordBatch, ReadsLargeAndDictionaryVariants) {
  // Other readers (delta-rs, pyarrow) hand back large_string / large_list / dictionary columns.
  arrow::LargeStringBuilder label;
  ASSERT_TRUE(label.Append("x").ok());
  ASSERT_TRUE(label.AppendNull().ok());
  arrow::StringDictionaryBuilder mode;
  ASSERT_TRUE(mode.Append("auto").ok());
  ASSERT_TRUE(mode.Append("off").ok());
  auto batch = *ToRecordBatch(std::vector<Row>{Row{.id = 1}, Row{.id = 2}});
  batch = *batch->SetColumn(1, arrow::field("label", arrow::large_utf8()), *label.Finish());
  auto modes = *mode.Finish();
  batch = *batch->SetColumn(9, arrow::field("mode", modes->type()), modes);
  auto tags = *arrow::compute::Cast(*batch->GetColumnByName("tags"),
                                    arrow::large_list(arrow::field("element", arrow::utf8())));
  batch = *batch->SetColumn(2, arrow::field("tags", tags->type()), tags);
  auto rows = FromRecordBatch<Row>(*batch);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ((*rows)[0].label, "x");
  EXPECT_EQ((*rows)[1].label, std::nullopt);
  EXPECT_EQ((*rows)[0].mode, Mode::kAuto);
  EXPECT_EQ((*rows)[1].mode, Mode::kOff);
}

}  // namespace
}  // namespace anatomy::serde::testing
