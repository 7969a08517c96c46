#include "anatomy/cpg/nest.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

namespace anatomy::cpg {
namespace {

std::shared_ptr<arrow::Table> Sorted() {
  arrow::StringBuilder key, file, value;
  const std::vector<std::vector<std::string>> rows = {
      {"a", "f1", "x"}, {"a", "f1", "y"}, {"b", "f2", "z"}};
  for (const auto& r : rows) {
    EXPECT_TRUE(key.Append(r[0]).ok());
    EXPECT_TRUE(file.Append(r[1]).ok());
    EXPECT_TRUE(value.Append(r[2]).ok());
  }
  auto schema =
      arrow::schema({arrow::field("key", arrow::utf8()), arrow::field("file", arrow::utf8()),
                     arrow::field("value", arrow::utf8())});
  return arrow::Table::Make(
      schema, {key.Finish().ValueOrDie(), file.Finish().ValueOrDie(), value.Finish().ValueOrDie()});
}

TEST(Nest, UnnestGivesBackTheSortedRows) {
  auto nested = NestSortedRuns(*Sorted(), {"key", "file"}, {"value"}, "items");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ((*nested)->num_rows(), 2);
  auto flat = UnnestRuns(**nested, "items");
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  EXPECT_TRUE((*flat)->Equals(*Sorted())) << (*flat)->ToString();
  EXPECT_FALSE(UnnestRuns(**nested, "nope").ok());
}

}  // namespace
}  // namespace anatomy::cpg
