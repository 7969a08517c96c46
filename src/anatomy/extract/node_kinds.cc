#include "anatomy/extract/node_kinds.h"

#include <cstring>
#include <string_view>
#include <vector>

namespace anatomy::extract {
namespace {

struct Tables {
  std::vector<NK> kinds;
  Fields fields;
  Tables() {
    const TSLanguage* lang = tree_sitter_python();
    uint32_t n = ts_language_symbol_count(lang);
    kinds.assign(n, NK::kOther);
    for (uint32_t s = 0; s < n; ++s) {
      if (ts_language_symbol_type(lang, static_cast<TSSymbol>(s)) != TSSymbolTypeRegular) continue;
      std::string_view name = ts_language_symbol_name(lang, static_cast<TSSymbol>(s));
#define ANATOMY_NK_MATCH(k) \
  if (name == #k) kinds[s] = NK::k;
      ANATOMY_NODE_KINDS(ANATOMY_NK_MATCH)
#undef ANATOMY_NK_MATCH
    }
#define ANATOMY_FIELD_INIT(f) fields.f = ts_language_field_id_for_name(lang, #f, std::strlen(#f));
    ANATOMY_FIELDS(ANATOMY_FIELD_INIT)
#undef ANATOMY_FIELD_INIT
  }
};

const Tables& T() {
  static const Tables t;
  return t;
}

}  // namespace

NK KindOf(TSNode node) {
  TSSymbol s = ts_node_symbol(node);
  const auto& k = T().kinds;
  return s < k.size() ? k[s] : NK::kOther;
}

const Fields& PyFields() { return T().fields; }

}  // namespace anatomy::extract
