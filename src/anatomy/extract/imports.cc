// Import statements: one row per imported alias, and the DEF_IMPORT binding it creates.
#include "anatomy/extract/analyzer_internal.h"

namespace anatomy::extract::internal {
namespace {

// `from ..a import b` inside package module `pkg.sub.mod` resolves against `pkg.sub`
// (or `pkg.sub.mod` itself when the file is a package's __init__.py).
std::string ResolveRelative(const std::string& module, bool is_package, int32_t level,
                            std::string_view rest) {
  std::string base = module;
  int32_t drop = is_package ? level - 1 : level;
  for (int32_t i = 0; i < drop; ++i) {
    size_t dot = base.rfind('.');
    base = dot == std::string::npos ? std::string() : base.substr(0, dot);
  }
  if (rest.empty()) return base;
  return base.empty() ? std::string(rest) : base + "." + std::string(rest);
}

}  // namespace

void Analyzer::HandleImport(TSNode n, uint32_t scope, NK kind) {
  const std::string& path = out_.file.path;
  bool is_package = path.size() >= 11 && path.substr(path.size() - 11) == "__init__.py";
  std::string module_text, module;
  int32_t level = 0;
  bool is_from = kind != NK::import_statement;
  TSNode module_node{};
  if (kind == NK::import_from_statement) {
    module_node = Field(n, f_.module_name);
    module_text = std::string(Text(module_node));
    if (KindOf(module_node) == NK::relative_import) {
      size_t start = NamedChildren(module_node, kids_);
      std::string_view rest;
      for (size_t i = start; i < kids_.size(); ++i) {
        if (KindOf(kids_[i]) == NK::import_prefix)
          level = static_cast<int32_t>(Text(kids_[i]).size());
        if (KindOf(kids_[i]) == NK::dotted_name) rest = Text(kids_[i]);
      }
      kids_.resize(start);
      module = ResolveRelative(out_.file.module_name, is_package, level, rest);
    } else {
      module = module_text;
    }
  } else if (kind == NK::future_import_statement) {
    module_text = module = "__future__";
  }
  auto emit = [&](TSNode whole, TSNode name_node, TSNode alias_node) {
    ImportRow r;
    r.module_text = module_text;
    r.level = level;
    r.is_from = is_from;
    r.span = SpanOf(whole);
    r.line = static_cast<int32_t>(StartPoint(whole).row) + 1;
    r.scope_id = std::to_string(scope);
    std::string_view name = Text(name_node);
    if (!ts_node_is_null(alias_node)) r.asname = std::string(Text(alias_node));
    std::string_view bound;
    if (is_from) {
      r.module = module;
      r.imported_name = std::string(name);
      bound = r.asname ? std::string_view(*r.asname) : name;
    } else {
      r.module = std::string(name);
      r.module_text = std::string(name);
      if (r.asname) {
        bound = *r.asname;
      } else {
        size_t dot = name.find('.');
        bound = dot == std::string_view::npos ? name : name.substr(0, dot);
      }
    }
    TSNode site = ts_node_is_null(alias_node) ? name_node : alias_node;
    uint32_t sym = AddDef(scope, bound, kDefImport, site, "def", "import");
    out_.imports.push_back(std::move(r));
    import_bindings_.push_back({out_.imports.size() - 1, scope, sym});
  };
  size_t start = NamedChildren(n, kids_);
  std::vector<TSNode> kids(kids_.begin() + static_cast<ptrdiff_t>(start), kids_.end());
  kids_.resize(start);
  for (TSNode k : kids) {
    if (!ts_node_is_null(module_node) && ts_node_eq(k, module_node)) continue;
    switch (KindOf(k)) {
      case NK::dotted_name:
        emit(k, k, TSNode{});
        break;
      case NK::aliased_import:
        emit(k, Field(k, f_.name), Field(k, f_.alias));
        break;
      case NK::wildcard_import: {
        ImportRow r;
        r.module_text = module_text;
        r.module = module;
        r.level = level;
        r.is_from = true;
        r.is_star = true;
        r.imported_name = "*";
        r.span = SpanOf(k);
        r.line = static_cast<int32_t>(StartPoint(k).row) + 1;
        r.scope_id = std::to_string(scope);
        out_.imports.push_back(std::move(r));
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace anatomy::extract::internal
