// Statements and expressions that create scopes or rows: functions, classes, lambdas,
// comprehensions, type parameters, imports, calls, assignments, walrus.
#include "anatomy/extract/analyzer_internal.h"

namespace anatomy::extract::internal {

int32_t Analyzer::AddDefinition(TSNode node, TSNode name_node, const char* kind, uint32_t scope,
                                std::string name, TSNode deco) {
  DefinitionRow d;
  d.def_kind = kind;
  d.scope = scope;
  d.name = std::move(name);
  d.qualified_name = CapQualname(scopes_[scope].child_prefix + d.name);
  d.is_method = scopes_[scope].kind == ScopeKind::kClass && !d.is_class() &&
                std::string_view(d.def_kind) != "lambda";
  TSNode outer = ts_node_is_null(deco) ? node : deco;
  d.span = SpanOf(outer);
  d.name_span = ts_node_is_null(name_node) ? SpanOf(node) : SpanOf(name_node);
  d.line = static_cast<int32_t>(StartPoint(node).row) + 1;
  if (!ts_node_is_null(deco)) {
    size_t start = NamedChildren(deco, kids_);
    for (size_t i = start; i < kids_.size(); ++i) {
      if (KindOf(kids_[i]) != NK::decorator) continue;
      TSNode expr = ts_node_named_child(kids_[i], 0);
      d.decorators.push_back(Clip(ts_node_is_null(expr) ? kids_[i] : expr));
    }
    kids_.resize(start);
  }
  out_.definitions.push_back(std::move(d));
  def_params_.emplace_back();
  def_binding_.emplace_back(kNone, kNone);
  return static_cast<int32_t>(out_.definitions.size() - 1);
}

void Analyzer::CollectParams(TSNode params, std::vector<ParamInfo>& out) {
  if (ts_node_is_null(params)) return;
  std::vector<TSNode> kids;
  NamedChildren(params, kids);
  bool has_posonly = false;
  for (TSNode k : kids) has_posonly |= KindOf(k) == NK::positional_separator;
  bool before_slash = has_posonly, kwonly = false;
  for (TSNode k : kids) {
    ParamInfo p{};
    p.whole = k;
    p.kind = before_slash ? "posonly" : (kwonly ? "kwonly" : "normal");
    NK kind = KindOf(k);
    TSNode inner = k;
    switch (kind) {
      case NK::positional_separator:
        before_slash = false;
        continue;
      case NK::keyword_separator:
        kwonly = true;
        continue;
      case NK::typed_parameter:
        p.annotation_node = Field(k, f_.type);
        inner = ts_node_named_child(k, 0);
        break;
      case NK::default_parameter:
        p.default_node = Field(k, f_.value);
        inner = Field(k, f_.name);
        break;
      case NK::typed_default_parameter:
        p.default_node = Field(k, f_.value);
        p.annotation_node = Field(k, f_.type);
        inner = Field(k, f_.name);
        break;
      default:
        break;
    }
    NK ik = KindOf(inner);
    if (ik == NK::list_splat_pattern) {
      p.kind = "vararg";
      kwonly = true;
      inner = ts_node_named_child(inner, 0);
    } else if (ik == NK::dictionary_splat_pattern) {
      p.kind = "varkw";
      inner = ts_node_named_child(inner, 0);
    }
    p.name_node = inner;
    out.push_back(p);
  }
}

void Analyzer::DeclareParams(uint32_t def_index, uint32_t fscope) {
  const auto& params = def_params_[def_index];
  int32_t pos = 0;
  for (const auto& p : params) {
    if (ts_node_is_null(p.name_node)) continue;
    NK k = KindOf(p.name_node);
    if (k != NK::identifier && k != NK::keyword_identifier) {
      // Python 2 tuple parameters: bind the names inside.
      VisitTarget(p.name_node, fscope, false);
      continue;
    }
    std::string_view name = Text(p.name_node);
    uint32_t sym = AddDef(fscope, name, kDefParam, p.name_node, "def", "param");
    ParameterRow row;
    row.def = def_index;
    row.name = std::string(name);
    row.kind = p.kind;
    row.position = pos++;
    if (!ts_node_is_null(p.default_node)) row.default_text = Clip(p.default_node);
    if (!ts_node_is_null(p.annotation_node)) row.annotation_text = Clip(p.annotation_node);
    row.span = SpanOf(p.whole);
    out_.parameters.push_back(std::move(row));
    param_bindings_.push_back({out_.parameters.size() - 1, fscope, sym});
    if (!ts_node_is_null(p.annotation_node)) {
      AddAnnotationRow(p.annotation_node, fscope, "parameter", std::string(name),
                       std::string("param#") + std::to_string(out_.parameters.size() - 1));
    }
  }
}

void Analyzer::AddAnnotationRow(TSNode annot, uint32_t scope, const char* target_kind,
                                std::string target_name, OptStr owner) {
  AnnotationRow a;
  a.scope_id = std::to_string(scope);
  a.target_kind = target_kind;
  a.target_name = std::move(target_name);
  a.annotation_text = Clip(annot);
  a.owner_id = std::move(owner);
  a.span = SpanOf(annot);
  out_.annotations.push_back(std::move(a));
}

void Analyzer::HandleFunction(TSNode fn, uint32_t scope, TSNode deco) {
  TSNode name_node = Field(fn, f_.name);
  std::string name = NormalizeIdentifier(Text(name_node));
  bool is_async = false;
  if (ts_node_child_count(fn) > 0) {
    TSNode first = ts_node_child(fn, 0);
    is_async = !ts_node_is_named(first) && Text(first) == "async";
  }
  uint32_t sym = AddDef(scope, name, kDefLocal, name_node, "def", "def");
  int32_t di =
      AddDefinition(fn, name_node, is_async ? "async_function" : "function", scope, name, deco);
  def_binding_[di] = {scope, sym};
  CollectParams(Field(fn, f_.parameters), def_params_[di]);
  uint32_t inner = scope;
  TSNode tp = Field(fn, f_.type_parameters);
  // CPython order: defaults, [type params], annotations, decorators, body.
  std::vector<Task> tasks;
  for (const auto& p : def_params_[di]) {
    if (!ts_node_is_null(p.default_node)) tasks.push_back({p.default_node, scope, kLoad});
  }
  if (!ts_node_is_null(tp)) inner = HandleTypeParams(tp, scope, name, di);
  tasks.push_back({fn, inner, kArgAnnots, static_cast<uint32_t>(di)});
  TSNode ret = Field(fn, f_.return_type);
  if (!ts_node_is_null(ret)) {
    tasks.push_back({ret, inner, kAnnot});
    AddAnnotationRow(ret, scope, "return", name, std::string("def#") + std::to_string(di));
    return_annotations_.emplace_back(di, Clip(ret));
  }
  if (!ts_node_is_null(deco)) {
    size_t start = NamedChildren(deco, kids_);
    for (size_t i = start; i < kids_.size(); ++i) {
      if (KindOf(kids_[i]) == NK::decorator) tasks.push_back({kids_[i], scope, kLoad});
    }
    kids_.resize(start);
  }
  tasks.push_back({fn, inner, kFuncScope, static_cast<uint32_t>(di)});
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
}

void Analyzer::HandleClass(TSNode cls, uint32_t scope, TSNode deco) {
  TSNode name_node = Field(cls, f_.name);
  std::string name = NormalizeIdentifier(Text(name_node));
  uint32_t sym = AddDef(scope, name, kDefLocal, name_node, "def", "def");
  int32_t di = AddDefinition(cls, name_node, "class", scope, name, deco);
  def_binding_[di] = {scope, sym};
  TSNode supers = Field(cls, f_.superclasses);
  if (!ts_node_is_null(supers)) {
    size_t start = NamedChildren(supers, kids_);
    for (size_t i = start; i < kids_.size(); ++i) {
      NK k = KindOf(kids_[i]);
      if (k != NK::keyword_argument && k != NK::list_splat && k != NK::dictionary_splat) {
        out_.definitions[static_cast<size_t>(di)].bases.push_back(Clip(kids_[i]));
      } else if (k == NK::keyword_argument && Text(Field(kids_[i], f_.name)) == "metaclass") {
        out_.definitions[static_cast<size_t>(di)].metaclass = Clip(Field(kids_[i], f_.value));
      }
    }
    kids_.resize(start);
  }
  uint32_t inner = scope;
  TSNode tp = Field(cls, f_.type_parameters);
  if (!ts_node_is_null(tp)) inner = HandleTypeParams(tp, scope, name, di, /*class_owner=*/true);
  std::vector<Task> tasks;
  TSNode bases = Field(cls, f_.superclasses);
  if (!ts_node_is_null(bases)) tasks.push_back({bases, inner, kLoad});
  if (!ts_node_is_null(deco)) {
    size_t start = NamedChildren(deco, kids_);
    for (size_t i = start; i < kids_.size(); ++i) {
      if (KindOf(kids_[i]) == NK::decorator) tasks.push_back({kids_[i], scope, kLoad});
    }
    kids_.resize(start);
  }
  tasks.push_back({cls, inner, kClassScope, static_cast<uint32_t>(di)});
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
}

void Analyzer::HandleLambda(TSNode lam, uint32_t scope) {
  int32_t di = AddDefinition(lam, TSNode{}, "lambda", scope, "<lambda>", TSNode{});
  CollectParams(Field(lam, f_.parameters), def_params_[di]);
  std::vector<Task> tasks;
  for (const auto& p : def_params_[di]) {
    if (!ts_node_is_null(p.default_node)) tasks.push_back({p.default_node, scope, kLoad});
  }
  tasks.push_back({lam, scope, kLambdaScope, static_cast<uint32_t>(di)});
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
}

namespace {

// A type parameter list read as a flat sequence of pieces (see FlattenTypeParams).
struct Piece {
  enum Kind : uint8_t { kExpr, kEq, kColon, kComma, kStar, kDoubleStar } kind;
  TSNode node;
};

// One type parameter as written: `T`, `*Ts` or `**P`, with an optional bound or constraints
// (`T: int`) and an optional default (PEP 696: `T = int`, `*Ts = *tuple[int]`).
struct TypeParamSyntax {
  const char* kind = "TypeVar";
  TSNode name{}, bound{}, default_value{};
  uint32_t start = 0, end = 0;  // the parameter's bytes
  uint32_t default_start = 0;   // the default's first byte (its `*` when unpacked)
};

// The children of `n`, anonymous ones included, in one pass (`ts_node_child(n, i)` walks from
// the first child each time: quadratic on a list of 20,000 type parameters).
std::vector<TSNode> AllChildren(TSNode n) {
  std::vector<TSNode> out;
  TSTreeCursor c = ts_tree_cursor_new(n);
  if (ts_tree_cursor_goto_first_child(&c)) {
    do {
      out.push_back(ts_tree_cursor_current_node(&c));
    } while (ts_tree_cursor_goto_next_sibling(&c));
  }
  ts_tree_cursor_delete(&c);
  return out;
}

// tree-sitter-python 0.25 has no PEP 696 defaults (its issue #346). It reads `T = int` as an
// ERROR node holding `T =` beside a type `int`, and `T: int = bool` as a constrained type whose
// bound is an ERROR holding `int =`; where the ERROR starts varies with what precedes it.
// Flattening ERROR, type, splat and constrained-type nodes into their pieces gives one sequence
// for every such shape, and for well-formed lists too. False on a MISSING node or a token that
// no type parameter list holds. The ERROR nodes met are added to `errors`.
bool FlattenTypeParams(TSNode root, std::vector<Piece>& out, std::vector<TSNode>& errors) {
  std::vector<TSNode> stack{root};  // not recursive: `T: a: b: ...` nests without bound
  while (!stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    if (ts_node_is_missing(n)) return false;
    if (!ts_node_is_named(n)) {
      std::string_view t = ts_node_type(n);
      Piece::Kind k;
      if (t == "=") {
        k = Piece::kEq;
      } else if (t == ":") {
        k = Piece::kColon;
      } else if (t == ",") {
        k = Piece::kComma;
      } else if (t == "*") {
        k = Piece::kStar;
      } else if (t == "**") {
        k = Piece::kDoubleStar;
      } else {
        return false;
      }
      out.push_back({k, n});
      continue;
    }
    NK kind = KindOf(n);
    if (kind == NK::comment) continue;
    if (kind == NK::type && ts_node_named_child_count(n) == 1) {
      TSNode inner = ts_node_named_child(n, 0);
      NK k = KindOf(inner);
      if (k == NK::splat_type || k == NK::list_splat || k == NK::constrained_type) {
        stack.push_back(inner);
        continue;
      }
    }
    const bool error = ts_node_is_error(n);
    if (!error && kind != NK::splat_type && kind != NK::list_splat &&
        kind != NK::constrained_type) {
      out.push_back({Piece::kExpr, n});
      continue;
    }
    if (error) errors.push_back(n);
    const std::vector<TSNode> children = AllChildren(n);
    stack.insert(stack.end(), children.rbegin(), children.rend());
  }
  return true;
}

// Reads `param (',' param)* ','?` where param is `('*' | '**')? NAME (':' BOUND)? ('=' '*'?
// DEFAULT)?`, appending to `out`; false (and `out` as it was) when the pieces are not that.
bool ParseTypeParams(const std::vector<Piece>& p, std::vector<TypeParamSyntax>& out) {
  const size_t first = out.size();
  auto fail = [&] {
    out.resize(first);
    return false;
  };
  size_t i = 0;
  auto at = [&](Piece::Kind k) { return i < p.size() && p[i].kind == k; };
  while (i < p.size()) {
    TypeParamSyntax s;
    s.start = ts_node_start_byte(p[i].node);
    if (at(Piece::kStar) || at(Piece::kDoubleStar)) {
      s.kind = p[i].kind == Piece::kStar ? "TypeVarTuple" : "ParamSpec";
      ++i;
    }
    if (!at(Piece::kExpr)) return fail();
    s.name = p[i++].node;
    if (KindOf(s.name) == NK::type && ts_node_named_child_count(s.name) == 1)
      s.name = ts_node_named_child(s.name, 0);
    if (KindOf(s.name) != NK::identifier) return fail();
    s.end = ts_node_end_byte(s.name);
    if (at(Piece::kColon)) {
      ++i;
      if (std::string_view(s.kind) != "TypeVar" || !at(Piece::kExpr)) return fail();
      s.bound = p[i++].node;
      s.end = ts_node_end_byte(s.bound);
    }
    if (at(Piece::kEq)) {
      ++i;
      if (i == p.size()) return fail();
      s.default_start = ts_node_start_byte(p[i].node);
      if (at(Piece::kStar)) {  // `*Ts = *tuple[int, ...]`
        if (std::string_view(s.kind) != "TypeVarTuple") return fail();
        ++i;
      }
      if (!at(Piece::kExpr)) return fail();
      s.default_value = p[i++].node;
      s.end = ts_node_end_byte(s.default_value);
    }
    out.push_back(s);
    if (i == p.size()) break;
    if (!at(Piece::kComma)) return fail();
    ++i;
  }
  return true;
}

// Flattens and reads `nodes` as type parameters; the ERROR nodes among their pieces go to
// `recovered` when they read.
bool ReadGroup(const std::vector<TSNode>& nodes, std::vector<TypeParamSyntax>& params,
               std::vector<Span>& recovered) {
  std::vector<Piece> pieces;
  std::vector<TSNode> errors;
  for (TSNode n : nodes) {
    if (!FlattenTypeParams(n, pieces, errors)) return false;
  }
  if (!ParseTypeParams(pieces, params)) return false;
  for (TSNode e : errors) recovered.push_back(SpanOf(e));
  return true;
}

// The parameters of a `type_parameter` node, read a comma-separated group of its children at a
// time. The ERROR nodes of the groups that read are PEP 696 defaults, not errors: they go to
// `recovered`. Of a group that does not read (a syntax error, left to the diagnostics), the
// children that read on their own are kept.
std::vector<TypeParamSyntax> ReadTypeParams(TSNode tp, std::vector<Span>& recovered) {
  std::vector<TypeParamSyntax> params;
  std::vector<TSNode> group;
  auto end_group = [&] {
    if (!ReadGroup(group, params, recovered)) {
      for (TSNode c : group) {
        if (!ts_node_has_error(c)) ReadGroup({c}, params, recovered);
      }
    }
    group.clear();
  };
  for (TSNode c : AllChildren(tp)) {
    std::string_view t = ts_node_type(c);
    if (!ts_node_is_named(c) && (t == "[" || t == "]")) continue;  // a MISSING `]` too
    if (!ts_node_is_named(c) && t == ",") {
      end_group();
    } else {
      group.push_back(c);
    }
  }
  end_group();
  return params;
}

}  // namespace

uint32_t Analyzer::HandleTypeParams(TSNode tp, uint32_t scope, const std::string& owner,
                                    int32_t def_index, bool class_owner) {
  uint32_t s = NewScope(ScopeKind::kTypeParams, scope, "<generic parameters of " + owner + ">", tp,
                        -1, scopes_[scope].child_prefix + "<generic parameters of " + owner + ">");
  // A class's type parameters are private to the class itself: `class C[__T]` binds `_C__T`.
  if (class_owner) scopes_[s].private_name = owner;
  if (scopes_[scope].kind == ScopeKind::kClass) scopes_[s].class_entry = scope;
  std::vector<Task> tasks;
  // A bound, constraints or default is evaluated lazily, in an annotation scope of its own
  // (symtable's "TypeVar bound" in 3.12, "type variable" in 3.13) that spans the parameter.
  auto lazy = [&](TSNode value, const TypeParamSyntax& p, const std::string& name) {
    uint32_t a =
        NewScope(ScopeKind::kAnnotation, s, name, p.name, -1, scopes_[s].child_prefix + name);
    scopes_[a].span = {static_cast<int32_t>(p.start), static_cast<int32_t>(p.end)};
    scopes_[a].class_entry = scopes_[s].class_entry;
    tasks.push_back({value, a, kLoad});
  };
  for (const TypeParamSyntax& p : ReadTypeParams(tp, recovered_syntax_)) {
    TypeParamRow row;
    row.owner_name = owner;
    if (def_index >= 0) row.owner_def_id = std::to_string(def_index);
    row.kind = p.kind;
    row.name = std::string(Text(p.name));
    if (!ts_node_is_null(p.bound)) {
      TSNode b = KindOf(p.bound) == NK::type ? ts_node_named_child(p.bound, 0) : p.bound;
      if (KindOf(b) == NK::tuple) {
        std::vector<TSNode> cs;
        NamedChildren(b, cs);
        for (TSNode c : cs) row.constraints.push_back(Clip(c));
      } else {
        row.bound_text = Clip(b);
      }
      lazy(p.bound, p, row.name);
    }
    if (!ts_node_is_null(p.default_value)) {
      const uint32_t end = ts_node_end_byte(p.default_value);
      // A starred default whose star the parsed text left out (source_repairs.h) starts at it.
      uint32_t start = p.default_start, k = start;
      while (k > 0 && (src_[k - 1] == ' ' || src_[k - 1] == '\t')) --k;
      if (k > 0 && src_[k - 1] == '*') start = k - 1;
      row.default_text = Clip(src_.substr(start, end - start));
      lazy(p.default_value, p, row.name);
    }
    row.span = {static_cast<int32_t>(p.start), static_cast<int32_t>(p.end)};
    row.scope_id = std::to_string(s);
    uint32_t sym = AddDef(s, row.name, kDefLocal | kDefTypeParam, p.name, "def", "type_param");
    out_.type_params.push_back(std::move(row));
    tp_bindings_.push_back({out_.type_params.size() - 1, s, sym});
  }
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
  return s;
}

void Analyzer::HandleTypeAlias(TSNode n, uint32_t scope) {
  TSNode left = Field(n, f_.left), right = Field(n, f_.right);
  TSNode l = KindOf(left) == NK::type ? ts_node_named_child(left, 0) : left;
  if (KindOf(l) != NK::identifier && KindOf(l) != NK::generic_type) {
    // tree-sitter reads `type(x).attr = v` as a type alias: undo that into an assignment.
    TSNode kw = ts_node_child(n, 0);
    AddDef(scope, "type", kUse, kw, "use", "load");
    Push(right, scope, kLoad);
    Push(l, scope, kStore);
    return;
  }
  TSNode name_node = l, tp{};
  if (KindOf(l) == NK::generic_type) {
    name_node = ts_node_named_child(l, 0);
    tp = ts_node_named_child(l, 1);
  }
  std::string name(Text(name_node));
  AddDef(scope, name, kDefLocal, name_node, "def", "type_alias");
  uint32_t inner = scope;
  if (!ts_node_is_null(tp) && KindOf(tp) == NK::type_parameter)
    inner = HandleTypeParams(tp, scope, name, -1);
  // The value is lazily evaluated in its own annotation scope (PEP 695).
  uint32_t s =
      NewScope(ScopeKind::kAnnotation, inner, name, n, -1, scopes_[inner].child_prefix + name);
  scopes_[s].class_entry =
      scopes_[inner].kind == ScopeKind::kClass ? inner : scopes_[inner].class_entry;
  Push(right, s, kLoad);
}

void Analyzer::HandleComprehension(TSNode comp, uint32_t scope) {
  // The first iterable is evaluated in the enclosing scope, before the comprehension's own.
  stack_.push_back({comp, scope, kCompScope});
  size_t start = NamedChildren(comp, kids_);
  for (size_t i = start; i < kids_.size(); ++i) {
    if (KindOf(kids_[i]) != NK::for_in_clause) continue;
    TSNode clause = kids_[i];
    kids_.resize(start);
    std::vector<TSNode> rights;
    uint32_t cnt = ts_node_child_count(clause);
    for (uint32_t j = 0; j < cnt; ++j) {
      const char* fname = ts_node_field_name_for_child(clause, j);
      if (fname && std::string_view(fname) == "right") rights.push_back(ts_node_child(clause, j));
    }
    for (auto it = rights.rbegin(); it != rights.rend(); ++it) Push(*it, scope, kLoad);
    return;
  }
  kids_.resize(start);
}

void Analyzer::CompScope(TSNode comp, uint32_t scope) {
  const char* name = "genexpr";
  switch (KindOf(comp)) {
    case NK::list_comprehension:
      name = "listcomp";
      break;
    case NK::set_comprehension:
      name = "setcomp";
      break;
    case NK::dictionary_comprehension:
      name = "dictcomp";
      break;
    default:
      break;
  }
  uint32_t s = NewScope(ScopeKind::kComprehension, scope, name, comp, -1,
                        scopes_[scope].child_prefix + "<" + name + ">");
  std::vector<TSNode> kids;
  NamedChildren(comp, kids);
  std::vector<Task> tasks;
  TSNode body{};
  bool first = true;
  for (TSNode k : kids) {
    NK kind = KindOf(k);
    if (kind == NK::for_in_clause) {
      tasks.push_back({Field(k, f_.left), s, kStore});
      if (!first) {
        uint32_t cnt = ts_node_child_count(k);
        for (uint32_t j = 0; j < cnt; ++j) {
          const char* fname = ts_node_field_name_for_child(k, j);
          if (fname && std::string_view(fname) == "right")
            tasks.push_back({ts_node_child(k, j), s, kLoad});
        }
      }
      first = false;
    } else if (kind == NK::if_clause) {
      tasks.push_back({k, s, kLoad});
    } else if (ts_node_is_null(body)) {
      body = k;
    }
  }
  if (!ts_node_is_null(body)) {
    if (KindOf(body) == NK::pair) {  // dict comprehension: value, then key
      tasks.push_back({Field(body, f_.value), s, kLoad});
      tasks.push_back({Field(body, f_.key), s, kLoad});
    } else {
      tasks.push_back({body, s, kLoad});
    }
  }
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) {
    if (!ts_node_is_null(it->node)) stack_.push_back(*it);
  }
}

void Analyzer::HandleNamedExpr(TSNode n, uint32_t scope) {
  TSNode target = Field(n, f_.name);
  if (scopes_[scope].kind == ScopeKind::kComprehension && !ts_node_is_null(target)) {
    std::string_view name = Text(target);
    for (uint32_t p = scopes_[scope].parent; p != kNone; p = scopes_[p].parent) {
      const Scope& ps = scopes_[p];
      if (ps.kind == ScopeKind::kComprehension) continue;
      if (ps.kind == ScopeKind::kFunction || ps.kind == ScopeKind::kLambda) {
        uint32_t id = Intern(name);
        int32_t existing = FindSym(p, id);
        bool global = existing >= 0 && (ps.syms[static_cast<size_t>(existing)].flags & kDefGlobal);
        AddDef(scope, name, global ? kDefGlobal : kDefNonlocal, TSNode{}, "", "");
        AddDef(p, name, kDefLocal, target, "def", "walrus");
      } else if (ps.kind == ScopeKind::kModule) {
        AddDef(scope, name, kDefGlobal, TSNode{}, "", "");
        AddDef(p, name, kDefGlobal, target, "def", "walrus");
      }
      break;
    }
  }
  Push(target, scope, kStore);
  Push(Field(n, f_.value), scope, kLoad);
}

void Analyzer::HandleAssignment(TSNode n, uint32_t scope) {
  TSNode left = Field(n, f_.left), type = Field(n, f_.type), right = Field(n, f_.right);
  std::vector<Task> tasks;
  if (!ts_node_is_null(type)) {
    NK lk = KindOf(left);
    TSNode inner = left;
    // `(x)` comes as a parenthesized expression or a one-element tuple pattern without comma.
    while ((KindOf(inner) == NK::parenthesized_expression || KindOf(inner) == NK::tuple_pattern) &&
           ts_node_child_count(inner) == 3 && ts_node_named_child_count(inner) == 1) {
      inner = ts_node_named_child(inner, 0);
    }
    NK ik = KindOf(inner);
    OptStr owner;
    if (lk == NK::identifier || lk == NK::keyword_identifier) {
      uint32_t sym = AddDef(scope, Text(left), kDefAnnot | kDefLocal, left, "def", "annotated");
      owner = "bind#" + std::to_string(scope) + "#" + std::to_string(sym);
    } else if (ik == NK::identifier || ik == NK::keyword_identifier) {
      // `(x): int` is not "simple": x is bound only when a value is assigned.
      if (!ts_node_is_null(right)) AddDef(scope, Text(inner), kDefLocal, inner, "def", "store");
    } else {
      tasks.push_back({left, scope, kStore});
    }
    tasks.push_back({type, scope, kAnnot});
    AddAnnotationRow(type, scope, "variable", Clip(left), owner);
  } else {
    tasks.push_back({left, scope, kStore});
  }
  const bool name = KindOf(left) == NK::identifier || KindOf(left) == NK::keyword_identifier;
  if (name && scope == 0 && Text(left) == "__all__") AllAssigned(right, false);
  // Where the statement starts: this assignment's start, or the outermost's of a chain
  // (`self.x = x = {}`).
  int32_t statement = static_cast<int32_t>(ts_node_start_byte(n));
  if (auto outer = chained_.find(statement); outer != chained_.end()) {
    statement = outer->second;
    chained_.erase(outer);
  }
  if (!ts_node_is_null(right) && KindOf(right) == NK::assignment)
    chained_.emplace(static_cast<int32_t>(ts_node_start_byte(right)), statement);
  if (!ts_node_is_null(right) && KindOf(right) == NK::call && name)
    assigned_calls_.push_back({SpanOf(left), SpanOf(right), HeldValue::kNoEnter, statement});
  if (const char* literal = ts_node_is_null(right) ? nullptr : LiteralClass(right, Text(right));
      literal && name) {
    assigned_literals_.push_back({SpanOf(left), literal, statement});
  }
  if (name && !ts_node_is_null(right) && ts_node_is_null(type)) {
    // `name = a.b.c`: a dotted name of identifiers.
    std::string dotted;
    TSNode cur = right;
    for (; KindOf(cur) == NK::attribute; cur = Field(cur, f_.object))
      dotted.insert(0, "." + std::string(Text(Field(cur, f_.attribute))));
    if (KindOf(cur) == NK::identifier && !ts_node_has_error(right))
      assigned_names_.emplace_back(SpanOf(left), std::string(Text(cur)) + dotted);
  }
  if (!ts_node_is_null(type) && name && scopes_[scope].kind == ScopeKind::kClass) {
    class_annotations_.push_back({scopes_[scope].def_index, std::string(Text(left)), Clip(type)});
  }
  if (!ts_node_is_null(type) && !ts_node_is_null(right) && name) {
    annotated_names_.emplace_back(SpanOf(left), Clip(type));
  }
  if (!ts_node_is_null(right) && KindOf(left) == NK::attribute &&
      KindOf(Field(left, f_.object)) == NK::identifier) {
    std::string object(Text(Field(left, f_.object))), attr(Text(Field(left, f_.attribute)));
    if (KindOf(right) == NK::call) {
      attribute_calls_.push_back({scope, std::move(object), std::move(attr), SpanOf(right)});
    } else if (KindOf(right) == NK::identifier) {
      attribute_names_.push_back(
          {scope, std::move(object), std::move(attr), NormalizeIdentifier(Text(right))});
    }
  }
  if (!ts_node_is_null(right)) tasks.push_back({right, scope, kLoad});
  for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) {
    if (!ts_node_is_null(it->node)) stack_.push_back(*it);
  }
}

bool Analyzer::AllStrings(TSNode n) {
  std::vector<TSNode> items;
  if (KindOf(n) == NK::string) {
    items.push_back(n);
  } else if (KindOf(n) == NK::list || KindOf(n) == NK::tuple || KindOf(n) == NK::expression_list) {
    size_t start = NamedChildren(n, kids_);
    items.assign(kids_.begin() + static_cast<std::ptrdiff_t>(start), kids_.end());
    kids_.resize(start);
  } else {
    return false;
  }
  for (TSNode item : items) {
    // A plain string: no prefix but r/u, no escape, no interpolation.
    std::string_view text = Text(item);
    const size_t quote = text.find_first_of("'\"");
    if (KindOf(item) != NK::string || quote == std::string_view::npos ||
        text.substr(0, quote).find_first_not_of("rRuU") != std::string_view::npos ||
        text.find('\\') != std::string_view::npos)
      return false;
    const size_t q =
        text.size() - quote >= 6 && text[quote + 1] == text[quote] && text[quote + 2] == text[quote]
            ? 3
            : 1;
    if (text.size() < quote + 2 * q) return false;
    all_names_.emplace_back(text.substr(quote + q, text.size() - quote - 2 * q));
  }
  return true;
}

void Analyzer::AllAssigned(TSNode value, bool augment) {
  (augment ? all_augments_ : all_assignments_)++;
  if (ts_node_is_null(value)) return;  // `__all__: list[str]`
  if (KindOf(value) == NK::string || !AllStrings(value)) all_dynamic_ = true;
}

void Analyzer::AllCall(TSNode call, uint32_t scope) {
  TSNode args = Field(call, f_.arguments);
  std::string_view method = Text(Field(Field(call, f_.function), f_.attribute));
  size_t start = KindOf(args) == NK::argument_list ? NamedChildren(args, kids_) : kids_.size();
  const bool one = kids_.size() == start + 1;
  TSNode arg = one ? kids_[start] : TSNode{};
  kids_.resize(start);
  const bool list_arg = one && KindOf(arg) != NK::string;
  const bool read =
      scope == 0 && ((method == "extend" && list_arg && AllStrings(arg)) ||
                     (method == "append" && one && KindOf(arg) == NK::string && AllStrings(arg)));
  if (!read) all_dynamic_ = true;
}

void Analyzer::HandleCall(TSNode n, uint32_t scope) {
  TSNode fn = Field(n, f_.function), args = Field(n, f_.arguments);
  CallRow c;
  c.callee_text = Clip(fn);
  c.span = SpanOf(n);
  c.callee_span = SpanOf(fn);
  c.line = static_cast<int32_t>(StartPoint(n).row) + 1;
  c.scope_index = scope;
  if (KindOf(args) == NK::generator_expression) {
    c.arg_count = 1;
  } else if (!ts_node_is_null(args)) {
    size_t start = NamedChildren(args, kids_);
    c.arg_count = static_cast<int32_t>(kids_.size() - start);
    kids_.resize(start);
  }
  // The dotted chain `a.b.c` of a name or attribute callee, for resolution.
  CallChain chain;
  TSNode cur = fn;
  std::vector<std::string> rev;
  while (KindOf(cur) == NK::attribute) {
    rev.emplace_back(Text(Field(cur, f_.attribute)));
    cur = Field(cur, f_.object);
  }
  if (KindOf(cur) == NK::identifier || KindOf(cur) == NK::keyword_identifier) {
    rev.emplace_back(Text(cur));
    chain.chain.assign(rev.rbegin(), rev.rend());
  } else if (!rev.empty() && KindOf(cur) == NK::call && Text(Field(cur, f_.function)) == "super") {
    // `super().m(...)` (or `super(C, self).m(...)`): m is looked up in the bases.
    chain.via_super = true;
    chain.chain.assign(rev.rbegin(), rev.rend());
  } else if (const char* literal = rev.empty() ? nullptr : LiteralClass(cur, Text(cur))) {
    // `", ".join(...)`: a method of the literal's builtin class.
    chain.literal = true;
    chain.head_kind = "builtin";
    rev.emplace_back(literal);
    chain.chain.assign(rev.rbegin(), rev.rend());
  } else if (!rev.empty() && KindOf(cur) == NK::call) {
    // `Foo().m(...)`: m of what the inner call returns.
    receiver_calls_.emplace_back(out_.calls.size(), SpanOf(cur));
    chain.chain.assign(rev.rbegin(), rev.rend());
  }
  if (!rev.empty()) c.callee_name = rev.front();
  if (chain.chain.size() == 2 && chain.chain[0] == "__all__" && !chain.literal && !chain.via_super)
    AllCall(n, scope);
  out_.calls.push_back(std::move(c));
  out_.call_chains.push_back(std::move(chain));
  Push(args, scope, kLoad);
  Push(fn, scope, kLoad);
}

}  // namespace anatomy::extract::internal
