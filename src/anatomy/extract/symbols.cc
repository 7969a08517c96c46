// Symbol tables with CPython's symtable semantics (Python/symtable.c, 3.11): name
// mangling, DEF_* flags, and analyze_block split into a top-down pass (bound and global
// names passed to children) and a bottom-up pass (free names, cells, pass-through frees).
#include <algorithm>

#include "anatomy/extract/analyzer.h"
#include "anatomy/extract/analyzer_internal.h"

namespace anatomy::extract {
namespace internal {
namespace {

using Set = std::vector<uint32_t>;  // sorted, unique

void Add(Set& s, uint32_t v) {
  auto it = std::lower_bound(s.begin(), s.end(), v);
  if (it == s.end() || *it != v) s.insert(it, v);
}
void Discard(Set& s, uint32_t v) {
  auto it = std::lower_bound(s.begin(), s.end(), v);
  if (it != s.end() && *it == v) s.erase(it);
}
void Union(Set& dst, const Set& src) {
  Set out;
  out.reserve(dst.size() + src.size());
  std::set_union(dst.begin(), dst.end(), src.begin(), src.end(), std::back_inserter(out));
  dst.swap(out);
}

}  // namespace

const char* ScopeKindName(ScopeKind k) {
  switch (k) {
    case ScopeKind::kModule:
      return "module";
    case ScopeKind::kClass:
      return "class";
    case ScopeKind::kFunction:
      return "function";
    case ScopeKind::kLambda:
      return "lambda";
    case ScopeKind::kComprehension:
      return "comprehension";
    case ScopeKind::kTypeParams:
      return "type_params";
    case ScopeKind::kAnnotation:
      return "annotation";
  }
  return "?";
}

std::string CapQualname(std::string q) {
  constexpr size_t kMax = 512, kHead = 200, kTail = 280;
  if (q.size() <= kMax) return q;
  size_t head = q.find('.', kHead);
  size_t tail = q.rfind('.', q.size() - kTail);
  if (head == std::string::npos || tail == std::string::npos || tail <= head) {
    head = kHead;
    tail = q.size() - kTail;
  }
  return q.substr(0, head) + ".<...>" + q.substr(tail);
}

bool Analyzer::IsFunctionBlock(uint32_t scope) const {
  ScopeKind k = scopes_[scope].kind;
  return k == ScopeKind::kFunction || k == ScopeKind::kLambda || k == ScopeKind::kComprehension;
}

bool Analyzer::IsFunctionLike(uint32_t scope) const {
  ScopeKind k = scopes_[scope].kind;
  return k != ScopeKind::kModule && k != ScopeKind::kClass;
}

uint32_t Analyzer::NewScope(ScopeKind kind, uint32_t parent, std::string name, TSNode node,
                            int32_t def_index, std::string qualname) {
  Scope s;
  s.kind = kind;
  s.parent = parent;
  s.line = static_cast<int32_t>(StartPoint(node).row) + 1;
  s.span = SpanOf(node);
  s.def_index = def_index;
  s.qualname = CapQualname(std::move(qualname));
  if (kind == ScopeKind::kModule) {
    s.child_prefix = s.qualname.empty() ? "" : s.qualname + ".";
  } else if (kind == ScopeKind::kClass) {
    s.child_prefix = s.qualname + ".";
  } else {
    s.child_prefix = s.qualname + ".<locals>.";
  }
  s.private_name =
      kind == ScopeKind::kClass ? name : (parent == kNone ? "" : scopes_[parent].private_name);
  s.name = std::move(name);
  scopes_.push_back(std::move(s));
  own_free_.emplace_back();
  return static_cast<uint32_t>(scopes_.size() - 1);
}

uint32_t Analyzer::Intern(std::string_view raw) {
  // Python compares identifiers after NFKC (PEP 3131); only non-ASCII names change.
  const std::string normalized = NormalizeIdentifier(raw);
  std::string_view s = normalized;
  auto it = name_ids_.find(s);
  if (it != name_ids_.end()) return it->second;
  name_store_.emplace_back(s);
  uint32_t id = static_cast<uint32_t>(name_store_.size() - 1);
  name_ids_.emplace(name_store_.back(), id);
  return id;
}

int32_t Analyzer::FindSym(uint32_t scope, uint32_t name) const {
  auto it = sym_index_.find((uint64_t{scope} << 32) | name);
  return it == sym_index_.end() ? -1 : static_cast<int32_t>(it->second);
}

uint32_t Analyzer::SymFor(uint32_t scope, uint32_t name) {
  uint64_t key = (uint64_t{scope} << 32) | name;
  auto [it, inserted] = sym_index_.emplace(key, 0);
  if (inserted) {
    it->second = static_cast<uint32_t>(scopes_[scope].syms.size());
    scopes_[scope].syms.push_back(Sym{name});
  }
  return it->second;
}

uint32_t Analyzer::AddDef(uint32_t scope, std::string_view name, uint32_t flag, TSNode site,
                          const char* role, const char* ctx) {
  // Private name mangling (_Py_Mangle): `__x` inside class `_C` becomes `_C__x`.
  std::string mangled;
  const std::string& priv = scopes_[scope].private_name;
  if (!priv.empty() && name.size() > 2 && name.substr(0, 2) == "__" &&
      !(name.size() >= 2 && name.substr(name.size() - 2) == "__") &&
      name.find('.') == std::string_view::npos) {
    size_t i = priv.find_first_not_of('_');
    if (i != std::string::npos) {
      mangled = "_" + priv.substr(i) + std::string(name);
      name = mangled;
    }
  }
  uint32_t id = Intern(name);
  uint32_t sym = SymFor(scope, id);
  scopes_[scope].syms[sym].flags |= flag;
  if ((flag & kDefGlobal) && scope != 0) scopes_[0].syms[SymFor(0, id)].flags |= kDefGlobal;
  // A name tree-sitter made up to recover from a syntax error (a MISSING node, reported as a
  // TS_MISSING diagnostic) is in no source text: it has no occurrence. Two of them can sit at
  // the same offset (`/` with neither operand), where occurrence ids would collide.
  if (!ts_node_is_null(site) && !ts_node_is_missing(site)) {
    Span sp = SpanOf(site);
    TSPoint pt = StartPoint(site);
    occs_.push_back({scope, sym, sp, role, ctx, static_cast<int32_t>(pt.row) + 1,
                     static_cast<int32_t>(pt.column)});
    Sym& s = scopes_[scope].syms[sym];
    if (s.first.bstart < 0) s.first = sp;
  }
  return sym;
}

bool Analyzer::InPassBound(uint32_t p, uint32_t name, uint32_t class_cell) const {
  // CPython passes each child a `bound` set: the locals of enclosing function-like scopes,
  // minus names a scope declares global, plus __class__ below a class. Sets copied per scope
  // cost quadratic memory in deeply nested code, so membership is answered by walking up.
  for (; p != kNone; p = scopes_[p].parent) {
    const Scope& S = scopes_[p];
    if (S.kind == ScopeKind::kModule) return false;
    if (S.kind == ScopeKind::kClass) {
      if (name == class_cell) return true;
      continue;  // class names are invisible to nested scopes
    }
    int32_t k = FindSym(p, name);
    if (k < 0) continue;
    uint32_t flags = S.syms[static_cast<size_t>(k)].flags;
    if (flags & kDefGlobal) return false;
    if ((flags & kDefBound) && !(flags & kDefNonlocal)) return true;
  }
  return false;
}

int32_t Analyzer::SeenClassSym(uint32_t scope, uint32_t name) const {
  const uint32_t cls = scopes_[scope].class_entry;
  return cls == kNone ? -1 : FindSym(cls, name);
}

void Analyzer::Analyze() {
  const uint32_t class_cell = Intern("__class__");
  const size_t n = scopes_.size();
  // Top-down (scopes are in pre-order): analyze_name for every symbol. The `global` set of
  // CPython only picks between two spellings of GLOBAL_IMPLICIT, so it is not tracked.
  for (size_t si = 0; si < n; ++si) {
    Scope& S = scopes_[si];
    S.bound_null = S.parent == kNone;
    Set& own_free = own_free_[si];
    for (Sym& sym : S.syms) {
      const int32_t k = SeenClassSym(static_cast<uint32_t>(si), sym.name);
      const uint32_t class_flags =
          k < 0 ? 0 : scopes_[S.class_entry].syms[static_cast<size_t>(k)].flags;
      if (sym.flags & kDefGlobal) {
        sym.res = Resolution::kGlobalExplicit;
      } else if (sym.flags & kDefNonlocal) {
        sym.res = Resolution::kFree;
        Add(own_free, sym.name);
      } else if (sym.flags & kDefBound) {
        sym.res = Resolution::kLocal;
      } else if (class_flags & kDefGlobal) {
        sym.res = Resolution::kGlobalExplicit;
      } else if ((class_flags & kDefBound) && !(class_flags & kDefNonlocal)) {
        // Bound in the class it sees: read from the class namespace, then the globals.
        sym.res = Resolution::kGlobalImplicit;
      } else if (!S.bound_null && InPassBound(S.parent, sym.name, class_cell)) {
        sym.res = Resolution::kFree;
        Add(own_free, sym.name);
      } else {
        sym.res = Resolution::kGlobalImplicit;
      }
    }
  }
  // Bottom-up: children's free names become cells here, pass through, or go further up.
  for (size_t si = n; si-- > 0;) {
    Scope& S = scopes_[si];
    Set newfree;
    std::sort(S.children_free.begin(), S.children_free.end());
    S.children_free.erase(std::unique(S.children_free.begin(), S.children_free.end()),
                          S.children_free.end());
    newfree.swap(S.children_free);
    if (IsFunctionLike(static_cast<uint32_t>(si))) {
      Set keep;
      for (uint32_t name : newfree) {
        int32_t k = FindSym(static_cast<uint32_t>(si), name);
        if (k >= 0 && S.syms[static_cast<size_t>(k)].res == Resolution::kLocal) {
          S.syms[static_cast<size_t>(k)].res = Resolution::kCell;
        } else {
          keep.push_back(name);
        }
      }
      newfree.swap(keep);
    } else if (S.kind == ScopeKind::kClass) {
      Discard(newfree, class_cell);
    }
    for (uint32_t name : newfree) {
      if (FindSym(static_cast<uint32_t>(si), name) >= 0) continue;
      if (!S.bound_null && !InPassBound(S.parent, name, class_cell)) continue;  // a global
      uint32_t k = SymFor(static_cast<uint32_t>(si), name);
      scopes_[si].syms[k].res = Resolution::kFree;
    }
    Set free_out;
    free_out.swap(own_free_[si]);
    Union(free_out, newfree);
    if (S.parent != kNone && !S.detached) {
      auto& pf = scopes_[S.parent].children_free;
      pf.insert(pf.end(), free_out.begin(), free_out.end());
    }
  }
}

}  // namespace internal

namespace {

// ReferenceRow::qualified_name of every reference of `out`: an attribute of the first
// parameter of a method (not a staticmethod), in the method's own scope, is an attribute of
// the method's class. Nested functions and lambdas keep the text: their `self` may be rebound.
void QualifyReferences(FileOutput& out) {
  std::vector<const std::string*> first_param(out.definitions.size(), nullptr);  // by definition
  for (const auto& p : out.parameters) {
    if (p.position == 0 && !first_param[p.def]) first_param[p.def] = &p.name;
  }
  // By body scope: (first parameter, class qualified name) of the methods.
  std::vector<std::pair<const std::string*, const std::string*>> methods(out.scopes.size());
  for (size_t di = 0; di < out.definitions.size(); ++di) {
    const auto& d = out.definitions[di];
    if (!d.is_method || d.body_scope < 0 || !first_param[di]) continue;
    if (std::find(d.decorators.begin(), d.decorators.end(), "staticmethod") != d.decorators.end())
      continue;
    methods[static_cast<size_t>(d.body_scope)] = {first_param[di],
                                                  &out.scopes[d.scope].qualified_name};
  }
  for (auto& r : out.references) {
    const auto [self, cls] = methods[r.scope];
    if (!self) continue;
    if (r.text.size() > self->size() && r.text.compare(0, self->size(), *self) == 0 &&
        r.text[self->size()] == '.') {
      r.qualified_name = *cls + r.text.substr(self->size());
    }
  }
}

}  // namespace

void AnalyzeFile(TSNode root, std::string_view source, const LineIndex* lines, FileOutput& out) {
  internal::Analyzer a(source, lines, out);
  a.Run(root);
  QualifyReferences(out);
}

}  // namespace anatomy::extract
