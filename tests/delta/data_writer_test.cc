// Per-file stats taken from the Parquet footer (row-group statistics the writer gathered while
// encoding) must equal the stats of a compute pass over the same rows (the footer-less path of
// ComputeStatsJson), across row groups, nulls, all-null row groups, long and non-ASCII strings.

#include "anatomy/delta/data_writer.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <arrow/util/compression.h>
#include <gtest/gtest.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "anatomy/core/hash.h"
#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

std::shared_ptr<arrow::Table> MixedRows(int64_t n) {
  arrow::Int64Builder id;
  arrow::Int32Builder small;
  arrow::DoubleBuilder x;
  arrow::StringBuilder s;
  arrow::Date32Builder d;
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_TRUE(id.Append((i * 7919) % n - n / 2).ok());
    // Row group 2 (rows 200..299) of `small` is all null.
    EXPECT_TRUE(
        (i >= 200 && i < 300 ? small.AppendNull() : small.Append(static_cast<int32_t>(i % 13) - 6))
            .ok());
    EXPECT_TRUE((i % 5 == 0 ? x.AppendNull() : x.Append(std::sin(static_cast<double>(i)))).ok());
    std::string v = i % 3 == 0 ? "é-" + std::to_string(i) : "k" + std::to_string(n - i);
    if (i == 17) v = std::string(100, 'z');  // longer than the 32-character stats prefix
    EXPECT_TRUE((i % 11 == 0 ? s.AppendNull() : s.Append(v)).ok());
    EXPECT_TRUE(d.Append(static_cast<int32_t>(19000 + i % 400)).ok());
  }
  auto schema =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("small", arrow::int32()),
                     arrow::field("x", arrow::float64()), arrow::field("s", arrow::utf8()),
                     arrow::field("d", arrow::date32())});
  return arrow::Table::Make(
      schema, {id.Finish().ValueOrDie(), small.Finish().ValueOrDie(), x.Finish().ValueOrDie(),
               s.Finish().ValueOrDie(), d.Finish().ValueOrDie()});
}

TEST(DataWriterTest, FooterStatsEqualComputedStats) {
  ASSERT_OK(EnsureComputeInitialized());
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir.str()));
  auto table = MixedRows(1000);
  DataWriteOptions o;
  o.row_group_rows = 100;
  ASSERT_OK_AND_ASSIGN(adds, WriteDataFiles(*storage, table, {}, o));
  ASSERT_EQ(adds.size(), 1u);
  std::vector<std::string> cols = {"id", "small", "x", "s", "d"};
  ASSERT_OK_AND_ASSIGN(want, ComputeStatsJson(*table, cols, o.string_prefix_length));
  ASSERT_TRUE(adds[0].stats);
  EXPECT_EQ(*adds[0].stats, want);
}

TEST(DataWriterTest, FloatBoundsSkipNullsAndAreLeftOutWithNaN) {
  ASSERT_OK(EnsureComputeInitialized());
  auto make = [](const std::vector<std::optional<double>>& v) {
    arrow::DoubleBuilder b;
    for (auto x : v) EXPECT_TRUE((x ? b.Append(*x) : b.AppendNull()).ok());
    return arrow::Table::Make(arrow::schema({arrow::field("x", arrow::float64())}),
                              {b.Finish().ValueOrDie()});
  };
  ASSERT_OK_AND_ASSIGN(plain, ComputeStatsJson(*make({2.5, std::nullopt, -1.0, 7.0}), {"x"}, 32));
  EXPECT_EQ(plain,
            R"({"numRecords":4,"minValues":{"x":-1.0},"maxValues":{"x":7.0},"nullCount":{"x":1}})");
  ASSERT_OK_AND_ASSIGN(nan, ComputeStatsJson(*make({2.5, std::nan(""), -1.0}), {"x"}, 32));
  EXPECT_EQ(nan, R"({"numRecords":3,"minValues":{},"maxValues":{},"nullCount":{"x":0}})");
  // Infinite bounds are not JSON numbers: left out, the other bound kept.
  ASSERT_OK_AND_ASSIGN(inf, ComputeStatsJson(*make({2.5, -INFINITY}), {"x"}, 32));
  EXPECT_EQ(inf, R"({"numRecords":2,"minValues":{},"maxValues":{"x":2.5},"nullCount":{"x":0}})");
}

// The table at `dir` holds `table`'s rows, in order.
void ExpectReadsBack(const std::string& dir, const arrow::Table& table) {
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir));
  ASSERT_OK_AND_ASSIGN(back, ScanToTable(*snap, ScanOptions{}));
  ASSERT_OK_AND_ASSIGN(combined, back->CombineChunks());
  ASSERT_OK_AND_ASSIGN(expected, table.CombineChunks());
  EXPECT_TRUE(combined->Equals(*expected)) << combined->ToString().substr(0, 2000);
}

TEST(DataWriterTest, UniqueAndRepeatedColumnsReadBackIdentically) {
  // Dictionary encoding is switched off for mostly-unique columns; contents must not change.
  ASSERT_OK(EnsureComputeInitialized());
  TempDir dir;
  auto table = MixedRows(5000);
  ASSERT_OK(WriteTable(dir.str(), table, WriteOptions{}).status());
  ExpectReadsBack(dir.str(), *table);
}

// Whether each column of the first row group of `dir`'s only data file has a dictionary page.
// A flag of each column chunk of the one data file's first row group, by Parquet path.
template <typename Flag>
std::map<std::string, bool> ColumnChunkFlags(const std::string& dir, Flag flag) {
  auto snap = LoadSnapshot(dir).ValueOrDie();
  EXPECT_EQ(snap->files.size(), 1u);
  auto in = arrow::io::ReadableFile::Open(dir + "/" + snap->files[0].path).ValueOrDie();
  auto reader = parquet::ParquetFileReader::Open(in);
  auto metadata = reader->metadata();  // the row group's metadata points into it
  auto row_group = metadata->RowGroup(0);
  std::map<std::string, bool> flags;
  for (int c = 0; c < row_group->num_columns(); ++c) {
    auto chunk = row_group->ColumnChunk(c);
    flags[chunk->path_in_schema()->ToDotString()] = flag(*chunk);
  }
  return flags;
}

std::map<std::string, bool> DictionaryColumns(const std::string& dir) {
  return ColumnChunkFlags(
      dir, [](const parquet::ColumnChunkMetaData& c) { return c.has_dictionary_page(); });
}

std::map<std::string, bool> StatisticsColumns(const std::string& dir) {
  return ColumnChunkFlags(dir,
                          [](const parquet::ColumnChunkMetaData& c) { return c.is_stats_set(); });
}

TEST(DataWriterTest, OnlyColumnsThatRepeatOftenKeepADictionary) {
  // An entity's id on its three property rows (adjacent repeats zstd finds by itself), and a
  // kind among four: only the kind is dictionary-encoded.
  ASSERT_OK(EnsureComputeInitialized());
  arrow::StringBuilder entity, kind;
  for (int row = 0; row < 6000; ++row) {
    ASSERT_OK(entity.Append("py_binding:" + std::to_string(int64_t{1000003} * (row / 3) % 999983)));
    ASSERT_OK(kind.Append(std::string("kind") + static_cast<char>('a' + row % 4)));
  }
  auto table = arrow::Table::Make(arrow::schema({arrow::field("entity_id", arrow::utf8()),
                                                 arrow::field("kind", arrow::utf8())}),
                                  {entity.Finish().ValueOrDie(), kind.Finish().ValueOrDie()});
  TempDir dir;
  ASSERT_OK(WriteTable(dir.str(), table, WriteOptions{}).status());
  auto dictionary = DictionaryColumns(dir.str());
  EXPECT_FALSE(dictionary.at("entity_id"));
  EXPECT_TRUE(dictionary.at("kind"));
  ExpectReadsBack(dir.str(), *table);
}

// One page of plain-encoded hex ids, some of them repeated (a column of edge destinations).
std::vector<uint8_t> IdPage() {
  std::vector<uint8_t> page;
  for (int row = 0; row < 20000; ++row) {
    std::string id = core::StableId("py_binding", {std::to_string(row % 3 ? row : row % 97)});
    const auto n = static_cast<uint32_t>(id.size());
    page.insert(page.end(), reinterpret_cast<const uint8_t*>(&n),
                reinterpret_cast<const uint8_t*>(&n) + 4);
    page.insert(page.end(), id.begin(), id.end());
  }
  return page;
}

std::vector<uint8_t> Compressed(const arrow::util::CodecOptions& options,
                                const std::vector<uint8_t>& page) {
  auto codec = arrow::util::Codec::Create(arrow::Compression::ZSTD, options).ValueOrDie();
  std::vector<uint8_t> out(codec->MaxCompressedLen(static_cast<int64_t>(page.size()), nullptr));
  auto n = codec->Compress(static_cast<int64_t>(page.size()), page.data(),
                           static_cast<int64_t>(out.size()), out.data());
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  out.resize(static_cast<size_t>(n.ValueOr(0)));
  return out;
}

TEST(DataWriterTest, StringPageOptionsWriteFramesAnyZstdReads) {
  // The options for string pages are the compressor's alone: a decompressor with none reads
  // their frames, and the pages stay about as small as level 1 makes them.
  const auto page = IdPage();
  const auto tuned = Compressed(*StringPageCodecOptions(1), page);
  const auto level1 = Compressed(arrow::util::CodecOptions(1), page);
  auto plain = arrow::util::Codec::Create(arrow::Compression::ZSTD).ValueOrDie();
  std::vector<uint8_t> back(page.size());
  auto n = plain->Decompress(static_cast<int64_t>(tuned.size()), tuned.data(),
                             static_cast<int64_t>(back.size()), back.data());
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, static_cast<int64_t>(page.size()));
  EXPECT_EQ(back, page);
  EXPECT_LT(tuned.size(), level1.size() * 21 / 20);
  // A level the caller chose is left as it is.
  EXPECT_EQ(Compressed(*StringPageCodecOptions(5), page),
            Compressed(arrow::util::CodecOptions(5), page));
  EXPECT_NE(tuned, level1);
}

// Rows of a list column as long as `lengths` say (a node's edges: one, or thousands).
std::shared_ptr<arrow::Table> ListRows(const std::vector<int>& lengths) {
  arrow::StringBuilder key;
  arrow::ListBuilder list(arrow::default_memory_pool(), std::make_shared<arrow::StringBuilder>());
  auto* values = static_cast<arrow::StringBuilder*>(list.value_builder());
  for (size_t i = 0; i < lengths.size(); ++i) {
    EXPECT_TRUE(key.Append("k" + std::to_string(100000 + i)).ok());
    EXPECT_TRUE(list.Append().ok());
    for (int k = 0; k < lengths[i]; ++k)
      EXPECT_TRUE(values->Append("edge:" + std::to_string(i * 7919 + k * 104729)).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("key", arrow::utf8()), arrow::field("items", arrow::list(arrow::utf8()))});
  return arrow::Table::Make(schema, {key.Finish().ValueOrDie(), list.Finish().ValueOrDie()});
}

TEST(DataWriterTest, FilesOfRowsWithListsAreCutBySizeNotRowCount) {
  ASSERT_OK(EnsureComputeInitialized());
  // Mostly short lists, with a few of thousands of elements among them.
  std::vector<int> lengths;
  for (int i = 0; i < 4000; ++i) lengths.push_back(i % 500 == 7 ? 6000 : 1 + i % 9);
  auto table = ListRows(lengths);
  TempDir dir;
  WriteOptions o;
  o.files.target_file_size = 32 << 10;
  o.files.row_group_rows = 2048;  // a row count that alone would make files far over the target
  ASSERT_OK(WriteTable(dir.str(), table, o).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir.str()));
  int64_t largest = 0;
  for (const auto& f : snap->files) largest = std::max(largest, f.size);
  // A row of 6,000 elements alone exceeds the target; no file holds much more than that.
  EXPECT_GT(snap->files.size(), 8u);
  EXPECT_LT(largest, 4 * o.files.target_file_size) << snap->files.size() << " files";
  // Each add's size is what the file holds on disk (the writer's stream is buffered).
  for (const auto& f : snap->files)
    EXPECT_EQ(f.size, static_cast<int64_t>(std::filesystem::file_size(dir.path() / f.path)))
        << f.path;
  // The same rows come back.
  ASSERT_OK_AND_ASSIGN(back, ScanToTable(*snap, ScanOptions{}));
  ASSERT_OK_AND_ASSIGN(order, arrow::compute::SortIndices(
                                  arrow::Datum(back),
                                  arrow::compute::SortOptions({arrow::compute::SortKey("key")})));
  ASSERT_OK_AND_ASSIGN(sorted, arrow::compute::Take(arrow::Datum(back), order));
  ASSERT_OK_AND_ASSIGN(combined, sorted.table()->CombineChunks());
  ASSERT_OK_AND_ASSIGN(expected, table->CombineChunks());
  EXPECT_TRUE(combined->Equals(*expected));
}

// A nested output's lists of structs: `id` is unique per element, `kind` repeats.
std::shared_ptr<arrow::Table> EdgeLists() {
  auto id_type =
      arrow::struct_({arrow::field("id", arrow::utf8()), arrow::field("kind", arrow::utf8())});
  arrow::StringBuilder key;
  arrow::ListBuilder list(
      arrow::default_memory_pool(),
      std::make_shared<arrow::StructBuilder>(
          id_type, arrow::default_memory_pool(),
          std::vector<std::shared_ptr<arrow::ArrayBuilder>>{
              std::make_shared<arrow::StringBuilder>(), std::make_shared<arrow::StringBuilder>()}));
  auto* element = static_cast<arrow::StructBuilder*>(list.value_builder());
  auto* id = static_cast<arrow::StringBuilder*>(element->field_builder(0));
  auto* kind = static_cast<arrow::StringBuilder*>(element->field_builder(1));
  for (int row = 0; row < 500; ++row) {
    EXPECT_TRUE(key.Append("node:" + std::to_string(row)).ok());
    EXPECT_TRUE(list.Append().ok());
    for (int k = 0; k < 1 + row % 7; ++k) {
      EXPECT_TRUE(element->Append().ok());
      EXPECT_TRUE(id->Append("edge:" + std::to_string(row) + ":" + std::to_string(k)).ok());
      EXPECT_TRUE(kind->Append(k % 2 ? "PY_CALLS" : "PY_READS").ok());
    }
  }
  auto schema = arrow::schema(
      {arrow::field("key", arrow::utf8()), arrow::field("edges", arrow::list(id_type))});
  return arrow::Table::Make(schema, {key.Finish().ValueOrDie(), list.Finish().ValueOrDie()});
}

TEST(DataWriterTest, UniqueFieldsOfListElementsAreWrittenWithoutADictionary) {
  ASSERT_OK(EnsureComputeInitialized());
  auto table = EdgeLists();
  TempDir dir;
  ASSERT_OK(WriteTable(dir.str(), table, WriteOptions{}).status());
  auto dictionary = DictionaryColumns(dir.str());
  EXPECT_FALSE(dictionary.at("edges.list.element.id"));
  EXPECT_TRUE(dictionary.at("edges.list.element.kind"));
  ExpectReadsBack(dir.str(), *table);
}

TEST(DataWriterTest, ValuesInsideListsCarryNoParquetStatistics) {
  // Delta statistics cover top-level columns, and readers do not prune on list elements: the
  // writer leaves their min/max out, and keeps them (and the Delta stats) for the others.
  ASSERT_OK(EnsureComputeInitialized());
  for (const auto& table : {EdgeLists(), ListRows({1, 3, 2, 5, 1})}) {
    TempDir dir;
    ASSERT_OK(WriteTable(dir.str(), table, WriteOptions{}).status());
    for (const auto& [path, has_statistics] : StatisticsColumns(dir.str())) {
      EXPECT_EQ(has_statistics, path.find(".list.element") == std::string::npos) << path;
    }
    ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir.str()));
    ASSERT_EQ(snap->files.size(), 1u);
    auto stats = nlohmann::json::parse(*snap->files[0].stats);
    EXPECT_EQ(stats["numRecords"], table->num_rows());
    EXPECT_TRUE(stats["minValues"].contains("key")) << stats.dump();
    ExpectReadsBack(dir.str(), *table);
  }
}

}  // namespace
}  // namespace anatomy::delta
