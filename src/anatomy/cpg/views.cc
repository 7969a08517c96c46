#include "anatomy/cpg/views.h"

#include <arrow/compute/api.h>

#include <map>
#include <optional>

#include "anatomy/engine/functions.h"
#include "anatomy/engine/plan_builder.h"
#include "anatomy/engine/session.h"

namespace anatomy::cpg {

namespace {

namespace cp = arrow::compute;
using engine::NamedExpr;
using engine::PlanBuilder;
using Expr = cp::Expression;

Expr F(const std::string& name) { return cp::field_ref(name); }
Expr Str(const std::string& s) { return cp::literal(s); }
Expr Null(const std::shared_ptr<arrow::DataType>& type) {
  return cp::literal(arrow::MakeNullScalar(type));
}
Expr I32(int32_t v) { return cp::literal(v); }
Expr Cast(Expr e, const std::shared_ptr<arrow::DataType>& type) {
  return cp::call("cast", {std::move(e)}, cp::CastOptions::Safe(type));
}
Expr StableId(const std::string& prefix, std::vector<Expr> parts) {
  parts.insert(parts.begin(), Str(prefix));
  return cp::call("stable_id", std::move(parts));
}
Expr Eq(const std::string& column, const std::string& value) {
  return cp::equal(F(column), Str(value));
}
Expr Valid(const std::string& column) { return cp::call("is_valid", {F(column)}); }
Expr And(Expr a, Expr b) { return cp::and_(std::move(a), std::move(b)); }
Expr QnameId(Expr qualified_name) { return StableId("qname", {std::move(qualified_name)}); }
// The DIAG node of an extraction error row (the same id for its node, edge and props).
Expr ErrorDiagId() {
  return StableId("diag", {F("path"), F("stage"), F("code"), Cast(F("bstart"), arrow::utf8())});
}

// The qualified name an import alias imports: `pkg.mod` for `import pkg.mod`, `pkg.mod.name`
// for `from pkg.mod import name`, the module for a star import.
Expr ImportTarget() {
  Expr joined = cp::call("binary_join_element_wise", {F("module"), F("imported_name"), Str(".")});
  return cp::call("if_else", {And(F("is_from"), cp::not_(F("is_star"))), joined, F("module")});
}

const auto kStrings = arrow::list(arrow::utf8());

// Attribute references whose whole text is a dotted name (`os.path.join`): they name a
// qualified name, as written or, for `self.x` in a method of class C, C's attribute x. (Name
// references are the `use` occurrences.)
Expr DottedReference() {
  return cp::call(
      "match_substring_regex", {F("text")},
      cp::MatchSubstringOptions("^[A-Za-z_][A-Za-z_0-9]*(\\.[A-Za-z_][A-Za-z_0-9]*)+$"));
}

struct Source {
  std::string dataset;
  std::optional<Expr> filter;
};

PlanBuilder Scan(const engine::Session& s, const Source& src) {
  return PlanBuilder::Scan(s, ExtractTableName(src.dataset), {}, src.filter);
}

// --- nodes -----------------------------------------------------------------------------------

struct NodeSpec {
  Source source;
  std::string kind;  // empty: take node_kind from the `kind` column
  Expr id;
  Expr bstart = F("bstart");
  Expr bend = F("bend");
  std::string task;
  int32_t priority;
};

PlanBuilder NodeRows(const engine::Session& s, const NodeSpec& n) {
  auto b = Scan(s, n.source);
  b.Project({{n.id, "node_id"},
             {n.kind.empty() ? F("kind") : Str(n.kind), "node_kind"},
             {F("path"), "path"},
             {Cast(n.bstart, arrow::int64()), "bstart"},
             {Cast(n.bend, arrow::int64()), "bend"},
             {F("file_id"), "file_id"},
             {Str(n.task), "task_name"},
             {I32(n.priority), "task_priority"}});
  return b;
}

// PY_QUALIFIED_NAME nodes: the distinct qualified names that definitions, imports and
// unresolved calls point at.
PlanBuilder QualifiedNames(const engine::Session& s) {
  auto names = [&](Source src, Expr qname) {
    return Scan(s, src).Project({{qname, "qualified_name"}});
  };
  auto all = names({"definitions", std::nullopt}, F("qualified_name"));
  all.Union(names({"imports", std::nullopt}, ImportTarget()));
  all.Union(
      names({"call_resolutions", Eq("edge_kind", "PY_CALLS_QNAME")}, F("target_qualified_name")));
  all.Union(names({"references", DottedReference()}, F("qualified_name")));
  all.Aggregate({{"count", "qualified_name", "uses"}}, {"qualified_name"});
  all.OrderBy({{"qualified_name"}});
  return all;
}

// The qualified names view's result, ingested under its own name.
PlanBuilder QualifiedNameRows(const engine::Session& s) {
  return PlanBuilder::Scan(s, kQualifiedNamesView, {"qualified_name"});
}

PlanBuilder Nodes(const engine::Session& s) {
  const std::vector<NodeSpec> specs = {
      {{"files", std::nullopt},
       "PY_FILE",
       F("file_id"),
       cp::literal(int64_t{0}),
       F("size"),
       "files",
       0},
      {{"scopes", std::nullopt}, "PY_SCOPE", F("scope_id"), F("bstart"), F("bend"), "scopes", 1},
      {{"bindings", std::nullopt},
       "PY_BINDING",
       F("binding_id"),
       F("bstart"),
       F("bend"),
       "bindings",
       2},
      {{"occurrences", Eq("role", "def")},
       "PY_DEF_SITE",
       F("occurrence_id"),
       F("bstart"),
       F("bend"),
       "occurrences",
       3},
      {{"occurrences", Eq("role", "use")},
       "PY_USE_SITE",
       F("occurrence_id"),
       F("bstart"),
       F("bend"),
       "occurrences",
       3},
      {{"definitions", std::nullopt},
       "CST_DEF",
       F("def_id"),
       F("bstart"),
       F("bend"),
       "definitions",
       4},
      {{"call_sites", std::nullopt},
       "CST_CALLSITE",
       F("call_id"),
       F("bstart"),
       F("bend"),
       "call_sites",
       5},
      {{"imports", std::nullopt},
       "CST_IMPORT_ALIAS",
       F("import_id"),
       F("bstart"),
       F("bend"),
       "imports",
       6},
      {{"references", std::nullopt},
       "CST_REF",
       F("ref_id"),
       F("bstart"),
       F("bend"),
       "references",
       7},
      {{"annotations", std::nullopt},
       "CST_REF",
       F("annotation_id"),
       F("bstart"),
       F("bend"),
       "annotations",
       7},
      {{"type_params", std::nullopt},
       "TYPE_PARAM",
       F("type_param_id"),
       F("bstart"),
       F("bend"),
       "type_params",
       8},
      {{"diagnostics", std::nullopt}, "", F("diag_id"), F("bstart"), F("bend"), "diagnostics", 9},
      {{"errors", std::nullopt}, "DIAG", ErrorDiagId(), F("bstart"), F("bend"), "errors", 9},
  };
  auto nodes = NodeRows(s, specs[0]);
  for (size_t i = 1; i < specs.size(); ++i) nodes.Union(NodeRows(s, specs[i]));
  auto qnames = QualifiedNameRows(s).Project({{QnameId(F("qualified_name")), "node_id"},
                                              {Str("PY_QUALIFIED_NAME"), "node_kind"},
                                              {Null(arrow::utf8()), "path"},
                                              {Null(arrow::int64()), "bstart"},
                                              {Null(arrow::int64()), "bend"},
                                              {Null(arrow::utf8()), "file_id"},
                                              {Str("qualified_names"), "task_name"},
                                              {I32(10), "task_priority"}});
  nodes.Union(qnames);
  nodes.OrderBy({{"node_kind"}, {"file_id"}, {"bstart"}, {"bend"}, {"node_id"}});
  return nodes;
}

// --- edges -----------------------------------------------------------------------------------

// SCIP-style symbol roles on edges.
constexpr int32_t kRoleDefinition = 1, kRoleImport = 2, kRoleWrite = 4, kRoleRead = 8;

struct EdgeSpec {
  Source source;
  std::string kind;
  Expr src, dst;
  std::optional<Expr> origin, method, score;
  std::optional<int32_t> roles;
  std::optional<std::string> qname_source;
  std::string task;
  int32_t priority;
  // The file of the destination node: the row's own file unless set (null: a qualified name).
  std::optional<Expr> dst_file = std::nullopt;
};

PlanBuilder EdgeRows(PlanBuilder b, const EdgeSpec& e) {
  b.Project({{StableId("edge", {Str(e.kind), e.src, e.dst}), "edge_id"},
             {Str(e.kind), "edge_kind"},
             {e.src, "src_node_id"},
             {e.dst, "dst_node_id"},
             {F("path"), "path"},
             {Cast(F("bstart"), arrow::int64()), "bstart"},
             {Cast(F("bend"), arrow::int64()), "bend"},
             {e.origin.value_or(Null(arrow::utf8())), "origin"},
             {e.method.value_or(Null(arrow::utf8())), "resolution_method"},
             {e.score ? Cast(*e.score, arrow::float64()) : Null(arrow::float64()), "confidence"},
             {e.score ? Cast(*e.score, arrow::float64()) : Null(arrow::float64()), "score"},
             {e.roles ? I32(*e.roles) : Null(arrow::int32()), "symbol_roles"},
             {e.qname_source ? Str(*e.qname_source) : Null(arrow::utf8()), "qname_source"},
             {Null(arrow::utf8()), "ambiguity_group_id"},
             {Str(e.task), "task_name"},
             {I32(e.priority), "task_priority"},
             {F("file_id"), "file_id"},
             {e.dst_file.value_or(F("file_id")), "dst_file_id"}});
  return b;
}

PlanBuilder Edges(const engine::Session& s) {
  const Expr scope = Str("scope_analysis");
  const std::vector<EdgeSpec> specs = {
      {{"scopes", Valid("parent_scope_id")},
       "SCOPE_PARENT",
       F("scope_id"),
       F("parent_scope_id"),
       {},
       {},
       {},
       {},
       {},
       "scopes",
       1},
      {{"bindings", std::nullopt},
       "SCOPE_BINDS",
       F("scope_id"),
       F("binding_id"),
       {},
       {},
       {},
       {},
       {},
       "bindings",
       2},
      {{"bindings", And(Valid("resolved_binding_id"),
                        cp::not_equal(F("resolved_binding_id"), F("binding_id")))},
       "BINDING_RESOLVES_TO",
       F("binding_id"),
       F("resolved_binding_id"),
       scope,
       F("resolved_kind"),
       {},
       {},
       {},
       "bindings",
       2},
      {{"occurrences", Eq("role", "def")},
       "DEF_SITE_OF",
       F("occurrence_id"),
       F("binding_id"),
       {},
       {},
       {},
       kRoleDefinition,
       {},
       "occurrences",
       3},
      {{"occurrences", Eq("role", "use")},
       "USE_SITE_OF",
       F("occurrence_id"),
       F("binding_id"),
       {},
       {},
       {},
       kRoleRead,
       {},
       "occurrences",
       3},
      {{"occurrences", Eq("role", "def")},
       "PY_WRITES",
       F("occurrence_id"),
       F("binding_id"),
       scope,
       F("ctx"),
       {},
       kRoleWrite,
       {},
       "occurrences",
       3},
      {{"occurrences", Eq("role", "use")},
       "PY_READS",
       F("occurrence_id"),
       F("binding_id"),
       scope,
       F("ctx"),
       {},
       kRoleRead,
       {},
       "occurrences",
       3},
      {{"definitions", std::nullopt},
       "PY_DEFINES",
       F("scope_id"),
       F("def_id"),
       Str("syntax"),
       Str("enclosing_scope"),
       {},
       kRoleDefinition,
       {},
       "definitions",
       4},
      {{"references", DottedReference()},
       "PY_REFERENCES",
       F("ref_id"),
       QnameId(F("qualified_name")),
       Str("syntax"),
       // `self.x` in a method of C names C's attribute x; other texts name themselves.
       cp::call("if_else", {cp::equal(F("qualified_name"), F("text")), Str("attribute_text"),
                            Str("self_attribute")}),
       {},
       kRoleRead,
       "reference",
       "references",
       7,
       Null(arrow::utf8())},
      {{"imports", std::nullopt},
       "PY_IMPORTS_SYMBOL",
       F("import_id"),
       QnameId(ImportTarget()),
       Str("import"),
       F("resolved_kind"),
       {},
       kRoleImport,
       "import",
       "imports",
       6,
       Null(arrow::utf8())},
      {{"call_resolutions", Eq("edge_kind", "PY_CALLS_SYMBOL")},
       "PY_CALLS_SYMBOL",
       F("call_id"),
       F("target_def_id"),
       F("origin"),
       F("resolution_method"),
       F("score"),
       {},
       {},
       "call_resolutions",
       5,
       F("target_file_id")},
      {{"call_resolutions", Eq("edge_kind", "PY_CALLS_QNAME")},
       "PY_CALLS_QNAME",
       F("call_id"),
       QnameId(F("target_qualified_name")),
       F("origin"),
       F("resolution_method"),
       F("score"),
       {},
       "call_resolution",
       "call_resolutions",
       5,
       Null(arrow::utf8())},
      {{"type_params", Valid("owner_def_id")},
       "TYPE_PARAM_OF",
       F("type_param_id"),
       F("owner_def_id"),
       {},
       {},
       {},
       {},
       {},
       "type_params",
       8},
      {{"diagnostics", std::nullopt},
       "HAS_DIAGNOSTIC",
       F("file_id"),
       F("diag_id"),
       {},
       {},
       {},
       {},
       {},
       "diagnostics",
       9},
      {{"errors", std::nullopt},
       "HAS_DIAGNOSTIC",
       F("file_id"),
       ErrorDiagId(),
       {},
       {},
       {},
       {},
       {},
       "errors",
       9},
  };
  auto edges = EdgeRows(Scan(s, specs[0].source), specs[0]);
  for (size_t i = 1; i < specs.size(); ++i)
    edges.Union(EdgeRows(Scan(s, specs[i].source), specs[i]));
  // An annotation hangs off the binding of its parameter, or off its definition (returns).
  auto params = PlanBuilder::Scan(s, ExtractTableName("parameters"), {"param_id", "binding_id"});
  params.Project({{F("param_id"), "p_param_id"}, {F("binding_id"), "p_binding_id"}});
  auto annotated = Scan(s, {"annotations", Valid("owner_id")});
  annotated.Join(params, engine::JoinKind::kLeftOuter, {"owner_id"}, {"p_param_id"});
  const EdgeSpec has_annotation{{"annotations", std::nullopt},
                                "HAS_ANNOTATION",
                                cp::call("coalesce", {F("p_binding_id"), F("owner_id")}),
                                F("annotation_id"),
                                {},
                                {},
                                {},
                                {},
                                {},
                                "annotations",
                                7};
  edges.Union(EdgeRows(annotated, has_annotation));
  edges.OrderBy({{"edge_kind"}, {"file_id"}, {"bstart"}, {"bend"}, {"edge_id"}});
  return edges;
}

// --- properties ------------------------------------------------------------------------------

struct PropSpec {
  Source source;
  std::string entity_kind;  // node | edge
  std::string node_kind;    // empty: from the `kind` column
  Expr entity_id;
  std::string key;
  std::string column;
  std::string value_type;  // string | int | float | bool | strings
  std::string task;
  int32_t priority;
};

PlanBuilder PropRows(const engine::Session& s, const PropSpec& p) {
  Source src = p.source;
  src.filter = src.filter ? And(*src.filter, Valid(p.column)) : Valid(p.column);
  auto value = [&](const std::string& type, const std::shared_ptr<arrow::DataType>& arrow_type) {
    return p.value_type == type ? Cast(F(p.column), arrow_type) : Null(arrow_type);
  };
  auto b = Scan(s, src);
  b.Project({{Str(p.entity_kind), "entity_kind"},
             {p.entity_id, "entity_id"},
             {p.node_kind.empty() ? F("kind") : Str(p.node_kind), "node_kind"},
             {Str(p.key), "prop_key"},
             {Str(p.value_type), "value_type"},
             {value("string", arrow::utf8()), "value_string"},
             {value("int", arrow::int64()), "value_int"},
             {value("float", arrow::float64()), "value_float"},
             {value("bool", arrow::boolean()), "value_bool"},
             {value("strings", kStrings), "value_strings"},
             {Str(p.task), "task_name"},
             {I32(p.priority), "task_priority"},
             {F("file_id"), "file_id"}});
  return b;
}

PlanBuilder Props(const engine::Session& s) {
  std::vector<PropSpec> specs;
  auto node = [&](Source src, std::string kind, Expr id, std::string key, std::string column,
                  std::string type, std::string task, int32_t priority) {
    specs.push_back({std::move(src), "node", std::move(kind), std::move(id), std::move(key),
                     std::move(column), std::move(type), std::move(task), priority});
  };
  const Source files{"files", std::nullopt}, scopes{"scopes", std::nullopt},
      bindings{"bindings", std::nullopt}, defs{"definitions", std::nullopt},
      calls{"call_sites", std::nullopt}, imports{"imports", std::nullopt},
      refs{"references", std::nullopt}, tparams{"type_params", std::nullopt},
      diags{"diagnostics", std::nullopt}, defsites{"occurrences", Eq("role", "def")},
      usesites{"occurrences", Eq("role", "use")}, annots{"annotations", std::nullopt};
  for (auto [key, col, type] : {std::tuple{"path", "path", "string"},
                                {"module_name", "module_name", "string"},
                                {"sha256", "sha256", "string"},
                                {"line_count", "line_count", "int"},
                                {"encoding", "encoding", "string"}}) {
    node(files, "PY_FILE", F("file_id"), key, col, type, "files", 0);
  }
  for (auto key : {"scope_kind", "scope_name", "qualified_name"}) {
    node(scopes, "PY_SCOPE", F("scope_id"), key, key, "string", "scopes", 1);
  }
  node(bindings, "PY_BINDING", F("binding_id"), "name", "name", "string", "bindings", 2);
  node(bindings, "PY_BINDING", F("binding_id"), "flags", "flags", "strings", "bindings", 2);
  node(defsites, "PY_DEF_SITE", F("occurrence_id"), "name", "name", "string", "occurrences", 3);
  node(usesites, "PY_USE_SITE", F("occurrence_id"), "name", "name", "string", "occurrences", 3);
  for (auto [key, type] : {std::pair{"def_kind", "string"},
                           {"name", "string"},
                           {"qualified_name", "string"},
                           {"decorators", "strings"},
                           {"is_method", "bool"}}) {
    node(defs, "CST_DEF", F("def_id"), key, key, type, "definitions", 4);
  }
  node(calls, "CST_CALLSITE", F("call_id"), "callee_text", "callee_text", "string", "call_sites",
       5);
  node(calls, "CST_CALLSITE", F("call_id"), "arg_count", "arg_count", "int", "call_sites", 5);
  for (auto [key, type] : {std::pair{"imported_name", "string"},
                           {"asname", "string"},
                           {"module", "string"},
                           {"level", "int"},
                           {"is_star", "bool"}}) {
    node(imports, "CST_IMPORT_ALIAS", F("import_id"), key, key, type, "imports", 6);
  }
  node(refs, "CST_REF", F("ref_id"), "name", "name", "string", "references", 7);
  node(annots, "CST_REF", F("annotation_id"), "name", "annotation_text", "string", "annotations",
       7);
  node(tparams, "TYPE_PARAM", F("type_param_id"), "name", "name", "string", "type_params", 8);
  node(tparams, "TYPE_PARAM", F("type_param_id"), "type_param_kind", "kind", "string",
       "type_params", 8);
  // Source text of a bound, constraints and a PEP 696 default, where there are.
  node(tparams, "TYPE_PARAM", F("type_param_id"), "bound", "bound_text", "string", "type_params",
       8);
  const Source constrained{
      "type_params",
      cp::greater(cp::call("list_value_length", {F("constraints")}), cp::literal(0))};
  node(constrained, "TYPE_PARAM", F("type_param_id"), "constraints", "constraints", "strings",
       "type_params", 8);
  node(tparams, "TYPE_PARAM", F("type_param_id"), "default", "default_text", "string",
       "type_params", 8);
  for (auto [key, type] : {std::pair{"message", "string"}, {"line", "int"}, {"column", "int"}}) {
    node(diags, "", F("diag_id"), key, key, type, "diagnostics", 9);
  }
  const Expr error_id = ErrorDiagId();
  node({"errors", std::nullopt}, "DIAG", error_id, "message", "message", "string", "errors", 9);
  for (const char* kind : {"PY_CALLS_SYMBOL", "PY_CALLS_QNAME"}) {
    const Expr dst = std::string(kind) == "PY_CALLS_SYMBOL" ? F("target_def_id")
                                                            : QnameId(F("target_qualified_name"));
    const Expr edge_id = StableId("edge", {Str(kind), F("call_id"), dst});
    for (auto [key, type] :
         {std::pair{"origin", "string"}, {"resolution_method", "string"}, {"score", "float"}}) {
      specs.push_back({{"call_resolutions", Eq("edge_kind", kind)},
                       "edge",
                       kind,
                       edge_id,
                       key,
                       key,
                       type,
                       "call_resolutions",
                       5});
    }
  }
  auto props = PropRows(s, specs[0]);
  for (size_t i = 1; i < specs.size(); ++i) props.Union(PropRows(s, specs[i]));
  // PY_QUALIFIED_NAME nodes carry their name.
  auto qnames = QualifiedNameRows(s).Project({{Str("node"), "entity_kind"},
                                              {QnameId(F("qualified_name")), "entity_id"},
                                              {Str("PY_QUALIFIED_NAME"), "node_kind"},
                                              {Str("qualified_name"), "prop_key"},
                                              {Str("string"), "value_type"},
                                              {F("qualified_name"), "value_string"},
                                              {Null(arrow::int64()), "value_int"},
                                              {Null(arrow::float64()), "value_float"},
                                              {Null(arrow::boolean()), "value_bool"},
                                              {Null(kStrings), "value_strings"},
                                              {Str("qualified_names"), "task_name"},
                                              {I32(10), "task_priority"},
                                              {Null(arrow::utf8()), "file_id"}});
  props.Union(qnames);
  props.OrderBy({{"entity_kind"}, {"file_id"}, {"entity_id"}, {"prop_key"}});
  return props;
}

// The props of each entity, by file, then in (entity, prop_key) order (the file of an entity is
// one); the pipeline nests them per entity.
PlanBuilder PropsMap(PlanBuilder props) {
  const Expr value =
      cp::call("make_struct",
               {F("value_type"), F("value_string"), F("value_int"), F("value_float"),
                F("value_bool"), F("value_strings")},
               cp::MakeStructOptions({"value_type", "value_string", "value_int", "value_float",
                                      "value_bool", "value_strings"}));
  props.Project({{F("entity_kind"), "entity_kind"},
                 {F("entity_id"), "entity_id"},
                 {F("node_kind"), "node_kind"},
                 {F("file_id"), "file_id"},
                 {F("prop_key"), "prop_key"},
                 {value, "value"}});
  props.OrderBy({{"file_id"}, {"entity_kind"}, {"entity_id"}, {"node_kind"}, {"prop_key"}});
  return props;
}

// The edges of each source (or destination) node, by that node's file, then in edge-id order;
// nested by the pipeline.
PlanBuilder EdgesBy(PlanBuilder edges, const std::string& key, const std::string& file) {
  edges.OrderBy({{file}, {key}, {"edge_kind"}, {"edge_id"}});
  return edges;
}

}  // namespace

std::string ExtractTableName(const std::string& dataset) { return "extract_" + dataset; }

const std::vector<std::string>& QualifiedNameDatasets() {
  static const std::vector<std::string> kDatasets = {"definitions", "imports", "call_resolutions",
                                                     "references"};
  return kDatasets;
}

namespace {

Status AddView(std::vector<CpgView>* views, std::string name, const PlanBuilder& b,
               std::vector<std::string> partition_by, bool ordered,
               std::vector<std::string> cluster_by = {}) {
  ARROW_ASSIGN_OR_RAISE(auto plan, b.Build());
  views->push_back({std::move(name), std::move(plan), std::move(partition_by),
                    std::move(cluster_by), ordered, std::nullopt});
  return Status::OK();
}

}  // namespace

Result<CpgView> BuildQualifiedNamesView(const engine::Session& session) {
  ARROW_RETURN_NOT_OK(engine::RegisterAnatomyFunctions());
  std::vector<CpgView> views;
  ARROW_RETURN_NOT_OK(AddView(&views, kQualifiedNamesView, QualifiedNames(session), {}, false));
  return views[0];
}

Result<std::vector<CpgView>> BuildBaseViews(const engine::Session& session) {
  ARROW_RETURN_NOT_OK(engine::RegisterAnatomyFunctions());
  std::vector<CpgView> views;
  ARROW_RETURN_NOT_OK(
      AddView(&views, "cpg_nodes", Nodes(session), {"node_kind"}, false, {"file_id"}));
  ARROW_RETURN_NOT_OK(
      AddView(&views, "cpg_edges", Edges(session), {"edge_kind"}, false, {"file_id"}));
  ARROW_RETURN_NOT_OK(
      AddView(&views, "cpg_props", Props(session), {"entity_kind"}, false, {"file_id"}));
  return views;
}

Result<CpgView> BuildDerivedView(const engine::Session& session, const std::string& name) {
  std::vector<CpgView> views;
  if (name == "cpg_props_map") {
    ARROW_RETURN_NOT_OK(AddView(&views, name, PropsMap(PlanBuilder::Scan(session, "cpg_props")), {},
                                true, {"file_id"}));
    views.back().nest = {{"entity_kind", "entity_id", "node_kind", "file_id"},
                         {"prop_key", "value"},
                         "props",
                         {},
                         ""};
    return views[0];
  }
  // An edge's source is in the edge's file; its destination is in dst_file_id.
  std::string key, file;
  if (name == "cpg_edges_by_src") {
    key = "src_node_id", file = "file_id";
  } else if (name == "cpg_edges_by_dst") {
    key = "dst_node_id", file = "dst_file_id";
  } else {
    return Status::KeyError("no derived view '", name, "'");
  }
  ARROW_RETURN_NOT_OK(AddView(
      &views, name, EdgesBy(PlanBuilder::Scan(session, "cpg_edges"), key, file), {}, true, {file}));
  std::vector<std::string> values;
  for (const auto& f : views.back().plan.output_schema->fields()) {
    if (f->name() != key && f->name() != file) values.push_back(f->name());
  }
  // Lists into qualified names belong to no file: clustered by the one file pointing into
  // them, which src_file_id names (null for lists of edges from several files).
  views.back().nest = {{key, file}, values, "edges", std::nullopt, ""};
  if (name == "cpg_edges_by_dst") {
    views.back().nest->cluster_unowned_by = file;
    views.back().nest->source_column = "src_file_id";
  }
  return views[0];
}

Result<std::vector<CpgView>> BuildDerivedViews(const engine::Session& session) {
  std::vector<CpgView> views;
  for (const char* name : {"cpg_props_map", "cpg_edges_by_src", "cpg_edges_by_dst"}) {
    ARROW_ASSIGN_OR_RAISE(auto view, BuildDerivedView(session, name));
    views.push_back(std::move(view));
  }
  return views;
}

Result<std::shared_ptr<arrow::Table>> WithContractNullability(
    const std::string& view, const std::shared_ptr<arrow::Table>& table) {
  static const std::map<std::string, std::vector<std::string>> kNotNull = {
      {"cpg_nodes", {"node_id", "node_kind"}},
      {"cpg_edges", {"edge_id", "edge_kind", "src_node_id", "dst_node_id"}},
      {"cpg_props", {"entity_kind", "entity_id", "prop_key", "value_type"}}};
  auto it = kNotNull.find(view);
  if (it == kNotNull.end()) return table;
  arrow::FieldVector fields = table->schema()->fields();
  for (const auto& name : it->second) {
    const int i = table->schema()->GetFieldIndex(name);
    if (i < 0) return Status::Invalid(view, " has no column ", name);
    if (table->column(i)->null_count() > 0) {
      return Status::Invalid(view, ".", name, " is NOT NULL but holds ",
                             table->column(i)->null_count(), " nulls");
    }
    fields[i] = fields[i]->WithNullable(false);
  }
  return arrow::Table::Make(arrow::schema(fields, table->schema()->metadata()), table->columns(),
                            table->num_rows());
}

}  // namespace anatomy::cpg
