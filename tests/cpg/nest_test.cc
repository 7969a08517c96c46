#include "anatomy/cpg/nest.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <optional>

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

TEST(Nest, UnownedListsAreClusteredByTheOneFileTheirElementsComeFrom) {
  // Edges (dst, dst_file, file_id) sorted by key: q1 and q3 come from f2 only, q2 from f1
  // and f2, q4 from f1 only; n1 belongs to file f9 and keeps its place.
  arrow::StringBuilder dst, dst_file, file;
  const std::vector<std::vector<std::optional<std::string>>> rows = {
      {"n1", "f9", "f1"},         {"q1", std::nullopt, "f2"}, {"q2", std::nullopt, "f1"},
      {"q2", std::nullopt, "f2"}, {"q3", std::nullopt, "f2"}, {"q4", std::nullopt, "f1"}};
  for (const auto& r : rows) {
    EXPECT_TRUE(dst.Append(*r[0]).ok());
    EXPECT_TRUE((r[1] ? dst_file.Append(*r[1]) : dst_file.AppendNull()).ok());
    EXPECT_TRUE(file.Append(*r[2]).ok());
  }
  auto flat = arrow::Table::Make(
      arrow::schema({arrow::field("dst", arrow::utf8()), arrow::field("dst_file", arrow::utf8()),
                     arrow::field("file_id", arrow::utf8())}),
      {dst.Finish().ValueOrDie(), dst_file.Finish().ValueOrDie(), file.Finish().ValueOrDie()});
  auto nested = NestSortedRuns(*flat, {"dst", "dst_file"}, {"file_id"}, "edges");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  auto clustered = ClusterUnownedLists(**nested, "dst_file", "edges", "src_file");
  ASSERT_TRUE(clustered.ok()) << clustered.status().ToString();
  auto keys =
      std::static_pointer_cast<arrow::StringArray>((*clustered)->GetColumnByName("dst")->chunk(0));
  std::vector<std::string> order;
  for (int64_t i = 0; i < keys->length(); ++i) order.push_back(keys->GetString(i));
  EXPECT_EQ(order, (std::vector<std::string>{"n1", "q4", "q1", "q3", "q2"}));
  // Each row names the one file of its edges, or none (q2's come from f1 and f2).
  auto sources = (*clustered)->GetColumnByName("src_file");
  ASSERT_TRUE(sources);
  EXPECT_EQ((*clustered)->schema()->GetFieldIndex("src_file"), 2);
  std::vector<std::string> named;
  for (int64_t i = 0; i < sources->length(); ++i) {
    auto v = sources->GetScalar(i).ValueOrDie();
    named.push_back(v->is_valid ? v->ToString() : "null");
  }
  EXPECT_EQ(named, (std::vector<std::string>{"f1", "f1", "f2", "f2", "null"}));
  // The same rows: unnesting gives back every edge.
  auto back = UnnestRuns(**clustered, "edges");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)->num_rows(), flat->num_rows());
  EXPECT_FALSE(ClusterUnownedLists(**nested, "nope", "edges", "src_file").ok());
}

}  // namespace
}  // namespace anatomy::cpg
