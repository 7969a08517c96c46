#include "anatomy/engine/functions.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "anatomy/core/hash.h"

namespace anatomy::engine {
namespace {

namespace cp = arrow::compute;

TEST(Functions, StableIdMatchesCore) {
  ASSERT_TRUE(cp::Initialize().ok());
  auto st = RegisterAnatomyFunctions();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_TRUE(RegisterAnatomyFunctions().ok());  // idempotent
  auto a = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["a", null, "c"])").ValueOrDie();
  auto b = arrow::json::ArrayFromJSONString(arrow::utf8(), R"(["b", "x", null])").ValueOrDie();
  auto out = cp::CallFunction("stable_id", {arrow::MakeScalar("node"), a, b});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  auto ids = std::static_pointer_cast<arrow::StringArray>(out->make_array());
  ASSERT_EQ(ids->length(), 3);
  EXPECT_EQ(ids->GetString(0), core::StableId("node", {"a", "b"}));
  EXPECT_EQ(ids->GetString(1), core::StableId("node", {std::nullopt, "x"}));
  EXPECT_EQ(ids->GetString(2), core::StableId("node", {"c", std::nullopt}));
  EXPECT_EQ(ids->GetString(0), "node:065ab5741cdfad44687cf119c1eb4ec9");
}

}  // namespace
}  // namespace anatomy::engine
