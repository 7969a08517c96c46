// Writes to column-mapped tables (name and id modes): data files use physical names and field
// ids, partition values and stats are keyed by physical names, schema merge assigns fresh ids,
// and the rows read back are the rows written.

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::CanonicalRows;
using testing::TempDir;

std::shared_ptr<arrow::Table> Rows(int64_t offset, int64_t n) {
  arrow::StringBuilder pb;
  arrow::Int64Builder nb;
  arrow::Int32Builder xb;
  arrow::StringBuilder yb;
  for (int64_t i = 0; i < n; ++i) {
    EXPECT_TRUE(pb.Append(i % 2 ? "odd" : "even").ok());
    EXPECT_TRUE(nb.Append(offset + i).ok());
    EXPECT_TRUE(xb.Append(static_cast<int32_t>(i * 10)).ok());
    EXPECT_TRUE(yb.Append("y" + std::to_string(i)).ok());
  }
  auto x = xb.Finish().ValueOrDie();
  auto y = yb.Finish().ValueOrDie();
  auto s = arrow::StructArray::Make(
               {x, y}, {arrow::field("x", arrow::int32()), arrow::field("y", arrow::utf8())})
               .ValueOrDie();
  auto schema = arrow::schema({arrow::field("p", arrow::utf8()),
                               arrow::field("n b", arrow::int64()), arrow::field("s", s->type())});
  return arrow::Table::Make(schema, {pb.Finish().ValueOrDie(), nb.Finish().ValueOrDie(), s});
}

std::shared_ptr<arrow::Array> Strs(const std::vector<std::string>& v) {
  arrow::StringBuilder b;
  EXPECT_TRUE(b.AppendValues(v).ok());
  return b.Finish().ValueOrDie();
}

std::shared_ptr<arrow::Schema> ParquetSchema(const std::filesystem::path& file) {
  auto in = arrow::io::ReadableFile::Open(file.string()).ValueOrDie();
  auto reader = parquet::arrow::OpenFile(in, arrow::default_memory_pool()).ValueOrDie();
  std::shared_ptr<arrow::Schema> schema;
  EXPECT_TRUE(reader->GetSchema(&schema).ok());
  return schema;
}

std::string FieldId(const arrow::Field& f) {
  return f.metadata() ? f.metadata()->Get("PARQUET:field_id").ValueOr("") : "";
}

class ColumnMappingTest : public ::testing::TestWithParam<std::string> {
 protected:
  WriteOptions Create() const {
    WriteOptions o;
    o.partition_columns = {"p"};
    o.properties["delta.columnMapping.mode"] = GetParam();
    return o;
  }
  TempDir dir_;
};

TEST_P(ColumnMappingTest, CreateWritesPhysicalLayout) {
  auto data = Rows(0, 6);
  ASSERT_OK_AND_ASSIGN(r, WriteTable(dir_.str(), data, Create()));
  EXPECT_EQ(r.version, 0);
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  ASSERT_TRUE(snap->protocol.reader_features);
  EXPECT_TRUE(HasReaderFeature(snap->protocol, "columnMapping"));
  EXPECT_TRUE(HasWriterFeature(snap->protocol, "columnMapping"));
  EXPECT_EQ(snap->Property("delta.columnMapping.mode"), GetParam());
  // p, "n b", s, s.x, s.y: five ids, 1..5.
  EXPECT_EQ(snap->Property("delta.columnMapping.maxColumnId"), "5");
  std::set<int64_t> ids;
  std::set<std::string> names;
  for (const auto& f : snap->schema.fields) {
    ASSERT_TRUE(f.mapping_id && f.physical_name) << f.name;
    ids.insert(*f.mapping_id);
    names.insert(*f.physical_name);
    EXPECT_NE(*f.physical_name, f.name);
  }
  const StructField* s = snap->schema.FindField("s");
  for (const auto& f : s->type->fields) {
    ASSERT_TRUE(f.mapping_id && f.physical_name) << f.name;
    ids.insert(*f.mapping_id);
  }
  EXPECT_EQ(ids, (std::set<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(names.size(), 3u);

  const std::string p_phys = *snap->schema.FindField("p")->physical_name;
  const std::string n_phys = *snap->schema.FindField("n b")->physical_name;
  ASSERT_EQ(snap->files.size(), 2u);  // one per partition value
  for (const auto& add : snap->files) {
    ASSERT_EQ(add.partition_values.size(), 1u);
    EXPECT_TRUE(add.partition_values.count(p_phys)) << add.path;
    ASSERT_TRUE(add.stats);
    auto stats = nlohmann::json::parse(*add.stats);
    EXPECT_TRUE(stats["minValues"].contains(n_phys)) << *add.stats;
    EXPECT_FALSE(stats["minValues"].contains("n b")) << *add.stats;
    auto file = ParquetSchema(dir_.path() / UriDecode(add.path).ValueOrDie());
    ASSERT_EQ(file->num_fields(), 2) << file->ToString();  // the partition column is not stored
    EXPECT_EQ(file->field(0)->name(), n_phys);
    EXPECT_EQ(FieldId(*file->field(0)), std::to_string(*snap->schema.FindField("n b")->mapping_id));
    EXPECT_EQ(file->field(1)->name(), *s->physical_name);
    const auto& inner = file->field(1)->type()->fields();
    ASSERT_EQ(inner.size(), 2u);
    EXPECT_EQ(inner[0]->name(), *s->type->fields[0].physical_name);
    EXPECT_EQ(FieldId(*inner[1]), std::to_string(*s->type->fields[1].mapping_id));
  }
  ASSERT_OK_AND_ASSIGN(back, ScanToTable(*snap));
  EXPECT_EQ(back->schema()->field(1)->name(), "n b");
  EXPECT_EQ(CanonicalRows(*back), CanonicalRows(*data));
  // Pruning reads the stats by physical name: only the file holding n = 5 stays.
  ASSERT_OK_AND_ASSIGN(pruned, PruneFiles(*snap, ParseFilter("\"n b\" = 5").ValueOrDie()));
  EXPECT_EQ(pruned.candidate_files, 1);
}

TEST_P(ColumnMappingTest, AppendMergeAndDelete) {
  ASSERT_OK(WriteTable(dir_.str(), Rows(0, 4), Create()).status());
  ASSERT_OK(WriteTable(dir_.str(), Rows(100, 2)).status());
  // Schema merge: a new column gets id 6 and a fresh physical name.
  auto extra = Rows(200, 2);
  auto z = Strs({"z0", "z1"});
  extra =
      extra
          ->AddColumn(3, arrow::field("z", arrow::utf8()), std::make_shared<arrow::ChunkedArray>(z))
          .ValueOrDie();
  WriteOptions merge;
  merge.schema_mode = SchemaMode::kMerge;
  ASSERT_OK(WriteTable(dir_.str(), extra, merge).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  const StructField* zf = snap->schema.FindField("z");
  ASSERT_TRUE(zf && zf->mapping_id && zf->physical_name);
  EXPECT_EQ(*zf->mapping_id, 6);
  EXPECT_EQ(snap->Property("delta.columnMapping.maxColumnId"), "6");
  EXPECT_EQ(*snap->schema.FindField("n b")->mapping_id, 2);  // existing columns keep theirs
  ASSERT_OK_AND_ASSIGN(all, ScanToTable(*snap));
  EXPECT_EQ(all->num_rows(), 8);
  // Row-level delete rewrites the files holding n in {1, 201}, in physical layout again.
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir_.str()));
  ASSERT_OK(DeleteWhere(storage, ParseFilter("\"n b\" IN (1, 201)").ValueOrDie()).status());
  ASSERT_OK_AND_ASSIGN(after, LoadSnapshot(dir_.str()));
  ScanOptions so;
  so.columns = {"n b", "z"};
  ASSERT_OK_AND_ASSIGN(rows, ScanToTable(*after, so));
  std::vector<std::string> expected = {"0|null|", "100|null|", "101|null|",
                                       "200|z0|", "2|null|",   "3|null|"};
  EXPECT_EQ(CanonicalRows(*rows), expected);
  // A partition delete matches the partition values by physical name.
  ASSERT_OK_AND_ASSIGN(del, DeleteWhere(storage, ParseFilter("p = 'odd'").ValueOrDie()));
  EXPECT_GT(del.files_removed, 0);
  ASSERT_OK_AND_ASSIGN(last, LoadSnapshot(dir_.str()));
  ASSERT_OK_AND_ASSIGN(even, ScanToTable(*last, so));
  EXPECT_EQ(even->num_rows(), 4);
}

TEST_P(ColumnMappingTest, SchemaOverwriteKeepsMappingOfKeptColumns) {
  ASSERT_OK(WriteTable(dir_.str(), Rows(0, 4), Create()).status());
  ASSERT_OK_AND_ASSIGN(before, LoadSnapshot(dir_.str()));
  auto data = Rows(0, 2)->RemoveColumn(2).ValueOrDie();  // drop s
  WriteOptions o;
  o.mode = WriteMode::kOverwrite;
  o.schema_mode = SchemaMode::kOverwrite;
  ASSERT_OK(WriteTable(dir_.str(), data, o).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir_.str()));
  EXPECT_EQ(*snap->schema.FindField("n b")->physical_name,
            *before->schema.FindField("n b")->physical_name);
  EXPECT_EQ(snap->Property("delta.columnMapping.maxColumnId"), "5");  // never decreases
  ASSERT_OK_AND_ASSIGN(rows, ScanToTable(*snap));
  EXPECT_EQ(CanonicalRows(*rows), CanonicalRows(*data));
}

INSTANTIATE_TEST_SUITE_P(Modes, ColumnMappingTest, ::testing::Values("name", "id"));

TEST(ColumnMappingWrite, RefusesModeChangeAndUnknownMode) {
  TempDir dir;
  ASSERT_OK(WriteTable(dir.str(), Rows(0, 2)).status());
  WriteOptions o;
  o.properties["delta.columnMapping.mode"] = "name";
  auto r = WriteTable(dir.str(), Rows(0, 2), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("delta.columnMapping.mode"), std::string::npos);
  TempDir other;
  o.properties["delta.columnMapping.mode"] = "bogus";
  auto bad = WriteTable(other.str(), Rows(0, 2), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bogus"), std::string::npos);
}

// A table written by Databricks with column mapping (name mode, legacy protocol 2/5, partition
// column with a space): we append to a copy and read old and new rows.
TEST(ColumnMappingWrite, AppendsToConformanceTable) {
  auto conf = testing::ConformanceDir();
  if (!conf) GTEST_SKIP() << "conformance data absent (set ANATOMY_SHARED_DIR)";
  auto src = *conf / "delta-rs" / "table_with_column_mapping";
  if (!std::filesystem::exists(src)) GTEST_SKIP() << src << " absent";
  TempDir dir;
  std::filesystem::copy(src, dir.path() / "t", std::filesystem::copy_options::recursive);
  const std::string path = (dir.path() / "t").string();
  ASSERT_OK_AND_ASSIGN(before, LoadSnapshot(path));
  ASSERT_OK_AND_ASSIGN(old_rows, ScanToTable(*before));
  auto add = arrow::Table::Make(
      arrow::schema({arrow::field("Company Very Short", arrow::utf8()),
                     arrow::field("Super Name", arrow::utf8())}),
      std::vector<std::shared_ptr<arrow::Array>>{Strs({"BMS", "NEW"}), Strs({"Ada", "Grace"})});
  ASSERT_OK(WriteTable(path, add).status());
  ASSERT_OK_AND_ASSIGN(after, LoadSnapshot(path));
  ASSERT_OK_AND_ASSIGN(rows, ScanToTable(*after));
  EXPECT_EQ(rows->num_rows(), old_rows->num_rows() + 2);
  auto expected =
      arrow::ConcatenateTables({old_rows, add}, arrow::ConcatenateTablesOptions::Defaults())
          .ValueOrDie();
  EXPECT_EQ(CanonicalRows(*rows), CanonicalRows(*expected));
  const std::string p_phys = *after->schema.FindField("Company Very Short")->physical_name;
  for (const auto& f : after->files) EXPECT_TRUE(f.partition_values.count(p_phys)) << f.path;
}

}  // namespace
}  // namespace anatomy::delta
