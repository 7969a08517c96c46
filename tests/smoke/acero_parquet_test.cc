// The Arrow dependency works end to end: an Acero plan runs, and a zstd Parquet file with
// statistics is written and read back.
#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/api.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/statistics.h>

#include <filesystem>

namespace {

namespace ac = arrow::acero;
namespace cp = arrow::compute;

std::shared_ptr<arrow::Table> MakeEvents() {
  arrow::Int64Builder ids;
  arrow::StringBuilder kinds;
  for (int64_t i = 0; i < 10; ++i) {
    EXPECT_TRUE(ids.Append(i).ok());
    EXPECT_TRUE(kinds.Append(i % 2 == 0 ? "even" : "odd").ok());
  }
  auto schema =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("kind", arrow::utf8())});
  return arrow::Table::Make(schema, {ids.Finish().ValueOrDie(), kinds.Finish().ValueOrDie()});
}

TEST(Acero, FilterThenAggregate) {
  ASSERT_TRUE(cp::Initialize().ok());
  auto table = MakeEvents();
  ac::Declaration plan = ac::Declaration::Sequence({
      {"table_source", ac::TableSourceNodeOptions(table)},
      {"filter", ac::FilterNodeOptions(cp::greater(cp::field_ref("id"), cp::literal(int64_t{3})))},
      {"aggregate",
       ac::AggregateNodeOptions(
           {{"hash_sum", nullptr, "id", "sum_id"}, {"hash_count", nullptr, "id", "n"}}, {"kind"})},
      {"order_by", ac::OrderByNodeOptions(cp::Ordering({cp::SortKey("kind")}))},
  });
  auto result = ac::DeclarationToTable(std::move(plan));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  auto out = result.ValueOrDie()->CombineChunks().ValueOrDie();
  ASSERT_EQ(out->num_rows(), 2);
  auto kind = std::static_pointer_cast<arrow::StringArray>(out->GetColumnByName("kind")->chunk(0));
  auto sum = std::static_pointer_cast<arrow::Int64Array>(out->GetColumnByName("sum_id")->chunk(0));
  auto n = std::static_pointer_cast<arrow::Int64Array>(out->GetColumnByName("n")->chunk(0));
  // ids 4..9: even 4+6+8, odd 5+7+9.
  EXPECT_EQ(kind->GetString(0), "even");
  EXPECT_EQ(sum->Value(0), 18);
  EXPECT_EQ(n->Value(0), 3);
  EXPECT_EQ(kind->GetString(1), "odd");
  EXPECT_EQ(sum->Value(1), 21);
}

TEST(Parquet, ZstdWithStatisticsRoundTrip) {
  auto table = MakeEvents();
  auto path = std::filesystem::temp_directory_path() / "anatomy_smoke_zstd.parquet";
  {
    auto sink = arrow::io::FileOutputStream::Open(path.string()).ValueOrDie();
    auto props = parquet::WriterProperties::Builder()
                     .compression(arrow::Compression::ZSTD)
                     ->enable_statistics()
                     ->build();
    ASSERT_TRUE(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 4, props).ok());
    ASSERT_TRUE(sink->Close().ok());
  }
  auto file = arrow::io::ReadableFile::Open(path.string()).ValueOrDie();
  auto reader = parquet::ParquetFileReader::Open(file);
  auto meta = reader->metadata();
  ASSERT_EQ(meta->num_row_groups(), 3);  // 10 rows, 4 per group
  auto chunk = meta->RowGroup(0)->ColumnChunk(0);
  EXPECT_EQ(chunk->compression(), arrow::Compression::ZSTD);
  ASSERT_TRUE(chunk->is_stats_set());
  auto stats = std::static_pointer_cast<parquet::Int64Statistics>(chunk->statistics());
  EXPECT_EQ(stats->min(), 0);
  EXPECT_EQ(stats->max(), 3);

  std::unique_ptr<parquet::arrow::FileReader> arrow_reader;
  auto opened = parquet::arrow::OpenFile(arrow::io::ReadableFile::Open(path.string()).ValueOrDie(),
                                         arrow::default_memory_pool());
  ASSERT_TRUE(opened.ok());
  arrow_reader = std::move(opened).ValueOrDie();
  auto back = arrow_reader->ReadTable();
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(back.ValueOrDie()->Equals(*table));
  std::filesystem::remove(path);
}

}  // namespace
