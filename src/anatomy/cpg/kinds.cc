#include "anatomy/cpg/kinds.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <map>
#include <string>

namespace anatomy::cpg {

namespace {

using VT = ValueType;

constexpr PropSpec kFileProps[] = {{"path", VT::kString},
                                   {"module_name", VT::kString},
                                   {"sha256", VT::kString},
                                   {"line_count", VT::kInt},
                                   {"encoding", VT::kString}};
constexpr PropSpec kScopeProps[] = {
    {"scope_kind", VT::kString}, {"scope_name", VT::kString}, {"qualified_name", VT::kString}};
constexpr PropSpec kBindingProps[] = {{"name", VT::kString}, {"flags", VT::kStrings}};
constexpr PropSpec kDefProps[] = {{"def_kind", VT::kString},
                                  {"name", VT::kString},
                                  {"qualified_name", VT::kString},
                                  {"decorators", VT::kStrings},
                                  {"is_method", VT::kBool}};
constexpr PropSpec kCallProps[] = {{"callee_text", VT::kString}, {"arg_count", VT::kInt}};
constexpr PropSpec kImportProps[] = {{"imported_name", VT::kString},
                                     {"asname", VT::kString},
                                     {"module", VT::kString},
                                     {"level", VT::kInt},
                                     {"is_star", VT::kBool}};
constexpr PropSpec kQnameProps[] = {{"qualified_name", VT::kString}};
constexpr PropSpec kDiagProps[] = {
    {"message", VT::kString}, {"line", VT::kInt}, {"column", VT::kInt}};
constexpr PropSpec kNameProps[] = {{"name", VT::kString}};

constexpr NodeKindSpec kNodeKinds[] = {
    {"PY_FILE", "file", "a Python source file", kFileProps},
    {"PY_SCOPE", "scope", "a scope: module, class, function, lambda, comprehension, ...",
     kScopeProps},
    {"PY_BINDING", "binding", "a name bound in a scope", kBindingProps},
    {"PY_DEF_SITE", "defsite", "a place where a binding is assigned", kNameProps},
    {"PY_USE_SITE", "usesite", "a place where a binding is read", kNameProps},
    {"CST_DEF", "def", "a function, class or lambda definition", kDefProps},
    {"CST_CALLSITE", "call", "a call expression", kCallProps},
    {"CST_IMPORT_ALIAS", "import", "one imported name of an import statement", kImportProps},
    {"CST_REF", "ref", "a name or attribute reference", kNameProps},
    {"TYPE_PARAM", "typeparam", "a PEP 695 type parameter", kNameProps},
    {"PY_QUALIFIED_NAME", "qname", "a dotted qualified name", kQnameProps},
    {"TS_ERROR", "tserror", "a tree-sitter ERROR node", kDiagProps},
    {"TS_MISSING", "tsmissing", "a tree-sitter MISSING node", kDiagProps},
    {"DIAG", "diag", "a diagnostic", kDiagProps},
};

constexpr std::span<const std::string_view> kNone{};
constexpr std::string_view kPy[] = {"origin", "resolution_method"};
constexpr std::string_view kPyCall[] = {"origin", "resolution_method", "score"};

constexpr EdgeKindSpec kEdgeKinds[] = {
    {"SCOPE_PARENT", "PY_SCOPE", "PY_SCOPE", "a scope to its enclosing scope", kNone},
    {"SCOPE_BINDS", "PY_SCOPE", "PY_BINDING", "a scope to a name it binds", kNone},
    {"DEF_SITE_OF", "PY_DEF_SITE", "PY_BINDING", "an assignment site to its binding", kNone},
    {"USE_SITE_OF", "PY_USE_SITE", "PY_BINDING", "a read site to its binding", kNone},
    {"BINDING_RESOLVES_TO", "PY_BINDING", "PY_BINDING", "a free name to the binding it refers to",
     kPy},
    {"PY_DEFINES", "PY_SCOPE", "CST_DEF", "a scope to a definition in it", kPy},
    {"PY_REFERENCES", "CST_REF", "PY_BINDING", "a reference to the binding it names", kPy},
    {"PY_READS", "PY_USE_SITE", "PY_BINDING", "a read of a binding", kPy},
    {"PY_WRITES", "PY_DEF_SITE", "PY_BINDING", "a write of a binding", kPy},
    {"PY_IMPORTS_SYMBOL", "CST_IMPORT_ALIAS", "PY_QUALIFIED_NAME",
     "an import to the name it imports", kPy},
    {"PY_CALLS_SYMBOL", "CST_CALLSITE", "CST_DEF", "a call resolved to a definition", kPyCall},
    {"PY_CALLS_QNAME", "CST_CALLSITE", "PY_QUALIFIED_NAME", "a call to its best qualified name",
     kPyCall},
    {"TYPE_PARAM_OF", "TYPE_PARAM", "CST_DEF", "a type parameter to its owner", kNone},
    {"HAS_ANNOTATION", "PY_BINDING|CST_DEF", "CST_REF",
     "a parameter's binding (or a definition, for its return) to its annotation", kNone},
    {"HAS_DIAGNOSTIC", "PY_FILE", "TS_ERROR|TS_MISSING|DIAG", "a file to a diagnostic in it",
     kNone},
};

template <typename Spec>
Result<const Spec*> Find(std::span<const Spec> specs, std::string_view name, const char* what) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return Status::KeyError("unknown ", what, " kind '", name, "'");
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case VT::kString:
      return "string";
    case VT::kInt:
      return "int";
    case VT::kFloat:
      return "float";
    case VT::kBool:
      return "bool";
    case VT::kStrings:
      return "strings";
  }
  return "string";
}

Result<std::map<std::string, int64_t>> CountByKind(const arrow::Table& table,
                                                   const std::string& column) {
  auto col = table.GetColumnByName(column);
  if (!col) return Status::Invalid("table has no column '", column, "'");
  std::map<std::string, int64_t> counts;
  ARROW_ASSIGN_OR_RAISE(auto counted, arrow::compute::ValueCounts(col));
  auto values = counted->GetFieldByName("values");
  auto ns = std::static_pointer_cast<arrow::Int64Array>(counted->GetFieldByName("counts"));
  for (int64_t i = 0; i < counted->length(); ++i) {
    if (values->IsNull(i)) {
      counts["<null>"] += ns->Value(i);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto scalar, values->GetScalar(i));
    counts[scalar->ToString()] += ns->Value(i);
  }
  return counts;
}

std::span<const NodeKindSpec> NodeKinds() { return kNodeKinds; }
std::span<const EdgeKindSpec> EdgeKinds() { return kEdgeKinds; }

Result<const NodeKindSpec*> FindNodeKind(std::string_view name) {
  return Find(NodeKinds(), name, "node");
}
Result<const EdgeKindSpec*> FindEdgeKind(std::string_view name) {
  return Find(EdgeKinds(), name, "edge");
}

Status CheckEdges(const arrow::Table& edges) {
  namespace cp = arrow::compute;
  ARROW_ASSIGN_OR_RAISE(auto counts, CountByKind(edges, "edge_kind"));
  for (const auto& [kind, n] : counts) {
    ARROW_ASSIGN_OR_RAISE(const EdgeKindSpec* spec, FindEdgeKind(kind));
    if (spec->required_columns.empty()) continue;
    ARROW_ASSIGN_OR_RAISE(auto mask, cp::CallFunction("equal", {edges.GetColumnByName("edge_kind"),
                                                                arrow::MakeScalar(kind)}));
    for (auto column : spec->required_columns) {
      auto col = edges.GetColumnByName(std::string(column));
      if (!col) return Status::Invalid("cpg_edges has no column '", column, "'");
      ARROW_ASSIGN_OR_RAISE(auto selected, cp::Filter(col, mask));
      const int64_t missing = selected.chunked_array()->null_count();
      if (missing > 0) {
        return Status::Invalid("edge kind ", kind, " requires '", column, "' but ", missing, " of ",
                               n, " edges lack it");
      }
    }
  }
  return Status::OK();
}

Status CheckNodes(const arrow::Table& nodes) {
  ARROW_ASSIGN_OR_RAISE(auto counts, CountByKind(nodes, "node_kind"));
  for (const auto& [kind, n] : counts) ARROW_RETURN_NOT_OK(FindNodeKind(kind).status());
  auto ids = nodes.GetColumnByName("node_id");
  if (!ids) return Status::Invalid("cpg_nodes has no column 'node_id'");
  if (ids->null_count() > 0) return Status::Invalid(ids->null_count(), " nodes have no node_id");
  return Status::OK();
}

}  // namespace anatomy::cpg
