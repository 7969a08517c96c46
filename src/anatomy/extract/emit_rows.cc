// Turns the analyzer's indices into rows with stable ids, and collects syntax diagnostics.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "anatomy/core/hash.h"
#include "anatomy/extract/analyzer_internal.h"

namespace anatomy::extract::internal {
namespace {

std::string Id(std::string_view prefix, std::initializer_list<core::IdPart> parts) {
  return core::StableId(prefix, parts);
}

// Calls visit(node) on the nodes of the tree that hold an error, in order, and descends into
// a node's children when visit returns true and one of them holds an error.
template <typename Visit>
void WalkErrors(TSNode root, Visit&& visit) {
  if (!ts_node_has_error(root)) return;
  TSTreeCursor c = ts_tree_cursor_new(root);
  bool descend = true;
  for (;;) {
    if (descend) {
      TSNode n = ts_tree_cursor_current_node(&c);
      if (visit(n) && ts_node_has_error(n) && ts_tree_cursor_goto_first_child(&c)) continue;
    }
    if (ts_tree_cursor_goto_next_sibling(&c)) {
      descend = true;
    } else if (ts_tree_cursor_goto_parent(&c)) {
      descend = false;
    } else {
      break;
    }
  }
  ts_tree_cursor_delete(&c);
}

}  // namespace

size_t CountErrorNodes(TSNode root) {
  size_t count = 0;
  WalkErrors(root, [&](TSNode n) {
    if (ts_node_is_error(n) || ts_node_is_missing(n)) ++count;
    return true;
  });
  return count;
}

void CollectDiagnostics(TSNode root, std::string_view src, const LineIndex* lines,
                        const std::vector<Span>& recovered, FileOutput& out) {
  std::map<std::string, int> same_span;  // zero-width MISSING nodes can share a span
  WalkErrors(root, [&](TSNode n) {
    bool err = ts_node_is_error(n), missing = ts_node_is_missing(n);
    if (err && std::binary_search(recovered.begin(), recovered.end(), SpanOf(n), SpanLess)) {
      return false;  // its pieces were read too
    }
    if (err || missing) {
      DiagnosticRow d;
      d.kind = err ? "TS_ERROR" : "TS_MISSING";
      d.span = SpanOf(n);
      TSPoint p = StartPoint(n, lines);
      d.line = static_cast<int32_t>(p.row) + 1;
      d.column = static_cast<int32_t>(p.column);
      if (missing) {
        d.message = std::string("missing ") + ts_node_type(n);
      } else {
        std::string_view t = src.substr(static_cast<size_t>(d.span.bstart),
                                        static_cast<size_t>(d.span.bend - d.span.bstart));
        size_t nl = t.find('\n');
        if (nl != std::string_view::npos) t = t.substr(0, nl);
        if (t.size() > 40) t = t.substr(0, 40);
        d.message = "syntax error at '" + std::string(t) + "'";
      }
      std::string span =
          d.kind + ":" + std::to_string(d.span.bstart) + ":" + std::to_string(d.span.bend);
      int ordinal = same_span[span]++;
      d.diag_id = Id("diag", {out.file.path, span, std::to_string(ordinal)});
      out.diagnostics.push_back(std::move(d));
    }
    return true;
  });
}

void Analyzer::EmitRows() {
  const std::string& path = out_.file.path;
  // Scope ids: (path, kind, qualified name, ordinal among equal (kind, qualified name)).
  std::vector<std::string> scope_ids(scopes_.size());
  std::map<std::pair<int, std::string>, int> ordinals;
  for (size_t i = 0; i < scopes_.size(); ++i) {
    const Scope& s = scopes_[i];
    int ord = ordinals[{static_cast<int>(s.kind), s.qualname}]++;
    scope_ids[i] = Id("py_scope", {path, ScopeKindName(s.kind), s.qualname, std::to_string(ord)});
  }
  std::vector<std::string> def_ids(out_.definitions.size());
  std::map<std::string, int> def_ordinals;
  for (size_t i = 0; i < out_.definitions.size(); ++i) {
    auto& d = out_.definitions[i];
    int ord = def_ordinals[d.qualified_name]++;
    def_ids[i] = Id("cst_def", {path, d.qualified_name, std::to_string(ord)});
  }
  // Binding ids (flat, scope by scope) and rows.
  std::vector<size_t> base(scopes_.size());
  for (size_t i = 0; i < scopes_.size(); ++i) {
    base[i] = out_.binding_ids.size();
    for (const Sym& sym : scopes_[i].syms) {
      out_.binding_ids.push_back(Id("py_binding", {scope_ids[i], name_store_[sym.name]}));
    }
  }
  // The binding a symbol denotes at run time (CPython's scope rules) and how it was found.
  auto resolve = [&](uint32_t si, const Sym& sym) -> std::pair<int64_t, const char*> {
    auto at = [&](uint32_t s, size_t k) { return static_cast<int64_t>(base[s] + k); };
    switch (sym.res) {
      case Resolution::kLocal:
      case Resolution::kCell:
        return {at(si, static_cast<size_t>(&sym - scopes_[si].syms.data())), "local"};
      case Resolution::kFree: {
        if (name_store_[sym.name] == "__class__") return {-1, "class_cell"};
        for (uint32_t p = scopes_[si].parent; p != kNone; p = scopes_[p].parent) {
          if (scopes_[p].kind == ScopeKind::kClass) continue;
          int32_t k = FindSym(p, sym.name);
          if (k < 0) continue;
          const Sym& ps = scopes_[p].syms[static_cast<size_t>(k)];
          if (ps.res == Resolution::kLocal || ps.res == Resolution::kCell) {
            return {at(p, static_cast<size_t>(k)), "enclosing"};
          }
        }
        return {-1, "unresolved"};
      }
      case Resolution::kGlobalExplicit:
      case Resolution::kGlobalImplicit: {
        if (int32_t c = SeenClassSym(si, sym.name); c >= 0) {
          const uint32_t cls = scopes_[si].class_entry;
          const uint32_t flags = scopes_[cls].syms[static_cast<size_t>(c)].flags;
          if ((flags & kDefBound) && !(flags & (kDefNonlocal | kDefGlobal)))
            return {at(cls, static_cast<size_t>(c)), "class"};
        }
        int32_t k = FindSym(0, sym.name);
        if (k >= 0 && (scopes_[0].syms[static_cast<size_t>(k)].flags & (kDefBound | kDefGlobal))) {
          return {at(0, static_cast<size_t>(k)), "global"};
        }
        return {-1, "builtin"};
      }
    }
    return {-1, "unresolved"};
  };
  auto resolve_opt = [&](uint32_t si, const Sym& sym, OptStr& target, std::string& kind) {
    auto [idx, k] = resolve(si, sym);
    if (idx >= 0) target = out_.binding_ids[static_cast<size_t>(idx)];
    kind = k;
  };
  out_.names.assign(name_store_.begin(), name_store_.end());
  out_.scope_ids = scope_ids;
  for (size_t i = 0; i < scopes_.size(); ++i) {
    const Scope& s = scopes_[i];
    ScopeRow r;
    if (s.parent != kNone) r.parent = s.parent;
    r.scope_kind = ScopeKindName(s.kind);
    r.scope_name = s.name;
    r.qualified_name = s.qualname;
    r.def = s.def_index;
    r.line = s.line;
    r.span = s.span;
    out_.scopes.push_back(std::move(r));
    for (size_t k = 0; k < s.syms.size(); ++k) {
      const Sym& sym = s.syms[k];
      BindingRow b;
      b.scope = static_cast<uint32_t>(i);
      b.name = sym.name;
      b.flag_bits = sym.flags;
      b.resolution = sym.res;
      b.module_scope = s.kind == ScopeKind::kModule;
      b.span = sym.first.bstart >= 0 ? sym.first : s.span;
      std::tie(b.resolved, b.resolved_kind) = resolve(static_cast<uint32_t>(i), sym);
      out_.bindings.push_back(b);
    }
  }
  out_.occurrences.reserve(occs_.size());
  for (const PendingOcc& o : occs_) {
    OccurrenceRow r;
    r.binding = static_cast<uint32_t>(base[o.scope] + o.sym);
    r.scope = o.scope;
    r.name = scopes_[o.scope].syms[o.sym].name;
    r.role = OccurrenceWordCode(o.role);
    r.ctx = OccurrenceWordCode(o.ctx);
    r.line = o.line;
    r.column = o.column;
    r.span = o.span;
    out_.occurrences.push_back(r);
  }
  auto binding_id = [&](uint32_t s, uint32_t k) { return out_.binding_ids[base[s] + k]; };
  for (size_t i = 0; i < out_.definitions.size(); ++i) {
    auto& d = out_.definitions[i];
    d.def_id = def_ids[i];
    auto [bs, bk] = def_binding_[i];
    if (bs != kNone) d.binding = static_cast<int64_t>(base[bs] + bk);
  }
  // Parameter and type parameter ids are (owner, name) and the ordinal of a repeated name
  // (`def f(a, a)`, `class C[T, T]`: CPython's SyntaxError, parsed by tree-sitter): OwnedId.
  std::map<std::pair<std::string, std::string>, uint32_t> name_ordinals;
  // The ids themselves are made once, when the table is built; here only an annotation's owner.
  for (auto& p : out_.parameters) p.ordinal = name_ordinals[{def_ids[p.def], p.name}]++;
  for (const auto& pb : param_bindings_)
    out_.parameters[pb.row].binding = static_cast<int64_t>(base[pb.scope] + pb.sym);
  std::vector<bool> star_import_scope(scopes_.size(), false);  // any name may be rebound there
  for (size_t i = 0; i < out_.imports.size(); ++i) {
    auto& r = out_.imports[i];
    if (r.is_star) star_import_scope[std::stoul(r.scope_id)] = true;
    r.scope_id = scope_ids[std::stoul(r.scope_id)];
    r.import_id =
        Id("cst_import", {path, std::to_string(r.span.bstart), std::to_string(r.span.bend)});
  }
  for (const auto& ib : import_bindings_)
    out_.imports[ib.row].binding_id = binding_id(ib.scope, ib.sym);
  MarkRebound();
  first_param_.assign(out_.definitions.size(), -1);
  for (size_t i = 0; i < out_.parameters.size(); ++i)
    if (out_.parameters[i].position == 0)
      first_param_[out_.parameters[i].def] = static_cast<int32_t>(i);
  MarkReturns();
  for (auto& t : out_.type_params) {
    t.scope_id = scope_ids[std::stoul(t.scope_id)];
    if (t.owner_def_id) t.owner_def_id = def_ids[std::stoul(*t.owner_def_id)];
    t.type_param_id =
        OwnedId("type_param", t.scope_id, t.name, name_ordinals[{t.scope_id, t.name}]++);
  }
  for (const auto& tb : tp_bindings_)
    out_.type_params[tb.row].binding_id = binding_id(tb.scope, tb.sym);
  for (auto& a : out_.annotations) {
    a.scope_id = scope_ids[std::stoul(a.scope_id)];
    if (a.owner_id) {
      const std::string& o = *a.owner_id;
      if (o.rfind("param#", 0) == 0) {
        const ParameterRow& p = out_.parameters[std::stoul(o.substr(6))];
        a.owner_id = ParameterId(def_ids[p.def], p);
      } else if (o.rfind("def#", 0) == 0) {
        a.owner_id = def_ids[std::stoul(o.substr(4))];
      } else if (o.rfind("bind#", 0) == 0) {
        size_t hash = o.find('#', 5);
        a.owner_id = binding_id(static_cast<uint32_t>(std::stoul(o.substr(5, hash - 5))),
                                static_cast<uint32_t>(std::stoul(o.substr(hash + 1))));
      }
    }
    a.annotation_id =
        Id("annotation", {path, std::to_string(a.span.bstart), std::to_string(a.span.bend)});
  }
  // What the first name of a dotted chain denotes in a scope (for cross-file resolution).
  auto head = [&](uint32_t scope, const std::string& chain_text, OptStr& target,
                  std::string& kind) {
    size_t end = chain_text.find_first_of(".[(");
    int32_t k = FindSym(scope, Intern(chain_text.substr(0, end)));
    if (k >= 0) resolve_opt(scope, scopes_[scope].syms[static_cast<size_t>(k)], target, kind);
  };
  for (size_t i = 0; i < out_.definitions.size(); ++i) {
    auto& d = out_.definitions[i];
    for (const auto& b : d.bases) {
      d.base_heads.emplace_back();
      head(d.scope, b, d.base_heads.back().first, d.base_heads.back().second);
    }
    if (d.metaclass) head(d.scope, *d.metaclass, d.metaclass_head.first, d.metaclass_head.second);
  }
  for (size_t i = 0; i < out_.calls.size(); ++i) {
    auto& c = out_.calls[i];
    auto& chain = out_.call_chains[i];
    if (!chain.chain.empty() && !chain.via_super && !chain.literal)
      head(c.scope_index, chain.chain[0], chain.head_target, chain.head_kind);
    for (uint32_t s = c.scope_index; s != kNone; s = scopes_[s].parent) {
      if (scopes_[s].def_index >= 0) {
        c.enclosing_def = static_cast<int32_t>(scopes_[s].def_index);
        break;
      }
    }
  }
  LinkCallResults(star_import_scope, head);
  EmitAll();
}

void Analyzer::MarkRebound() {
  // The def sites of the bindings definitions bind, in source order. Neither `del f` nor the
  // end of `except E as f` binds a value (what a call before them saw stays; after them,
  // nothing is bound), nor does an annotation without one (`f: Callable`).
  const uint8_t def = OccurrenceWordCode("def"), del = OccurrenceWordCode("del"),
                unbind = OccurrenceWordCode("except_unbind"),
                annotated = OccurrenceWordCode("annotated"), param = OccurrenceWordCode("param");
  std::vector<std::vector<int32_t>> sites(out_.bindings.size());
  std::vector<bool> wanted(out_.bindings.size(), false), parameter(out_.bindings.size(), false);
  for (const auto& d : out_.definitions)
    if (d.binding >= 0) wanted[Denoted(static_cast<uint32_t>(d.binding))] = true;
  for (const auto& o : out_.occurrences) {
    if (o.role != def || o.ctx == del || o.ctx == unbind || o.ctx == annotated) continue;
    const uint32_t b = Denoted(o.binding);
    if (!wanted[b]) continue;
    sites[b].push_back(o.span.bstart);
    parameter[b] = parameter[b] || o.ctx == param;
  }
  // `except` clauses by start, each with the clause it is nested in (syntax nodes nest or
  // are disjoint), so that the clauses around a site are a short walk up from the last one
  // starting before it: bounded work however many clauses and sites a hostile file has.
  std::sort(handlers_.begin(), handlers_.end(),
            [](const auto& a, const auto& b) { return a.second.bstart < b.second.bstart; });
  std::vector<int64_t> outer(handlers_.size(), -1);
  std::vector<int64_t> open;
  for (size_t i = 0; i < handlers_.size(); ++i) {
    while (!open.empty() && handlers_[open.back()].second.bend <= handlers_[i].second.bstart)
      open.pop_back();
    if (!open.empty()) outer[i] = open.back();
    open.push_back(static_cast<int64_t>(i));
  }
  // A site in an `except` clause whose try statement binds the name before it is a fallback
  // (`try: from _c import f` / `except ImportError: def f(...)`): the name holds it only when
  // the try failed, so it neither is what the name holds nor binds over an earlier site.
  auto fallback = [&](const std::vector<int32_t>& s, int32_t at) {
    auto after = std::upper_bound(handlers_.begin(), handlers_.end(), at,
                                  [](int32_t v, const auto& h) { return v < h.second.bstart; });
    for (int64_t i = (after - handlers_.begin()) - 1; i >= 0; i = outer[i]) {
      const auto& [try_start, clause] = handlers_[static_cast<size_t>(i)];
      if (at >= clause.bend) continue;  // ends before the site; an outer clause may not
      auto first = std::lower_bound(s.begin(), s.end(), try_start);
      if (first != s.end() && *first < clause.bstart) return true;
    }
    return false;
  };
  // Per binding, its last site that is not a fallback.
  std::vector<int32_t> last_site(out_.bindings.size(), -1);
  for (size_t b = 0; b < sites.size(); ++b) {
    if (sites[b].size() < 2) continue;  // one site is neither rebound nor a fallback
    std::sort(sites[b].begin(), sites[b].end());
    for (int32_t at : sites[b])
      if (!fallback(sites[b], at)) last_site[b] = at;
  }
  int32_t last_star = -1;  // star imports are only allowed at module level
  for (const auto& r : out_.imports)
    if (r.is_star) last_star = std::max(last_star, r.span.bstart);
  for (auto& d : out_.definitions) {
    if (d.binding < 0) continue;
    const uint32_t b = Denoted(static_cast<uint32_t>(d.binding));
    const int32_t at = d.name_span.bstart;
    // A parameter's name defined in the body (`if predicate is None: def predicate(...)`):
    // the call may see the argument.
    const bool later =
        parameter[b] || last_site[b] > at || (sites[b].size() > 1 && fallback(sites[b], at));
    if (later) {
      d.rebound = DefinitionRow::Rebound::kSite;
    } else if (out_.bindings[b].module_scope && last_star > at) {
      d.rebound = DefinitionRow::Rebound::kStar;
    }
  }
}

void Analyzer::EmitAll() {
  auto name = name_ids_.find("__all__");
  const int32_t k = name == name_ids_.end() ? -1 : FindSym(0, name->second);
  if (k < 0 || !(scopes_[0].syms[static_cast<size_t>(k)].flags & (kDefBound | kDefGlobal))) return;
  // Every def site of the module's `__all__` (a `global __all__` elsewhere assigns it too) must
  // be one read here: else something else binds it.
  const uint8_t def = OccurrenceWordCode("def");
  int sites = 0;
  for (const auto& o : out_.occurrences)
    sites += o.role == def && Denoted(o.binding) == static_cast<uint32_t>(k);
  const bool read =
      !all_dynamic_ && all_assignments_ == 1 && sites == all_assignments_ + all_augments_;
  out_.file.all_kind = read ? "static" : "dynamic";
  if (read) out_.file.all_names = std::move(all_names_);
}

namespace {

bool IsDottedName(std::string_view s) {
  bool start = true;
  for (unsigned char c : s) {
    if (c == '.') {
      if (start) return false;
      start = true;
    } else if (c == '_' || std::isalpha(c) || c >= 0x80 || (!start && std::isdigit(c))) {
      start = false;
    } else {
      return false;
    }
  }
  return !start;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::vector<std::string>> DeclaredClass(std::string_view annotation) {
  std::string_view t = Trim(annotation);
  if (t.size() >= 2 && (t.front() == '"' || t.front() == '\'') && t.back() == t.front())
    t = Trim(t.substr(1, t.size() - 2));  // a forward reference
  for (std::string_view optional : {"Optional[", "typing.Optional["}) {
    if (t.substr(0, optional.size()) == optional && t.back() == ']')
      t = Trim(t.substr(optional.size(), t.size() - optional.size() - 1));
  }
  if (size_t bar = t.find('|'); bar != std::string_view::npos) {  // `T | None`, `None | T`
    std::string_view a = Trim(t.substr(0, bar)), b = Trim(t.substr(bar + 1));
    if (a == "None") {
      t = b;
    } else if (b == "None") {
      t = a;
    } else {
      return std::nullopt;
    }
  }
  // A generic class's instance (`list[int]`, `Box[T]`); `type[C]` is the class C itself.
  if (size_t open = t.find('['); open != std::string_view::npos && t.back() == ']') {
    t = Trim(t.substr(0, open));
    if (t == "type" || t == "Type" || t == "typing.Type") return std::nullopt;
  }
  if (t == "None" || !IsDottedName(t)) return std::nullopt;
  return SplitDots(t);
}

const char* LiteralClass(TSNode n, std::string_view text) {
  switch (KindOf(n)) {
    case NK::string:
    case NK::concatenated_string: {
      std::string_view prefix = text.substr(0, text.find_first_of("'\""));
      if (prefix.find_first_of("bB") != std::string_view::npos) return "bytes";
      if (prefix.find_first_of("tT") != std::string_view::npos) return nullptr;  // PEP 750
      return "str";
    }
    case NK::list:
    case NK::list_comprehension:
      return "list";
    case NK::dictionary:
    case NK::dictionary_comprehension:
      return "dict";
    case NK::set:
    case NK::set_comprehension:
      return "set";
    case NK::tuple:
      return "tuple";
    default:
      return nullptr;
  }
}

namespace {

// Decorators that keep what a call of the function returns.
const std::set<std::string_view>& KeepsReturn() {
  static const std::set<std::string_view> kKeeps{"staticmethod",
                                                 "classmethod",
                                                 "abstractmethod",
                                                 "abc.abstractmethod",
                                                 "override",
                                                 "typing.override",
                                                 "typing_extensions.override"};
  return kKeeps;
}

}  // namespace

void Analyzer::MarkReturns() {
  if (returns_.empty()) return;
  // What every `return` of a scope returns, where they agree: one name, or a call of one
  // callee text (the first such call). A generator's returns are not what a call of it returns.
  struct Agreed {
    const ReturnStatement* first;
    bool agree;
  };
  std::unordered_map<uint32_t, Agreed> returned;
  for (const auto& r : returns_) {
    const bool known = !r.name.empty() || !r.callee.empty();
    auto [it, fresh] = returned.emplace(r.scope, Agreed{&r, known});
    if (!fresh)
      it->second.agree = it->second.agree && known && it->second.first->name == r.name &&
                         it->second.first->callee == r.callee;
  }
  for (uint32_t s : yield_scopes_) returned.erase(s);
  for (size_t di = 0; di < out_.definitions.size(); ++di) {
    DefinitionRow& d = out_.definitions[di];
    auto r = d.body_scope < 0 ? returned.end() : returned.find(static_cast<uint32_t>(d.body_scope));
    const std::string_view kind = d.def_kind;
    if (r == returned.end() || !r->second.agree || (kind != "function" && kind != "async_function"))
      continue;
    const ReturnStatement& ret = *r->second.first;
    const auto& decorators = d.decorators;
    if (!std::all_of(decorators.begin(), decorators.end(),
                     [](const std::string& x) { return KeepsReturn().count(x) > 0; }))
      continue;
    if (!ret.callee.empty()) {
      // A coroutine is what a call of an async function returns.
      if (kind == "async_function") continue;
      d.returns = std::string(ret.callee) + "()";
      returned_calls_.emplace_back(static_cast<uint32_t>(di), ret.call);
      continue;
    }
    // `return self`: a method called on its instance (not a static or class method).
    const int32_t p = first_param_[di];
    const bool self_returned =
        p >= 0 && d.is_method && d.name != "__new__" && out_.parameters[p].name == ret.name;
    if (!self_returned) {
      // Another name: what it holds (LinkCallResults).
      if (kind == "function") returned_names_.emplace_back(static_cast<uint32_t>(di), ret.name);
      continue;
    }
    const ParameterRow& self = out_.parameters[p];
    if (self.binding < 0 ||
        (std::string_view(self.kind) != "normal" && std::string_view(self.kind) != "posonly") ||
        std::any_of(decorators.begin(), decorators.end(),
                    [](const std::string& x) { return x == "staticmethod" || x == "classmethod"; }))
      continue;
    self_returns_.push_back(static_cast<uint32_t>(p));
  }
}

// A read of a name bound more than once holds what its def site D holds (`s =
// Template(a)`, `s.substitute()`, `s = Other(b)`, `s.substitute()`) when D is the nearest def
// site before the read, a statement of a block (`name = call(...)`, `name = literal`) or an
// item of one (`with call(...) as name`), and the read is in a later statement of that block
// (or in that with statement) with no other def site of the name before the read, nor after it
// inside a loop around the read. Every path to the read then runs D after any other def site:
// a loop re-enters the block at its top, and an exception leaves it. Only names no other scope
// assigns (`global`, `nonlocal`), read in their own scope.
void Analyzer::ReachedValues(const std::vector<uint32_t>& def_sites,
                             const std::function<int64_t(const Span&)>& call_of) {
  if (assigned_calls_.empty() && assigned_literals_.empty()) return;
  // The reads: each call's first name at the call's start, of a name with two def sites or
  // more.
  std::vector<std::pair<int32_t, uint32_t>> call_starting;  // (start, call), sorted
  for (size_t c = 0; c < out_.calls.size(); ++c) {
    const CallChain& chain = out_.call_chains[c];
    if (!chain.chain.empty() && chain.receiver < 0 && !chain.via_super && !chain.literal)
      call_starting.emplace_back(out_.calls[c].span.bstart, static_cast<uint32_t>(c));
  }
  std::sort(call_starting.begin(), call_starting.end());
  auto at_start = [](const auto& sorted, int32_t start) -> const auto* {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), start,
                               [](const auto& e, int32_t v) { return e.first < v; });
    return it != sorted.end() && it->first == start ? &it->second : nullptr;
  };
  const uint8_t def = OccurrenceWordCode("def"), use = OccurrenceWordCode("use");
  std::vector<std::pair<uint32_t, uint32_t>> reads;  // (binding, call)
  for (const auto& o : out_.occurrences) {
    if (o.role != use || def_sites[o.binding] < 2 || Denoted(o.binding) != o.binding) continue;
    if (const uint32_t* call = at_start(call_starting, o.span.bstart))
      reads.emplace_back(o.binding, *call);
  }
  if (reads.empty()) return;
  // The def sites of the names read, (binding, start) sorted; a name another scope assigns
  // (`global`, `nonlocal`) is left out.
  enum : uint8_t { kUnread, kRead, kShared };
  std::vector<uint8_t> state(out_.bindings.size(), kUnread);
  for (const auto& r : reads) state[r.first] = kRead;
  std::vector<std::pair<uint32_t, int32_t>> sites;
  for (const auto& o : out_.occurrences) {
    if (o.role != def) continue;
    const uint32_t b = Denoted(o.binding);
    if (state[b] == kUnread) continue;
    if (b == o.binding) {
      sites.emplace_back(b, o.span.bstart);
    } else {
      state[b] = kShared;
    }
  }
  std::sort(sites.begin(), sites.end());
  std::vector<std::pair<int32_t, const AssignedCall*>> call_at;  // by the name's start
  for (const auto& a : assigned_calls_) call_at.emplace_back(a.name.bstart, &a);
  std::sort(call_at.begin(), call_at.end());
  std::vector<std::pair<int32_t, const AssignedLiteral*>> literal_at;
  for (const auto& l : assigned_literals_) literal_at.emplace_back(l.name.bstart, &l);
  std::sort(literal_at.begin(), literal_at.end());
  // Each read with the value of the def site before it and where that site's statement starts.
  struct Reach {
    uint32_t call;
    size_t first, next, last;  // the name's sites in `sites`; its first after the read
    int32_t statement;
    HeldValue value;
  };
  std::vector<Reach> reaches;
  for (const auto& [b, call] : reads) {
    if (state[b] == kShared) continue;
    const int32_t at = out_.calls[call].span.bstart;
    const size_t first =
        std::lower_bound(sites.begin(), sites.end(), std::make_pair(b, INT32_MIN)) - sites.begin();
    const size_t last =
        std::lower_bound(sites.begin(), sites.end(), std::make_pair(b + 1, INT32_MIN)) -
        sites.begin();
    const size_t next =
        std::lower_bound(sites.begin() + first, sites.begin() + last, std::make_pair(b, at)) -
        sites.begin();
    if (next == first) continue;
    const int32_t d = sites[next - 1].second;
    Reach r{call, first, next, last, -1, {}};
    if (const AssignedCall* const* a = at_start(call_at, d)) {
      const int64_t made = call_of((*a)->call);
      if (made < 0) continue;
      r.value.call = static_cast<int32_t>(made);
      r.value.enter = (*a)->enter;
      r.statement = (*a)->statement;
    } else if (const AssignedLiteral* const* l = at_start(literal_at, d)) {
      r.value.type = {(*l)->literal};
      r.value.type_head_kind = "builtin";
      r.statement = (*l)->statement;
    } else {
      continue;
    }
    reaches.push_back(std::move(r));
  }
  if (reaches.empty()) return;
  // Those statements, found by their start in one pass (the innermost of those starting there).
  std::vector<std::pair<int32_t, int64_t>> own;  // (start, statement index or -1), sorted
  for (const auto& r : reaches) own.emplace_back(r.statement, -1);
  std::sort(own.begin(), own.end());
  own.erase(std::unique(own.begin(), own.end()), own.end());
  for (size_t i = 0; i < statements_.size(); ++i) {
    auto it = std::lower_bound(own.begin(), own.end(),
                               std::make_pair(statements_[i].span.bstart, int64_t{-1}));
    if (it == own.end() || it->first != statements_[i].span.bstart) continue;
    if (it->second < 0 || statements_[i].span.bend < statements_[it->second].span.bend)
      it->second = static_cast<int64_t>(i);
  }
  auto contains = [](const Span& s, int32_t at) { return s.bstart <= at && at < s.bend; };
  // Where the outermost loop inside `range` around `at` ends (-1: none); past 64 loops before
  // `at` in `range`, as if one spanned `range` (bounded work for a hostile file).
  std::sort(loops_.begin(), loops_.end(), SpanLess);
  auto loop_end = [&](const Span& range, int32_t at) -> int32_t {
    auto it = std::lower_bound(loops_.begin(), loops_.end(), range.bstart,
                               [](const Span& l, int32_t v) { return l.bstart < v; });
    for (int seen = 0; it != loops_.end() && it->bstart <= at; ++it) {
      if (it->bend > at) return it->bend;  // loops nest or are disjoint: the first is outermost
      if (++seen == 64) return range.bend;
    }
    return -1;
  };
  for (auto& r : reaches) {
    const int32_t at = out_.calls[r.call].span.bstart;
    const int64_t* index = at_start(own, r.statement);
    if (!index || *index < 0 || !contains(statements_[*index].span, sites[r.next - 1].second))
      continue;
    const Statement& statement = statements_[*index];
    // The read's statement among the same block's.
    const auto [first, last] = blocks_[statement.block];
    auto sj = std::upper_bound(statements_.begin() + first, statements_.begin() + last, at,
                               [](int32_t v, const Statement& x) { return v < x.span.bstart; });
    if (sj == statements_.begin() + first || !contains((sj - 1)->span, at)) continue;
    const Span range = (sj - 1)->span;
    const bool same = range.bstart == statement.span.bstart;
    if (same && r.value.enter == HeldValue::kNoEnter) continue;  // `x = x.copy()` reads before
    // No def site of the name in the read's statement before the read (but D, in D's own with
    // statement), nor after it inside a loop around the read (the next turn would run it
    // first): `if c: x.m(); x = B()` reads D's value, `while c: x.m(); x = B()` does not.
    size_t before = 0;
    for (size_t k = r.next; k > r.first && sites[k - 1].second >= range.bstart && before < 2; --k)
      ++before;
    if (before != (same ? 1 : 0)) continue;
    if (r.next != r.last && sites[r.next].second < range.bend &&
        sites[r.next].second < loop_end(range, at))
      continue;
    out_.reached_values.push_back({r.call, std::move(r.value)});
  }
  std::sort(out_.reached_values.begin(), out_.reached_values.end(),
            [](const ReachedValue& x, const ReachedValue& y) { return x.call < y.call; });
}

void Analyzer::LinkCallResults(const std::vector<bool>& star_import_scope,
                               const HeadResolver& head) {
  bool annotated_parameter = false;
  for (const auto& p : out_.parameters) annotated_parameter |= p.annotation_text.has_value();
  // Whether any name, attribute or function may hold a known value.
  const bool holds = !assigned_calls_.empty() || !annotated_names_.empty() || annotated_parameter ||
                     !attribute_calls_.empty() || !attribute_names_.empty() ||
                     !class_annotations_.empty() || !assigned_literals_.empty() ||
                     !return_annotations_.empty() || !assigned_names_.empty() ||
                     !returned_calls_.empty() || !returned_names_.empty() || !self_returns_.empty();
  if (receiver_calls_.empty() && !holds) return;
  std::map<std::pair<int64_t, int64_t>, uint32_t> call_at;  // a call's span is its own
  for (size_t i = 0; i < out_.calls.size(); ++i)
    call_at.emplace(std::make_pair(out_.calls[i].span.bstart, out_.calls[i].span.bend), i);
  auto call_of = [&](const Span& s) -> int64_t {
    auto it = call_at.find({s.bstart, s.bend});
    return it == call_at.end() ? -1 : it->second;
  };
  for (const auto& [call, inner] : receiver_calls_) {
    auto& chain = out_.call_chains[call];
    if (int64_t r = call_of(inner); r >= 0) {
      chain.receiver = static_cast<int32_t>(r);
    } else {
      chain.chain.clear();  // not a call tree-sitter read whole: nothing to follow
    }
  }
  if (!holds) return;
  // Def sites per binding the name denotes.
  const uint8_t def = OccurrenceWordCode("def");
  std::vector<uint32_t> def_sites(out_.bindings.size(), 0);
  std::map<int64_t, uint32_t> def_at;  // start of a def site -> the binding it assigns
  for (const auto& o : out_.occurrences) {
    if (o.role != def) continue;
    const uint32_t b = Denoted(o.binding);
    ++def_sites[b];
    def_at.emplace(o.span.bstart, b);
  }
  // `return self` where the parameter is its name's one def site (`self = other`, `del self`
  // and a nested function's `nonlocal self` assign it again).
  for (uint32_t p : self_returns_) {
    const ParameterRow& self = out_.parameters[p];
    if (def_sites[static_cast<uint32_t>(self.binding)] == 1)
      out_.definitions[self.def].returns = "self";
  }
  auto bound_once = [&](uint32_t b) {
    return def_sites[b] == 1 && !star_import_scope[out_.bindings[b].scope];
  };
  // A class annotation, its first name read where the annotation is evaluated (the scope the
  // function or class is defined in; the variable's own scope), or else among the module's
  // names.
  auto declared = [&](uint32_t scope, const std::string& annotation) -> std::optional<HeldValue> {
    auto chain = DeclaredClass(annotation);
    if (!chain) return std::nullopt;
    HeldValue v{.type = std::move(*chain)};
    head(scope, v.type[0], v.type_head_target, v.type_head_kind);
    if (!v.type_head_target && v.type_head_kind != "builtin")
      head(0, v.type[0], v.type_head_target, v.type_head_kind);
    // A name no scope here binds: a builtin's, if it is one (resolution checks).
    if (!v.type_head_target && v.type_head_kind.empty()) v.type_head_kind = "builtin";
    if (!v.type_head_target && v.type_head_kind != "builtin") return std::nullopt;
    return v;
  };
  // Annotations first: the first entry of a name or attribute is the one resolution reads.
  for (const auto& p : out_.parameters) {
    if (!p.annotation_text || p.binding < 0 || !bound_once(static_cast<uint32_t>(p.binding)))
      continue;
    if (auto v = declared(out_.definitions[p.def].scope, *p.annotation_text))
      out_.instance_bindings.push_back({static_cast<uint32_t>(p.binding), std::move(*v)});
  }
  for (const auto& [name, annotation] : annotated_names_) {
    auto site = def_at.find(name.bstart);
    if (site == def_at.end() || !bound_once(site->second)) continue;
    if (auto v = declared(out_.bindings[site->second].scope, annotation))
      out_.instance_bindings.push_back({site->second, std::move(*v)});
  }
  // A name whose every def site is `name = call(...)` or `with call(...) as name` of one callee
  // text in one scope holds what any of them makes (`c = Counter(a)`, later `c = Counter(b)`).
  struct Calls {
    const AssignedCall* first = nullptr;
    int64_t call = -1;  // the first's
    uint32_t count = 0;
    bool same = true;
  };
  std::map<uint32_t, Calls> calls_by_binding;
  for (const auto& a : assigned_calls_) {
    auto site = def_at.find(a.name.bstart);
    const int64_t call = call_of(a.call);
    if (site == def_at.end() || call < 0) continue;
    Calls& c = calls_by_binding[site->second];
    ++c.count;
    if (!c.first) {
      c.first = &a;
      c.call = call;
      continue;
    }
    const CallRow &x = out_.calls[static_cast<size_t>(c.call)], &y = out_.calls[call];
    c.same = c.same && c.first->enter == a.enter && x.callee_text == y.callee_text &&
             x.scope_index == y.scope_index;
  }
  for (const auto& [b, c] : calls_by_binding) {
    if (c.same && c.count == def_sites[b] && !star_import_scope[out_.bindings[b].scope])
      out_.instance_bindings.push_back(
          {b, HeldValue{.call = static_cast<int32_t>(c.call), .enter = c.first->enter}});
  }
  ReachedValues(def_sites, call_of);
  for (const auto& l : assigned_literals_) {
    auto site = def_at.find(l.name.bstart);
    if (site == def_at.end() || !bound_once(site->second)) continue;
    out_.instance_bindings.push_back(
        {site->second, HeldValue{.type = {l.literal}, .type_head_kind = "builtin"}});
  }
  for (const auto& [name, dotted] : assigned_names_) {
    auto site = def_at.find(name.bstart);
    if (site == def_at.end() || !bound_once(site->second)) continue;
    HeldValue v{.type = SplitDots(dotted)};
    head(out_.bindings[site->second].scope, v.type[0], v.type_head_target, v.type_head_kind);
    if (v.type_head_target || v.type_head_kind == "builtin")
      out_.aliases.push_back({site->second, std::move(v)});
  }
  std::sort(out_.aliases.begin(), out_.aliases.end(),
            [](const Alias& a, const Alias& b) { return a.binding < b.binding; });
  // The bindings table's instance_of: what resolution reads of each (its first entry).
  static constexpr const char* kEntered[] = {"", ".__enter__()", ".__aenter__()"};
  for (const auto& ib : out_.instance_bindings) {
    const HeldValue& v = ib.value;
    out_.instance_of.emplace_back(
        ib.binding,
        v.call >= 0 ? out_.calls[static_cast<size_t>(v.call)].callee_text + "()" + kEntered[v.enter]
                    : JoinDots(v.type));
  }
  std::stable_sort(out_.instance_of.begin(), out_.instance_of.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  out_.instance_of.erase(
      std::unique(out_.instance_of.begin(), out_.instance_of.end(),
                  [](const auto& a, const auto& b) { return a.first == b.first; }),
      out_.instance_of.end());
  // A property reads as its value: an attribute of the class's instances.
  static const std::set<std::string_view> kProperty{"property", "functools.cached_property",
                                                    "cached_property"};
  for (const auto& [di, annotation] : return_annotations_) {
    const DefinitionRow& d = out_.definitions[static_cast<size_t>(di)];
    bool property = false, keeps = true;
    for (const auto& x : d.decorators) {
      property |= kProperty.count(x) > 0;
      keeps &= KeepsReturn().count(x) > 0 || kProperty.count(x) > 0;
    }
    const int32_t cls = scopes_[d.scope].def_index;
    if (!keeps || (property && (!d.is_method || cls < 0))) continue;
    auto v = declared(d.scope, annotation);
    if (!v) continue;
    if (property) {
      out_.instance_attributes.push_back({static_cast<uint32_t>(cls), d.name, std::move(*v)});
    } else {
      out_.returned_values.push_back({static_cast<uint32_t>(di), std::move(*v)});
    }
  }
  // What a name holds, by binding id: its first entry, as resolution reads it.
  std::unordered_map<std::string, const InstanceBinding*> held;
  if (!returned_names_.empty() || !attribute_names_.empty())
    for (const auto& ib : out_.instance_bindings) held.emplace(out_.binding_ids[ib.binding], &ib);
  auto held_in = [&](uint32_t scope, const std::string& name) -> const InstanceBinding* {
    OptStr target;
    std::string kind;
    head(scope, name, target, kind);
    auto it = target ? held.find(*target) : held.end();
    return it == held.end() ? nullptr : it->second;
  };
  // What a function's body returns, where no return annotation declares it (resolution reads
  // a function's first entry): a call, or what the name it returns holds (`x = Foo()`, then
  // `return x`), which the definitions table's returns spells as instance_of does.
  for (const auto& [di, span] : returned_calls_)
    if (const int64_t call = call_of(span); call >= 0)
      out_.returned_values.push_back({di, HeldValue{.call = static_cast<int32_t>(call)}});
  for (const auto& [di, name] : returned_names_) {
    DefinitionRow& d = out_.definitions[di];
    const InstanceBinding* ib = held_in(static_cast<uint32_t>(d.body_scope), name);
    if (!ib) continue;
    out_.returned_values.push_back({di, ib->value});
    auto text = std::lower_bound(out_.instance_of.begin(), out_.instance_of.end(), ib->binding,
                                 [](const auto& e, uint32_t b) { return e.first < b; });
    d.returns = text->second;
  }
  for (const auto& a : class_annotations_) {
    if (a.cls < 0) continue;
    const auto cls = static_cast<uint32_t>(a.cls);
    if (auto v = declared(out_.definitions[cls].scope, a.annotation))
      out_.instance_attributes.push_back({cls, a.name, std::move(*v)});
  }
  if (attribute_calls_.empty() && attribute_names_.empty()) return;
  // `self.x = C()` or `self.x = name` in a method of a class: the file's one store to an
  // attribute named x, in a class whose body binds no x (a class attribute `x = None` is another
  // value of it). The class's definition index, or -1.
  std::map<std::string, uint32_t> attribute_stores;
  for (const auto& r : out_.references)
    if (std::string_view(r.ctx) != "load") ++attribute_stores[r.name];
  auto class_of_store = [&](uint32_t scope, const std::string& object,
                            const std::string& attr) -> int32_t {
    const int32_t method = scopes_[scope].def_index;
    if (method < 0 || attribute_stores[attr] != 1) return -1;
    const DefinitionRow& m = out_.definitions[static_cast<size_t>(method)];
    const int32_t self = first_param_[static_cast<size_t>(method)];
    if (!m.is_method || self < 0 || out_.parameters[self].name != object ||
        std::find(m.decorators.begin(), m.decorators.end(), "staticmethod") != m.decorators.end())
      return -1;
    const int32_t cls = scopes_[m.scope].def_index;
    if (cls < 0) return -1;
    const int32_t body = out_.definitions[static_cast<size_t>(cls)].body_scope;
    if (body >= 0) {
      int32_t k = FindSym(static_cast<uint32_t>(body), Intern(attr));
      if (k >= 0 && (scopes_[body].syms[static_cast<size_t>(k)].flags & kDefBound)) return -1;
    }
    return cls;
  };
  for (const auto& a : attribute_calls_) {
    const int64_t call = call_of(a.call);
    const int32_t cls = call < 0 ? -1 : class_of_store(a.scope, a.object, a.attr);
    if (cls >= 0)
      out_.instance_attributes.push_back(
          {static_cast<uint32_t>(cls), a.attr, HeldValue{.call = static_cast<int32_t>(call)}});
  }
  if (attribute_names_.empty()) return;
  // `self.conn = conn`: what the name holds where it is bound once (`conn: Conn`, `conn =
  // Conn()`), its first entry as resolution reads it.
  for (const auto& a : attribute_names_) {
    const int32_t cls = class_of_store(a.scope, a.object, a.attr);
    if (cls < 0) continue;
    if (const InstanceBinding* ib = held_in(a.scope, a.name))
      out_.instance_attributes.push_back({static_cast<uint32_t>(cls), a.attr, ib->value});
  }
}

}  // namespace anatomy::extract::internal
