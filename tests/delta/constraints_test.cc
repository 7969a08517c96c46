// CHECK constraints and column invariants on write: rows that make an expression false or null
// abort the write and leave the table unchanged; expressions outside our grammar are refused
// by name.

#include "anatomy/delta/constraints.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;

const auto Rows = &testing::GroupValueRows;

int64_t Version(const std::string& path) { return LoadSnapshot(path).ValueOrDie()->version; }

TEST(Constraints, CheckConstraintRejectsFalseAndNullRows) {
  TempDir dir;
  WriteOptions create;
  create.properties["delta.constraints.valid"] = "v > 0 AND g IN ('a', 'b')";
  ASSERT_OK(WriteTable(dir.str(), Rows({"a", "b"}, {1, 2}), create).status());
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir.str()));
  EXPECT_TRUE(HasWriterFeature(snap->protocol, "checkConstraints"));

  auto bad = WriteTable(dir.str(), Rows({"a", "c", "b"}, {5, 6, 0}));
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalid()) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("delta.constraints.valid"), std::string::npos);
  EXPECT_NE(bad.status().message().find("2 of 3 rows"), std::string::npos)
      << bad.status().message();
  auto null_row = WriteTable(dir.str(), Rows({"a"}, {std::nullopt}));
  ASSERT_FALSE(null_row.ok());  // null is not true
  EXPECT_EQ(Version(dir.str()), 0);

  ASSERT_OK(WriteTable(dir.str(), Rows({"b"}, {7})).status());
  EXPECT_EQ(Version(dir.str()), 1);
  // Creating with violating rows fails too, and leaves no table.
  TempDir other;
  ASSERT_FALSE(WriteTable(other.str(), Rows({"z"}, {1}), create).ok());
  EXPECT_FALSE(LoadSnapshot(other.str()).ok());
}

TEST(Constraints, ColumnsResolveCaseInsensitivelyAndTypesFromTheSchema) {
  TempDir dir;
  WriteOptions create;
  create.properties["delta.constraints.range"] = "V >= 10 AND V <= 20 AND G IS NOT NULL";
  ASSERT_OK(WriteTable(dir.str(), Rows({"a"}, {10}), create).status());
  EXPECT_FALSE(WriteTable(dir.str(), Rows({"a"}, {21})).ok());
  ASSERT_OK(WriteTable(dir.str(), Rows({"a"}, {20})).status());
}

TEST(Constraints, ExpressionsOutsideTheGrammarAreRefusedByName) {
  for (const char* expr : {"v > 0 OR v < -5", "v > abs(g)", "v > w", "g = other_column",
                           "unknown > 3", "length(g) > 0"}) {
    TempDir dir;
    WriteOptions create;
    create.properties["delta.constraints.odd"] = expr;
    auto r = WriteTable(dir.str(), Rows({"a"}, {1}), create);
    ASSERT_FALSE(r.ok()) << expr;
    EXPECT_TRUE(r.status().IsNotImplemented()) << expr << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find("delta.constraints.odd"), std::string::npos)
        << r.status().message();
  }
  // Quoted strings that look like columns are literals.
  TempDir dir;
  WriteOptions create;
  create.properties["delta.constraints.named"] = "g != 'other_column'";
  ASSERT_OK(WriteTable(dir.str(), Rows({"a"}, {1}), create).status());
}

// An existing table (as Spark writes it) with an invariant on v and an unsupported constraint
// added later.
TEST(Constraints, InvariantsAreEnforcedAndUnknownOnesRefuseWrites) {
  TempDir dir;
  const std::string schema =
      R"({\"type\":\"struct\",\"fields\":[{\"name\":\"g\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},)"
      R"({\"name\":\"v\",\"type\":\"long\",\"nullable\":true,\"metadata\":{\"delta.invariants\":\"{\\\"expression\\\":{\\\"expression\\\":\\\"v < 100\\\"}}\"}}]})";
  testing::WriteFile(
      dir.path() / "_delta_log" / testing::CommitName(0),
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
      "\n"
      R"({"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":")" +
          schema + R"(","partitionColumns":[],"configuration":{},"createdTime":1}})" + "\n");
  ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(dir.str()));
  ASSERT_OK_AND_ASSIGN(constraints, TableConstraints(snap->metadata, snap->schema));
  ASSERT_EQ(constraints.size(), 1u);
  EXPECT_EQ(constraints[0].name, "invariant of column v");
  EXPECT_EQ(constraints[0].expression, "v < 100");

  auto bad = WriteTable(dir.str(), Rows({"a", "b"}, {1, 100}));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("invariant of column v"), std::string::npos)
      << bad.status().message();
  ASSERT_OK(WriteTable(dir.str(), Rows({"a", "b"}, {1, 99})).status());

  // Metadata change adding a constraint we cannot evaluate: every later write is refused.
  testing::WriteFile(
      dir.path() / "_delta_log" / testing::CommitName(2),
      R"({"metaData":{"id":"t","format":{"provider":"parquet","options":{}},"schemaString":")" +
          schema +
          R"(","partitionColumns":[],"configuration":{"delta.constraints.c1":"v % 2 = 0"},"createdTime":1}})" +
          "\n");
  auto refused = WriteTable(dir.str(), Rows({"a"}, {2}));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsNotImplemented());
  EXPECT_NE(refused.status().message().find("delta.constraints.c1"), std::string::npos);
  EXPECT_EQ(Version(dir.str()), 2);
}

}  // namespace
}  // namespace anatomy::delta
