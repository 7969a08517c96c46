// Log replay, protocol gate and hostile logs on hand-written logs.

#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::CommitName;
using testing::TempDir;
using testing::WriteFile;

const char* kProtocol = R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})";
const char* kMeta =
    R"({"metaData":{"id":"t1","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"p\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":true},\"nullable\":true,\"metadata\":{}},{\"name\":\"m\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":\"double\",\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}}]},\"nullable\":true,\"metadata\":{}}]}","partitionColumns":["p"],"configuration":{"k":"v"},"createdTime":1}})";

std::string Add(const std::string& path, const std::string& extra = "") {
  return R"({"add":{"path":")" + path +
         R"(","partitionValues":{"p":"x"},"size":10,"modificationTime":1,"dataChange":true)" +
         extra + "}}";
}

std::string Remove(const std::string& path) {
  return R"({"remove":{"path":")" + path + R"(","deletionTimestamp":5,"dataChange":true}})";
}

class LogTest : public ::testing::Test {
 protected:
  void Commit(int64_t v, const std::string& text) {
    WriteFile(dir_.path() / "_delta_log" / CommitName(v), text);
  }
  Result<std::shared_ptr<Snapshot>> Load(SnapshotOptions o = {}) {
    return LoadSnapshot(dir_.str(), o);
  }
  TempDir dir_;
};

TEST_F(LogTest, ReplaysAddsRemovesTxnDomainsAndMetadata) {
  Commit(
      0,
      std::string(kProtocol) + "\n" + kMeta + "\n" + Add("p=x/f1.parquet") + "\n" +
          R"({"commitInfo":{"timestamp":7,"operation":"WRITE","operationParameters":{"mode":"Append"},"myKey":"myValue"}})"
          "\n");
  Commit(1, Add("p=x/f2.parquet", R"(,"stats":"{\"numRecords\":4}")") + "\n" +
                R"({"txn":{"appId":"app","version":3}})"
                "\n" +
                R"({"domainMetadata":{"domain":"d1","configuration":"{}","removed":false}})"
                "\n" +
                R"({"someFutureAction":{"x":1}})"
                "\n");
  Commit(2, Remove("p=x/f1.parquet") + "\n" +
                R"({"domainMetadata":{"domain":"d1","configuration":"","removed":true}})"
                "\n");
  ASSERT_OK_AND_ASSIGN(snap, Load());
  EXPECT_EQ(snap->version, 2);
  ASSERT_EQ(snap->files.size(), 1u);
  EXPECT_EQ(snap->files[0].path, "p=x/f2.parquet");
  ASSERT_EQ(snap->tombstones.size(), 1u);
  EXPECT_EQ(snap->txns.at("app").version, 3);
  EXPECT_TRUE(snap->domains.empty());
  EXPECT_EQ(snap->metadata.configuration.at("k"), "v");
  EXPECT_EQ(snap->metadata.partition_columns, std::vector<std::string>{"p"});
  ASSERT_EQ(snap->schema.fields.size(), 3u);
  EXPECT_EQ(snap->schema.fields[2].type->kind, DeltaType::Kind::kStruct);
  ASSERT_OK_AND_ASSIGN(arrow_schema, ToArrowSchema(snap->schema));
  EXPECT_EQ(arrow_schema->field(2)->type()->ToString(),
            "struct<x: list<element: int32>, m: map<string, double>>");

  ASSERT_OK_AND_ASSIGN(v1, Load({.version = 1, .timestamp_ms = std::nullopt}));
  EXPECT_EQ(v1->files.size(), 2u);
  EXPECT_EQ(v1->domains.size(), 1u);
  ASSERT_OK_AND_ASSIGN(storage, OpenLocalStorage(dir_.str()));
  ASSERT_OK_AND_ASSIGN(hist, History(*storage));
  ASSERT_EQ(hist.size(), 3u);
  EXPECT_EQ(hist.back().info->operation.value_or(""), "WRITE");
  EXPECT_EQ(hist.back().info->user_metadata.at("myKey"), "myValue");
}

TEST_F(LogTest, RefusesUnsupportedReaderFeatureByName) {
  Commit(
      0,
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors","futureThing"],"writerFeatures":[]}})"
      "\n" +
          std::string(kMeta) + "\n");
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotImplemented());
  EXPECT_NE(r.status().message().find("'futureThing'"), std::string::npos) << r.status().ToString();
}

TEST_F(LogTest, RefusesUnsupportedWriterFeatureForWrites) {
  Protocol p{3, 7, std::vector<std::string>{}, std::vector<std::string>{"rowTracking"}};
  Metadata m;
  auto st = CheckWriteSupported(p, m);
  EXPECT_TRUE(st.IsNotImplemented());
  EXPECT_NE(st.message().find("'rowTracking'"), std::string::npos);
  EXPECT_TRUE(CheckReadSupported(p).ok());
}

// Parsed commits are reused by content: a commit file written again at the same path (a table
// deleted and created anew) is read as it is now, not as it was.
TEST_F(LogTest, ACommitRewrittenInPlaceIsReadAnew) {
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n" + Add("p=x/a.parquet"));
  ASSERT_OK_AND_ASSIGN(first, Load());
  ASSERT_EQ(first->files.size(), 1u);
  EXPECT_EQ(first->files[0].path, "p=x/a.parquet");
  ASSERT_OK_AND_ASSIGN(again, Load());  // from the cache: the same content
  ASSERT_EQ(again->files.size(), 1u);
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n" + Add("p=x/b.parquet") + "\n" +
                Add("p=x/c.parquet"));
  ASSERT_OK_AND_ASSIGN(rewritten, Load());
  ASSERT_EQ(rewritten->files.size(), 2u);
  EXPECT_EQ(rewritten->files[0].path.substr(0, 4), "p=x/");
  EXPECT_NE(rewritten->files[0].path, "p=x/a.parquet");
  EXPECT_NE(rewritten->files[1].path, "p=x/a.parquet");
}

TEST_F(LogTest, MalformedJsonNamesFileAndLine) {
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n{\"add\": {\"path\": \n");
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("00000000000000000000.json:3"), std::string::npos)
      << r.status().ToString();
}

TEST_F(LogTest, WrongTypesNameTheField) {
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n" +
                R"({"add":{"path":"f","partitionValues":{},"size":"ten"}})"
                "\n");
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":3: add.size"), std::string::npos) << r.status().ToString();
}

TEST_F(LogTest, MissingCommitIsAnError) {
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n");
  Commit(2, Add("p=x/f.parquet") + "\n");
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("00000000000000000001.json is missing"), std::string::npos)
      << r.status().ToString();
}

TEST_F(LogTest, NotATable) {
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("not a Delta table"), std::string::npos);
}

TEST_F(LogTest, PathsEscapingTheRootAreRefusedOnRead) {
  for (std::string bad : {"../outside.parquet", "a/../../x.parquet", "/etc/passwd",
                          "file:///etc/passwd", "s3://bucket/x.parquet", "%2E%2E/x.parquet"}) {
    TempDir d;
    WriteFile(d.path() / "_delta_log" / CommitName(0),
              std::string(kProtocol) + "\n" + kMeta + "\n" + Add(bad) + "\n");
    ASSERT_OK_AND_ASSIGN(snap, LoadSnapshot(d.str()));
    auto t = ScanToTable(*snap);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_NE(t.status().message().find(bad), std::string::npos) << t.status().ToString();
  }
}

TEST_F(LogTest, TruncatedCheckpointIsAnError) {
  Commit(0, std::string(kProtocol) + "\n" + kMeta + "\n");
  WriteFile(dir_.path() / "_delta_log" / "00000000000000000001.checkpoint.parquet",
            "PAR1\0\0garbage");
  Commit(1, Add("p=x/f.parquet") + "\n");
  auto r = Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("checkpoint.parquet"), std::string::npos)
      << r.status().ToString();
}

TEST(ParseCommitTest, NeverCrashesOnGarbage) {
  const char* inputs[] = {"",
                          "\n\n",
                          "[]",
                          "{}",
                          "{\"add\":1}",
                          "{\"a\":{},\"b\":{}}",
                          "nul",
                          "{\"add\":{}}",
                          "{\"protocol\":{\"minReaderVersion\":99999999999999999999}}",
                          "\xff\xfe",
                          "{\"metaData\":{\"id\":\"x\",\"schemaString\":\"{}\"}}"};
  for (const char* in : inputs) {
    auto r = ParseCommit(in, "f.json");
    (void)r;
  }
  SUCCEED();
}

}  // namespace
}  // namespace anatomy::delta
