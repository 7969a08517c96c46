#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include "anatomy/engine/session.h"

namespace anatomy::engine {
namespace {

std::shared_ptr<arrow::Table> Int64Table(int64_t rows, int chunks = 1) {
  std::vector<std::shared_ptr<arrow::Array>> pieces;
  int64_t next = 0;
  for (int c = 0; c < chunks; ++c) {
    arrow::Int64Builder b;
    const int64_t n = rows / chunks + (c == chunks - 1 ? rows % chunks : 0);
    for (int64_t i = 0; i < n; ++i) EXPECT_TRUE(b.Append(next++).ok());
    pieces.push_back(b.Finish().ValueOrDie());
  }
  auto schema = arrow::schema({arrow::field("id", arrow::int64(), false)});
  return arrow::Table::Make(schema,
                            {std::make_shared<arrow::ChunkedArray>(pieces, arrow::int64())});
}

// The data buffer addresses a table's column points into, per chunk.
std::set<const uint8_t*> BufferStarts(const arrow::Table& t) {
  std::set<const uint8_t*> out;
  for (const auto& chunk : t.column(0)->chunks()) out.insert(chunk->data()->buffers[1]->data());
  return out;
}

TEST(Ingest, TableWithBatchSizeSlicesWithoutCopying) {
  auto session = Session::Make().ValueOrDie();
  auto table = Int64Table(10);
  ASSERT_TRUE(session->Ingest("events", table, {.batch_size = 3}).ok());
  auto stored = session->Table("events").ValueOrDie();
  ASSERT_EQ(stored->batches.size(), 4u);  // 3+3+3+1
  EXPECT_EQ(stored->num_rows, 10);
  const auto* base = table->column(0)->chunk(0)->data()->buffers[1]->data();
  for (size_t i = 0; i < stored->batches.size(); ++i) {
    const auto& data = stored->batches[i]->column_data(0);
    EXPECT_LE(data->length, 3);
    // Same buffer, offset into it: a slice, not a copy.
    EXPECT_EQ(data->buffers[1]->data(), base);
    EXPECT_EQ(data->offset, static_cast<int64_t>(3 * i));
  }
  auto events = session->IngestEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "events");
  EXPECT_EQ(events[0].method, "arrow_table");
  EXPECT_EQ(events[0].partitioning, "batch_size");
  EXPECT_EQ(events[0].batch_size, 3);
  EXPECT_EQ(events[0].batch_count, 4);
  EXPECT_EQ(events[0].row_count, 10);
}

TEST(Ingest, BatchSizeZeroKeepsSourceChunks) {
  auto session = Session::Make().ValueOrDie();
  auto table = Int64Table(9, 3);
  ASSERT_TRUE(session->Ingest("t", table, {.batch_size = 0}).ok());
  auto stored = session->Table("t").ValueOrDie();
  ASSERT_EQ(stored->batches.size(), 3u);
  std::set<const uint8_t*> seen;
  for (const auto& b : stored->batches) seen.insert(b->column_data(0)->buffers[1]->data());
  EXPECT_EQ(seen, BufferStarts(*table));
  EXPECT_EQ(session->IngestEvents()[0].partitioning, "source_batches");
}

// Without a batch size of its own, an ingest partitions as the session's options say: the
// batch size its plans' settings record.
TEST(Ingest, DefaultBatchSizeIsTheSessions) {
  SessionOptions options;
  options.batch_size = 4;
  auto session = Session::Make(options).ValueOrDie();
  ASSERT_TRUE(session->Ingest("t", Int64Table(10)).ok());
  auto stored = session->Table("t").ValueOrDie();
  ASSERT_EQ(stored->batches.size(), 3u);
  EXPECT_EQ(stored->batches[0]->num_rows(), 4);
  EXPECT_EQ(stored->batches[2]->num_rows(), 2);
  const auto event = session->IngestEvents()[0];
  EXPECT_EQ(event.partitioning, "batch_size");
  EXPECT_EQ(event.batch_size, 4);
  EXPECT_EQ(event.batch_count, 3);
  // The default session's: 65,536 rows.
  auto by_default = Session::Make().ValueOrDie();
  ASSERT_TRUE(by_default->Ingest("t", Int64Table(70000)).ok());
  EXPECT_EQ(by_default->Table("t").ValueOrDie()->batches.size(), 2u);
  EXPECT_EQ(by_default->IngestEvents()[0].batch_size, 65536);
}

TEST(Ingest, BatchSizeOneAndLarge) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("one", Int64Table(5), {.batch_size = 1}).ok());
  ASSERT_TRUE(session->Ingest("large", Int64Table(5), {.batch_size = 1 << 20}).ok());
  EXPECT_EQ(session->Table("one").ValueOrDie()->batches.size(), 5u);
  EXPECT_EQ(session->Table("large").ValueOrDie()->batches.size(), 1u);
  auto events = session->IngestEvents();
  EXPECT_EQ(events[0].batch_count, 5);
  EXPECT_EQ(events[1].batch_count, 1);
  EXPECT_EQ(events[1].row_count, 5);
}

TEST(Ingest, RecordBatchReaderIsSlicedToo) {
  auto table = Int64Table(7, 2);  // batches of 3 and 4
  auto reader = std::make_shared<arrow::TableBatchReader>(table);
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session
                  ->Ingest("r", std::static_pointer_cast<arrow::RecordBatchReader>(reader),
                           {.batch_size = 2})
                  .ok());
  auto stored = session->Table("r").ValueOrDie();
  // 3 -> 2+1, 4 -> 2+2
  ASSERT_EQ(stored->batches.size(), 4u);
  auto starts = BufferStarts(*table);
  for (const auto& b : stored->batches) {
    EXPECT_EQ(starts.count(b->column_data(0)->buffers[1]->data()), 1u);
  }
  auto ev = session->IngestEvents()[0];
  EXPECT_EQ(ev.method, "record_batch_reader");
  EXPECT_EQ(ev.batch_count, 4);
  EXPECT_EQ(ev.row_count, 7);
}

TEST(Ingest, ZeroRowTableKeepsSchema) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("empty", Int64Table(0), {.batch_size = 4}).ok());
  auto stored = session->Table("empty").ValueOrDie();
  EXPECT_EQ(stored->batches.size(), 0u);
  EXPECT_EQ(stored->schema->num_fields(), 1);
  EXPECT_EQ(session->IngestEvents()[0].row_count, 0);
  EXPECT_EQ(session->IngestEvents()[0].batch_count, 0);
}

TEST(Ingest, NestedTypes) {
  auto type = arrow::struct_({arrow::field("names", arrow::list(arrow::utf8())),
                              arrow::field("props", arrow::map(arrow::utf8(), arrow::int64()))});
  auto array =
      arrow::json::ArrayFromJSONString(type, R"([{"names": ["a", "b"], "props": [["x", 1]]}, null,
                             {"names": [], "props": []}])")
          .ValueOrDie();
  auto table = arrow::Table::Make(arrow::schema({arrow::field("s", type)}), {array});
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("nested", table, {.batch_size = 2}).ok());
  auto stored = session->Table("nested").ValueOrDie();
  ASSERT_EQ(stored->batches.size(), 2u);
  auto back = arrow::Table::FromRecordBatches(stored->schema, stored->batches).ValueOrDie();
  EXPECT_TRUE(back->Equals(*table));
}

TEST(Ingest, ReplaceOnlyWhenAsked) {
  auto session = Session::Make().ValueOrDie();
  ASSERT_TRUE(session->Ingest("t", Int64Table(2)).ok());
  auto again = session->Ingest("t", Int64Table(3));
  EXPECT_TRUE(again.IsAlreadyExists());
  EXPECT_NE(again.message().find("'t'"), std::string::npos);
  ASSERT_TRUE(session->Ingest("t", Int64Table(3), {.replace = true}).ok());
  auto stored = session->Table("t").ValueOrDie();
  EXPECT_EQ(stored->num_rows, 3);
  EXPECT_EQ(stored->generation, 1);
  EXPECT_EQ(session->IngestEvents().size(), 2u);  // the refused ingest records nothing
}

TEST(Ingest, BadInputsAreClearErrors) {
  auto session = Session::Make().ValueOrDie();
  EXPECT_TRUE(session->Ingest("", Int64Table(1)).IsInvalid());
  EXPECT_TRUE(session->Ingest("n", std::shared_ptr<arrow::Table>()).IsInvalid());
  auto st = session->Ingest("n", Int64Table(1), {.batch_size = -1});
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_NE(st.message().find("batch_size"), std::string::npos);
  auto missing = session->Table("nope");
  EXPECT_TRUE(missing.status().IsKeyError());
}

// The single ingest surface: no public engine header may declare another function that takes
// Arrow data (Table, RecordBatch, RecordBatchReader, Array, ChunkedArray) into the session.
TEST(Ingest, NoSecondRegistrationPath) {
  const char* src = std::getenv("ANATOMY_SOURCE_DIR");
  if (src == nullptr) src = ANATOMY_SOURCE_DIR;
  const std::regex data_param(
      R"(\b(Register|Add|Put|Load|Attach|From)\w*\s*\([^;{]*(arrow::(Table|RecordBatch|RecordBatchReader|Array|ChunkedArray)\b|IngestSource))");
  std::vector<std::string> offenders;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(src) / "src/anatomy/engine")) {
    if (entry.path().extension() != ".h") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::sregex_iterator it(text.begin(), text.end(), data_param), end; it != end; ++it) {
      offenders.push_back(entry.path().filename().string() + ": " + it->str().substr(0, 80));
    }
  }
  EXPECT_TRUE(offenders.empty()) << "a second data registration path: " << offenders.front();
}

}  // namespace
}  // namespace anatomy::engine
