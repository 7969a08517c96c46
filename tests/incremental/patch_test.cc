#include "anatomy/incremental/patch.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <map>

namespace anatomy::incremental {
namespace {

std::shared_ptr<arrow::Table> Uses(const std::vector<std::pair<std::string, int64_t>>& rows) {
  arrow::StringBuilder names;
  arrow::Int64Builder uses;
  for (const auto& [name, n] : rows) {
    EXPECT_TRUE(names.Append(name).ok());
    EXPECT_TRUE(uses.Append(n).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("qualified_name", arrow::utf8()), arrow::field("uses", arrow::int64())});
  return arrow::Table::Make(schema, {names.Finish().ValueOrDie(), uses.Finish().ValueOrDie()});
}

std::map<std::string, int64_t> AsMap(const arrow::Table& t) {
  std::map<std::string, int64_t> out;
  auto batch = t.CombineChunksToBatch().ValueOrDie();
  auto names = std::static_pointer_cast<arrow::StringArray>(batch->column(0));
  auto uses = std::static_pointer_cast<arrow::Int64Array>(batch->column(1));
  for (int64_t i = 0; i < batch->num_rows(); ++i) out[names->GetString(i)] = uses->Value(i);
  return out;
}

// The state less the rebuilt files' old uses plus their new ones: a name only they used goes,
// a name only they use now comes, shared names keep their row with the new count. Only the
// names the rebuilt files use are rows to replace; the others (a.f) stay as they are.
TEST(UpdateNameUses, NamesComeAndGoWithTheirLastUse) {
  auto before = Uses({{"a.f", 3}, {"b.g", 1}, {"builtins.len", 10}});
  auto old_uses = Uses({{"b.g", 1}, {"builtins.len", 4}});
  auto new_uses = Uses({{"builtins.len", 2}, {"c.h", 5}});
  ASSERT_TRUE(NamesUsed(*old_uses, *new_uses).ok());
  EXPECT_EQ(*NamesUsed(*old_uses, *new_uses),
            (std::vector<std::string>{"b.g", "builtins.len", "c.h"}));
  auto changes = UpdateNameUses(*before, *old_uses, *new_uses);
  ASSERT_TRUE(changes.ok()) << changes.status().ToString();
  EXPECT_EQ(AsMap(*changes->uses),
            (std::map<std::string, int64_t>{{"builtins.len", 8}, {"c.h", 5}}));
  EXPECT_EQ(changes->changed, (std::vector<std::string>{"b.g", "builtins.len", "c.h"}));
  EXPECT_EQ(AsMap(*changes->added), (std::map<std::string, int64_t>{{"c.h", 5}}));
  EXPECT_EQ(changes->removed, std::vector<std::string>{"b.g"});
  EXPECT_TRUE(changes->uses->schema()->Equals(*new_uses->schema()));
}

// Uses that go below zero mean the state does not match the extraction: an error, not a guess.
TEST(UpdateNameUses, StateThatDoesNotMatchIsAnError) {
  auto changes = UpdateNameUses(*Uses({{"a.f", 1}}), *Uses({{"a.f", 2}}), *Uses({}));
  ASSERT_FALSE(changes.ok());
  EXPECT_NE(changes.status().message().find("a.f"), std::string::npos);
}

}  // namespace
}  // namespace anatomy::incremental
