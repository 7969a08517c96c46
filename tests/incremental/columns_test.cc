#include "anatomy/incremental/columns.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace anatomy::incremental {
namespace {

std::shared_ptr<arrow::RecordBatch> Batch() {
  arrow::StringBuilder path;
  arrow::Int64Builder size;
  EXPECT_TRUE(path.AppendValues({"a.py", "b.py"}).ok());
  EXPECT_TRUE(size.AppendValues({3, 4}).ok());
  auto schema =
      arrow::schema({arrow::field("path", arrow::utf8()), arrow::field("size", arrow::int64())});
  return arrow::RecordBatch::Make(schema, 2,
                                  {path.Finish().ValueOrDie(), size.Finish().ValueOrDie()});
}

TEST(Columns, AColumnOfTheAskedTypeIsRead) {
  auto paths = ColumnAs<arrow::StringArray>(*Batch(), "path", "state/repo_snapshot");
  ASSERT_TRUE(paths.ok()) << paths.status().ToString();
  EXPECT_EQ((*paths)->GetString(1), "b.py");
  auto sizes = ColumnAs<arrow::Int64Array>(*Batch(), "size", "state/repo_snapshot");
  ASSERT_TRUE(sizes.ok()) << sizes.status().ToString();
  EXPECT_EQ((*sizes)->Value(0), 3);
}

TEST(Columns, AMissingOrMistypedColumnIsAnErrorNamingTheTableAndColumn) {
  auto missing = ColumnAs<arrow::StringArray>(*Batch(), "sha256", "state/repo_snapshot");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("state/repo_snapshot lacks the column 'sha256'"),
            std::string::npos)
      << missing.status().ToString();
  auto mistyped = ColumnAs<arrow::StringArray>(*Batch(), "size", "state/repo_snapshot");
  ASSERT_FALSE(mistyped.ok());
  EXPECT_NE(mistyped.status().message().find("column 'size' is int64, not utf8"), std::string::npos)
      << mistyped.status().ToString();
  auto table = arrow::Table::FromRecordBatches({Batch()}).ValueOrDie();
  auto strings = Strings(*table, "size");
  ASSERT_FALSE(strings.ok());
  EXPECT_NE(strings.status().message().find("column 'size' is int64, not utf8"), std::string::npos)
      << strings.status().ToString();
}

}  // namespace
}  // namespace anatomy::incremental
