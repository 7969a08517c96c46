#include "anatomy/cpg/kinds.h"

#include <arrow/api.h>
#include <arrow/compute/initialize.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <set>

namespace anatomy::cpg {
namespace {

// CONTRACTS.md lists exactly these kinds.
TEST(Kinds, CatalogMatchesContracts) {
  std::set<std::string> nodes, edges;
  for (const auto& k : NodeKinds()) nodes.insert(std::string(k.name));
  for (const auto& k : EdgeKinds()) edges.insert(std::string(k.name));
  EXPECT_EQ(nodes, (std::set<std::string>{"PY_FILE", "PY_SCOPE", "PY_BINDING", "PY_DEF_SITE",
                                          "PY_USE_SITE", "CST_DEF", "CST_CALLSITE",
                                          "CST_IMPORT_ALIAS", "CST_REF", "TYPE_PARAM",
                                          "PY_QUALIFIED_NAME", "TS_ERROR", "TS_MISSING", "DIAG"}));
  EXPECT_EQ(edges.size(), 15u);
  // Every edge endpoint is a declared node kind; every PY_* edge requires origin and
  // resolution_method; call edges require score.
  for (const auto& e : EdgeKinds()) {
    for (auto ends : {e.src_kind, e.dst_kind}) {
      for (size_t start = 0; start <= ends.size();) {
        const size_t bar = std::min(ends.find('|', start), ends.size());
        EXPECT_TRUE(FindNodeKind(ends.substr(start, bar - start)).ok()) << e.name << ": " << ends;
        start = bar + 1;
      }
    }
    std::set<std::string_view> req(e.required_columns.begin(), e.required_columns.end());
    if (e.name.starts_with("PY_")) {
      EXPECT_TRUE(req.count("origin") && req.count("resolution_method")) << e.name;
    }
    if (e.name.find("CALLS") != std::string_view::npos) {
      EXPECT_TRUE(req.count("score")) << e.name;
    }
  }
  // Id prefixes are unique.
  std::set<std::string_view> prefixes;
  for (const auto& k : NodeKinds()) EXPECT_TRUE(prefixes.insert(k.id_prefix).second) << k.id_prefix;
}

std::shared_ptr<arrow::Table> Edges(const std::string& json) {
  auto schema = arrow::schema(
      {arrow::field("edge_kind", arrow::utf8()), arrow::field("origin", arrow::utf8()),
       arrow::field("resolution_method", arrow::utf8()), arrow::field("score", arrow::float64())});
  auto array =
      arrow::json::ArrayFromJSONString(arrow::struct_(schema->fields()), json).ValueOrDie();
  auto batch = arrow::RecordBatch::FromStructArray(array).ValueOrDie();
  return arrow::Table::FromRecordBatches(schema, {batch}).ValueOrDie();
}

TEST(Kinds, CheckEdgesNamesTheMissingProperty) {
  ASSERT_TRUE(arrow::compute::Initialize().ok());
  auto good = Edges(R"([
    {"edge_kind": "SCOPE_PARENT", "origin": null, "resolution_method": null, "score": null},
    {"edge_kind": "PY_CALLS_SYMBOL", "origin": "scope", "resolution_method": "local", "score": 1.0}])");
  EXPECT_TRUE(CheckEdges(*good).ok());

  auto no_score = Edges(R"([
    {"edge_kind": "PY_CALLS_QNAME", "origin": "scope", "resolution_method": "qname", "score": 0.5},
    {"edge_kind": "PY_CALLS_QNAME", "origin": "scope", "resolution_method": "qname", "score": null}])");
  auto st = CheckEdges(*no_score);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("PY_CALLS_QNAME requires 'score' but 1 of 2"), std::string::npos)
      << st.message();

  auto unknown =
      Edges(R"([{"edge_kind": "FLIES_TO", "origin": "x", "resolution_method": "y", "score": 1}])");
  EXPECT_NE(CheckEdges(*unknown).message().find("FLIES_TO"), std::string::npos);
}

}  // namespace
}  // namespace anatomy::cpg
