#pragma once

// Small helpers for delta tests: temp tables, writing raw log files, shared-data lookup.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace anatomy::delta::testing {

/// A two-column table: a string group `g` and a nullable int64 value `v`.
inline std::shared_ptr<arrow::Table> GroupValueRows(const std::vector<std::string>& g,
                                                    const std::vector<std::optional<int64_t>>& v) {
  arrow::StringBuilder gb;
  arrow::Int64Builder vb;
  EXPECT_TRUE(gb.AppendValues(g).ok());
  for (auto x : v) EXPECT_TRUE((x ? vb.Append(*x) : vb.AppendNull()).ok());
  auto schema =
      arrow::schema({arrow::field("g", arrow::utf8()), arrow::field("v", arrow::int64())});
  return arrow::Table::Make(schema, {gb.Finish().ValueOrDie(), vb.Finish().ValueOrDie()});
}

#define ASSERT_OK(expr)                                       \
  do {                                                        \
    auto _st = (expr);                                        \
    ASSERT_TRUE(_st.ok()) << #expr << ": " << _st.ToString(); \
  } while (0)

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                                \
  auto lhs##_result = (rexpr);                                                          \
  ASSERT_TRUE(lhs##_result.ok()) << #rexpr << ": " << lhs##_result.status().ToString(); \
  auto lhs = std::move(lhs##_result).ValueOrDie()

using TempDir = test_support::TempDir;

inline void WriteFile(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

inline std::string CommitName(int64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020lld.json", static_cast<long long>(v));
  return buf;
}

/// The conformance folder, or nullopt (then tests GTEST_SKIP with a message).
inline std::optional<std::filesystem::path> ConformanceDir() {
  std::filesystem::path base;
  if (const char* s = std::getenv("ANATOMY_SHARED_DIR"); s && *s) {
    base = s;
  } else if (const char* src = std::getenv("ANATOMY_SOURCE_DIR"); src && *src) {
    base = std::filesystem::path(src).parent_path() / "shared";
  } else {
    return std::nullopt;
  }
  auto conf = base / "conformance";
  if (!std::filesystem::is_directory(conf)) return std::nullopt;
  return conf;
}

/// Rows rendered as sorted strings: an order-insensitive content comparison for any types.
inline std::vector<std::string> CanonicalRows(const arrow::Table& table) {
  std::vector<std::string> rows(static_cast<size_t>(table.num_rows()));
  for (int c = 0; c < table.num_columns(); ++c) {
    int64_t r = 0;
    for (const auto& chunk : table.column(c)->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++r) {
        auto s = chunk->GetScalar(i);
        rows[static_cast<size_t>(r)] += (s.ok() ? (*s)->ToString() : "?") + "|";
      }
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace anatomy::delta::testing
