#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "anatomy/core/hash.h"
#include "anatomy/serde/api.h"
#include "test_types.h"

namespace anatomy::serde::testing {
namespace {

using nlohmann::json;

TEST(JsonSchema, NestedStructsAreRefs) {
  json doc = JsonSchemaDocument<Outer>();
  EXPECT_EQ(doc["$schema"], "https://json-schema.org/draft/2020-12/schema");
  EXPECT_EQ(doc["$ref"], "#/$defs/Outer");
  const json& outer = doc["$defs"]["Outer"];
  EXPECT_EQ(outer["type"], "object");
  EXPECT_EQ(outer["required"], json::array({"name"}));
  EXPECT_EQ(outer["additionalProperties"], false);
  EXPECT_EQ(outer["properties"]["scan_units"]["items"]["$ref"], "#/$defs/Inner");
  EXPECT_EQ(outer["properties"]["size"]["default"], 96);
  EXPECT_EQ(outer["properties"]["size"]["anyOf"][1]["type"], "null");
  EXPECT_EQ(outer["properties"]["mode"]["enum"], json::array({"off", "explicit", "auto"}));
  EXPECT_EQ(outer["properties"]["mode"]["default"], "auto");
  EXPECT_EQ(outer["properties"]["blob"]["contentEncoding"], "base64");
  EXPECT_EQ(outer["properties"]["counts"]["additionalProperties"]["type"], "integer");
  EXPECT_EQ(outer["properties"]["ref"]["prefixItems"].size(), 2u);
  EXPECT_EQ(doc["$defs"]["Inner"]["required"], json::array({"delta_version"}));
  EXPECT_EQ(JsonSchemaDocument<Snapshot>()["$defs"]["Snapshot"]["additionalProperties"], true);
}

TEST(Registry, ExportIsDeterministicAndHashed) {
  SchemaRegistry a;
  ASSERT_TRUE(a.Register<Outer>("test").ok());
  ASSERT_TRUE(a.RegisterRow<Row>("test").ok());
  ASSERT_TRUE(a.Register<Snapshot>("test").ok());
  SchemaRegistry b;  // other registration order, same export
  ASSERT_TRUE(b.Register<Snapshot>("test").ok());
  ASSERT_TRUE(b.RegisterRow<Row>("test").ok());
  ASSERT_TRUE(b.Register<Outer>("test").ok());
  EXPECT_EQ(a.ExportJson(), b.ExportJson());
  EXPECT_EQ(a.ContractHash(), b.ContractHash());
  auto bytes = json::to_msgpack(json::parse(a.ExportJson()));
  EXPECT_EQ(a.ContractHash(), core::Sha256Hex(std::string(bytes.begin(), bytes.end())));

  EXPECT_EQ(a.Register<Outer>("test").code(), arrow::StatusCode::AlreadyExists);
  const TypeEntry* row = a.Find("test_rows_v3");
  ASSERT_NE(row, nullptr);
  EXPECT_EQ(row->version, 3);
  EXPECT_EQ(row->kind, TypeKind::kRow);
  ASSERT_NE(row->arrow_schema, nullptr);
  json exported = a.Export();
  EXPECT_TRUE(exported["components"]["schemas"].contains("Inner"));  // nested, not registered
  ASSERT_EQ(exported["types"].size(), 3u);
  EXPECT_EQ(exported["types"][0]["name"], "Outer");
  EXPECT_EQ(exported["types"][2]["columns"][0],
            json({{"name", "id"}, {"type", "int64"}, {"nullable", false}}));
  EXPECT_EQ(a.Find("Snapshot")->strictness, Strictness::kCompat);
}

TEST(Registry, RefusesStructMemberWithNonTypeDefault) {
  SchemaRegistry r;
  Status st = r.Register<BadDefault>("test");
  EXPECT_TRUE(st.IsInvalid());
  EXPECT_EQ(st.message(),
            "BadDefault.inner: a struct member must default to its type's default value");
}

TEST(Registry, TypeErasedOperations) {
  SchemaRegistry r;
  ASSERT_TRUE(r.Register<Outer>("test").ok());
  const TypeEntry& e = *r.Find("Outer");
  std::string mp = e.sample_msgpack();
  EXPECT_TRUE(e.check_round_trip(mp).ok());
  auto as_json = e.reencode(mp, Format::kMsgpack, Format::kJson);
  ASSERT_TRUE(as_json.ok());
  EXPECT_EQ(*as_json, EncodeJson(SampleValue<Outer>()));
  EXPECT_EQ(*e.reencode(*as_json, Format::kJson, Format::kMsgpack), mp);
  EXPECT_FALSE(e.reencode("{}", Format::kJson, Format::kMsgpack).ok());
}

}  // namespace
}  // namespace anatomy::serde::testing
