#pragma once
// Small helpers for extract tests: a temporary repository and table cell access.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace anatomy::extract::testing {

/// A temporary repository: files written under root().
class TempRepo : public test_support::TempDir {
 public:
  TempRepo() : TempDir("anatomy_extract_") {}
  std::string root() const { return str(); }
};

/// Every cell of column `name` rendered as text ("null" for nulls).
inline std::vector<std::string> Column(const arrow::Table& t, const std::string& name) {
  std::vector<std::string> out;
  auto col = t.GetColumnByName(name);
  EXPECT_NE(col, nullptr) << "no column " << name;
  if (!col) return out;
  for (const auto& chunk : col->chunks()) {
    for (int64_t i = 0; i < chunk->length(); ++i) {
      if (chunk->IsNull(i)) {
        out.emplace_back("null");
      } else if (chunk->type_id() == arrow::Type::STRING) {
        out.emplace_back(std::static_pointer_cast<arrow::StringArray>(chunk)->GetString(i));
      } else if (chunk->type_id() == arrow::Type::LIST) {
        auto list = std::static_pointer_cast<arrow::ListArray>(chunk);
        auto values = std::static_pointer_cast<arrow::StringArray>(list->values());
        std::string s = "[";
        for (int64_t k = list->value_offset(i); k < list->value_offset(i + 1); ++k) {
          s += (k > list->value_offset(i) ? "," : "") + values->GetString(k);
        }
        out.push_back(s + "]");
      } else {
        out.emplace_back(chunk->GetScalar(i).ValueOrDie()->ToString());
      }
    }
  }
  return out;
}

/// Rows of `cols` joined by '|', for compact expectations.
inline std::vector<std::string> Rows(const arrow::Table& t, const std::vector<std::string>& cols) {
  std::vector<std::vector<std::string>> data;
  for (const auto& c : cols) data.push_back(Column(t, c));
  std::vector<std::string> out(static_cast<size_t>(t.num_rows()));
  for (size_t r = 0; r < out.size(); ++r) {
    for (size_t c = 0; c < cols.size(); ++c) out[r] += (c ? "|" : "") + data[c][r];
  }
  return out;
}

}  // namespace anatomy::extract::testing
