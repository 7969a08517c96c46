// The iterative walk: a task stack replaces recursion, and tasks are pushed in reverse so
// the visit order (hence the order of child scopes) is CPython's symtable order.
#include <algorithm>

#include "anatomy/core/hash.h"
#include "anatomy/extract/analyzer_internal.h"

namespace anatomy::extract::internal {

size_t Analyzer::NamedChildren(TSNode n, std::vector<TSNode>& buf) {
  size_t start = buf.size();
  if (!cursor_init_) {
    cursor_ = ts_tree_cursor_new(n);
    cursor_init_ = true;
  } else {
    ts_tree_cursor_reset(&cursor_, n);
  }
  if (ts_tree_cursor_goto_first_child(&cursor_)) {
    do {
      TSNode c = ts_tree_cursor_current_node(&cursor_);
      if (!ts_node_is_named(c)) continue;
      NK k = KindOf(c);
      if (k == NK::comment || k == NK::line_continuation) continue;
      buf.push_back(c);
    } while (ts_tree_cursor_goto_next_sibling(&cursor_));
  }
  return start;
}

void Analyzer::PushChildren(TSNode n, uint32_t scope, uint8_t mode) {
  size_t start = NamedChildren(n, kids_);
  for (size_t i = kids_.size(); i > start; --i) Push(kids_[i - 1], scope, mode);
  kids_.resize(start);
}

void Analyzer::PushBlock(TSNode block, uint32_t scope) {
  const size_t start = NamedChildren(block, kids_);
  const auto index = static_cast<uint32_t>(blocks_.size());
  blocks_.emplace_back(static_cast<uint32_t>(statements_.size()),
                       static_cast<uint32_t>(statements_.size() + kids_.size() - start));
  for (size_t i = start; i < kids_.size(); ++i) statements_.push_back({SpanOf(kids_[i]), index});
  for (size_t i = kids_.size(); i > start; --i) Push(kids_[i - 1], scope, kLoad);
  kids_.resize(start);
}

void Analyzer::Run(TSNode root) {
  // `from __future__ import annotations` changes where annotations are evaluated.
  std::vector<TSNode> top;
  NamedChildren(root, top);
  for (TSNode s : top) {
    if (KindOf(s) != NK::future_import_statement) {
      if (KindOf(s) == NK::expression_statement || KindOf(s) == NK::import_from_statement) continue;
      break;
    }
    std::vector<TSNode> names;
    NamedChildren(s, names);
    for (TSNode nm : names) {
      TSNode id = KindOf(nm) == NK::aliased_import ? Field(nm, f_.name) : nm;
      if (Text(id) == "annotations") future_annotations_ = true;
    }
  }
  NewScope(ScopeKind::kModule, kNone, "top", root, -1, out_.file.module_name);
  PushBlock(root, 0);
  while (!stack_.empty()) {
    Task t = stack_.back();
    stack_.pop_back();
    Dispatch(t);
  }
  if (cursor_init_) ts_tree_cursor_delete(&cursor_);
  Analyze();
  EmitRows();
  std::sort(recovered_syntax_.begin(), recovered_syntax_.end(), SpanLess);
  CollectDiagnostics(root, src_, lines_, recovered_syntax_, out_);
}

void Analyzer::Dispatch(const Task& t) {
  switch (t.mode) {
    case kLoad:
      VisitLoad(t.node, t.scope);
      return;
    case kStore:
      VisitTarget(t.node, t.scope, false);
      return;
    case kDel:
      VisitTarget(t.node, t.scope, true);
      return;
    case kPattern:
      VisitPattern(t.node, t.scope);
      return;
    case kDottedLoad: {
      TSNode first = ts_node_named_child(t.node, 0);
      if (!ts_node_is_null(first)) AddDef(t.scope, Text(first), kUse, first, "use", "load");
      return;
    }
    case kAnnot: {
      uint32_t s = t.scope;
      if (future_annotations_) {
        s = NewScope(ScopeKind::kAnnotation, t.scope, "_annotation", t.node, -1,
                     scopes_[t.scope].child_prefix + "<annotation>");
        scopes_[s].detached = true;
      }
      Push(t.node, s, kLoad);
      return;
    }
    case kArgAnnots: {
      const auto& params = def_params_[t.aux];
      uint32_t s = t.scope;
      if (future_annotations_) {
        s = NewScope(ScopeKind::kAnnotation, t.scope, "_annotation", t.node, -1,
                     scopes_[t.scope].child_prefix + "<annotation>");
        scopes_[s].detached = true;
      }
      // CPython order: positional (incl. posonly), *args, **kwargs, keyword-only.
      static constexpr const char* kOrder[] = {"posonly", "normal", "vararg", "varkw", "kwonly"};
      std::vector<TSNode> order;
      for (const char* k : kOrder) {
        for (const auto& p : params) {
          if (std::string_view(p.kind) == k && !ts_node_is_null(p.annotation_node)) {
            order.push_back(p.annotation_node);
          }
        }
      }
      for (auto it = order.rbegin(); it != order.rend(); ++it) Push(*it, s, kLoad);
      return;
    }
    case kFuncScope: {
      auto& def = out_.definitions[t.aux];
      uint32_t s = NewScope(ScopeKind::kFunction, t.scope, def.name, t.node,
                            static_cast<int32_t>(t.aux), def.qualified_name);
      def.body_scope = static_cast<int32_t>(s);
      DeclareParams(t.aux, s);
      Push(Field(t.node, f_.body), s, kLoad);
      return;
    }
    case kLambdaScope: {
      auto& def = out_.definitions[t.aux];
      uint32_t s = NewScope(ScopeKind::kLambda, t.scope, "lambda", t.node,
                            static_cast<int32_t>(t.aux), def.qualified_name);
      def.body_scope = static_cast<int32_t>(s);
      DeclareParams(t.aux, s);
      Push(Field(t.node, f_.body), s, kLoad);
      return;
    }
    case kClassScope: {
      auto& def = out_.definitions[t.aux];
      uint32_t s = NewScope(ScopeKind::kClass, t.scope, def.name, t.node,
                            static_cast<int32_t>(t.aux), def.qualified_name);
      def.body_scope = static_cast<int32_t>(s);
      Push(Field(t.node, f_.body), s, kLoad);
      return;
    }
    case kCompScope:
      CompScope(t.node, t.scope);
      return;
  }
}

void Analyzer::VisitLoad(TSNode n, uint32_t scope) {
  switch (KindOf(n)) {
    case NK::identifier:
    case NK::keyword_identifier: {
      std::string_view name = Text(n);
      // Name references are the `use` occurrences; `references` holds attribute accesses.
      AddDef(scope, name, kUse, n, "use", "load");
      if (name == "super" && IsFunctionBlock(scope))
        AddDef(scope, "__class__", kUse, TSNode{}, "", "");
      return;
    }
    case NK::attribute: {
      TSNode attr = Field(n, f_.attribute);
      out_.references.push_back({scope, std::string(Text(attr)), Clip(n), "load", SpanOf(n)});
      Push(Field(n, f_.object), scope, kLoad);
      return;
    }
    case NK::keyword_argument:
      Push(Field(n, f_.value), scope, kLoad);
      return;
    case NK::call:
      HandleCall(n, scope);
      return;
    case NK::decorated_definition: {
      TSNode def = Field(n, f_.definition);
      if (KindOf(def) == NK::class_definition) {
        HandleClass(def, scope, n);
      } else if (KindOf(def) == NK::function_definition) {
        HandleFunction(def, scope, n);
      } else {
        PushChildren(n, scope, kLoad);
      }
      return;
    }
    case NK::function_definition:
      HandleFunction(n, scope, TSNode{});
      return;
    case NK::class_definition:
      HandleClass(n, scope, TSNode{});
      return;
    case NK::lambda:
      HandleLambda(n, scope);
      return;
    case NK::list_comprehension:
    case NK::set_comprehension:
    case NK::dictionary_comprehension:
    case NK::generator_expression:
      HandleComprehension(n, scope);
      return;
    case NK::assignment:
      HandleAssignment(n, scope);
      return;
    case NK::augmented_assignment:
      if (TSNode left = Field(n, f_.left); scope == 0 && Text(left) == "__all__") {
        if (Text(ts_node_child(n, 1)) == "+=") {  // the operator token
          AllAssigned(Field(n, f_.right), true);
        } else {
          all_dynamic_ = true;
        }
      }
      Push(Field(n, f_.right), scope, kLoad);
      Push(Field(n, f_.left), scope, kStore);
      return;
    case NK::delete_statement:
      PushChildren(n, scope, kDel);
      return;
    case NK::global_statement:
    case NK::nonlocal_statement: {
      bool global = KindOf(n) == NK::global_statement;
      size_t start = NamedChildren(n, kids_);
      for (size_t i = start; i < kids_.size(); ++i) {
        AddDef(scope, Text(kids_[i]), global ? kDefGlobal : kDefNonlocal, kids_[i], "decl",
               global ? "global" : "nonlocal");
      }
      kids_.resize(start);
      return;
    }
    case NK::import_statement:
    case NK::import_from_statement:
    case NK::future_import_statement:
      HandleImport(n, scope, KindOf(n));
      return;
    case NK::while_statement:
      loops_.push_back(SpanOf(n));
      PushChildren(n, scope, kLoad);
      return;
    case NK::for_statement:
      loops_.push_back(SpanOf(n));
      Push(Field(n, f_.alternative), scope, kLoad);
      Push(Field(n, f_.body), scope, kLoad);
      Push(Field(n, f_.right), scope, kLoad);
      Push(Field(n, f_.left), scope, kStore);
      return;
    case NK::except_clause: {
      handlers_.emplace_back(static_cast<int32_t>(ts_node_start_byte(ts_node_parent(n))),
                             SpanOf(n));
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        bool is_alias = false;
        // The alias is the field 'alias'; compare by position through the field lookup.
        TSNode alias = Field(n, f_.alias);
        if (!ts_node_is_null(alias) && ts_node_eq(alias, c)) is_alias = true;
        tasks.push_back({c, scope, static_cast<uint8_t>(is_alias ? kStore : kLoad)});
        // `except E as name` deletes `name` when the handler ends: a zero-width `del` site.
        TSNode id{};
        if (is_alias) id = c;
        if (KindOf(c) == NK::as_pattern) id = Field(c, f_.alias);
        if (!ts_node_is_null(id) && KindOf(id) == NK::as_pattern_target)
          id = ts_node_named_child(id, 0);
        {
          if (!ts_node_is_null(id) && KindOf(id) == NK::identifier) {
            uint32_t sym = AddDef(scope, Text(id), kDefLocal, TSNode{}, "", "");
            TSPoint end = EndPoint(n);
            int64_t b = ts_node_end_byte(n);
            if (unbind_sites_.insert({scope, sym, b}).second) {
              occs_.push_back({scope,
                               sym,
                               {static_cast<int32_t>(b), static_cast<int32_t>(b)},
                               "def",
                               "except_unbind",
                               static_cast<int32_t>(end.row) + 1,
                               static_cast<int32_t>(end.column)});
            }
          }
        }
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::as_pattern: {  // with-item `expr as target`
      TSNode alias = Field(n, f_.alias);
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        if (!ts_node_is_null(alias) && ts_node_eq(c, alias)) {
          tasks.push_back({c, scope, kStore});
        } else {
          tasks.push_back({c, scope, kLoad});
        }
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::named_expression:
      HandleNamedExpr(n, scope);
      return;
    case NK::return_statement: {
      TSNode value = ts_node_named_child(n, 0);
      ReturnStatement r{scope, {}, {}, {}};
      if (!ts_node_is_null(value) && KindOf(value) == NK::identifier) r.name = Text(value);
      if (!ts_node_is_null(value) && KindOf(value) == NK::call) {
        r.callee = Text(Field(value, f_.function));
        r.call = SpanOf(value);
      }
      returns_.push_back(r);
      PushChildren(n, scope, kLoad);
      return;
    }
    case NK::yield:
      yield_scopes_.push_back(scope);
      PushChildren(n, scope, kLoad);
      return;
    case NK::with_statement:
      WithItems(n);
      PushChildren(n, scope, kLoad);
      return;
    case NK::case_clause: {
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      TSNode guard = Field(n, f_.guard), cons = Field(n, f_.consequence);
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        bool body = (!ts_node_is_null(guard) && ts_node_eq(c, guard)) ||
                    (!ts_node_is_null(cons) && ts_node_eq(c, cons));
        tasks.push_back({c, scope, static_cast<uint8_t>(body ? kLoad : kPattern)});
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::type_alias_statement:
      HandleTypeAlias(n, scope);
      return;
    case NK::member_type:  // `a.b` in a type: only the left part is a name
      Push(ts_node_named_child(n, 0), scope, kLoad);
      return;
    case NK::pair:
      // Dict displays evaluate key then value; children order already is key, value.
      PushChildren(n, scope, kLoad);
      return;
    case NK::comment:
    case NK::line_continuation:
      return;
    case NK::block:
      PushBlock(n, scope);
      return;
    default:
      PushChildren(n, scope, kLoad);
      return;
  }
}

// `(x)` as x (any depth); other nodes as they are.
static TSNode Unparenthesized(TSNode n) {
  while (!ts_node_is_null(n) && KindOf(n) == NK::parenthesized_expression &&
         ts_node_named_child_count(n) == 1)
    n = ts_node_named_child(n, 0);
  return n;
}

void Analyzer::WithItems(TSNode n) {
  const HeldValue::Enter enter =
      Text(ts_node_child(n, 0)) == "async" ? HeldValue::kAsyncEnter : HeldValue::kEnter;
  TSNode clause = ts_node_named_child(n, 0);
  if (ts_node_is_null(clause) || KindOf(clause) != NK::with_clause) return;
  // Children through the cursor: ts_node_named_child(i) would be quadratic in a long clause.
  const size_t start = NamedChildren(clause, kids_);
  std::vector<TSNode> items(kids_.begin() + static_cast<ptrdiff_t>(start), kids_.end());
  kids_.resize(start);
  for (TSNode item : items) {
    TSNode as = KindOf(item) == NK::with_item ? Unparenthesized(Field(item, f_.value)) : TSNode{};
    if (ts_node_is_null(as) || KindOf(as) != NK::as_pattern) continue;
    TSNode call = ts_node_named_child(as, 0), target = Field(as, f_.alias);
    if (KindOf(call) != NK::call || ts_node_is_null(target) ||
        ts_node_named_child_count(target) != 1)
      continue;
    TSNode name = Unparenthesized(ts_node_named_child(target, 0));  // `as (x)`
    if (KindOf(name) == NK::identifier || KindOf(name) == NK::keyword_identifier)
      assigned_calls_.push_back({SpanOf(name), SpanOf(call), enter, SpanOf(n).bstart});
  }
}

void Analyzer::VisitTarget(TSNode n, uint32_t scope, bool del) {
  switch (KindOf(n)) {
    case NK::identifier:
    case NK::keyword_identifier:
      AddDef(scope, Text(n), kDefLocal, n, "def", del ? "del" : "store");
      return;
    case NK::attribute: {
      TSNode attr = Field(n, f_.attribute);
      out_.references.push_back(
          {scope, std::string(Text(attr)), Clip(n), del ? "del" : "store", SpanOf(n)});
      Push(Field(n, f_.object), scope, kLoad);
      return;
    }
    case NK::subscript:
      PushChildren(n, scope, kLoad);
      return;
    case NK::pattern_list:
    case NK::tuple_pattern:
    case NK::list_pattern:
    case NK::tuple:
    case NK::list:
    case NK::parenthesized_expression:
    case NK::expression_list:
    case NK::list_splat_pattern:
    case NK::list_splat:
    case NK::as_pattern_target:
      PushChildren(n, scope, del ? kDel : kStore);
      return;
    default:
      VisitLoad(n, scope);
      return;
  }
}

void Analyzer::VisitPattern(TSNode n, uint32_t scope) {
  switch (KindOf(n)) {
    case NK::dotted_name: {
      uint32_t count = ts_node_named_child_count(n);
      TSNode first = ts_node_named_child(n, 0);
      if (count == 1) {
        AddDef(scope, Text(first), kDefLocal, first, "def", "capture");
      } else if (!ts_node_is_null(first)) {
        AddDef(scope, Text(first), kUse, first, "use", "load");
      }
      return;
    }
    case NK::as_pattern:
    case NK::splat_pattern: {
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        if (KindOf(c) == NK::identifier) {
          tasks.push_back({c, scope, kStore});
        } else {
          tasks.push_back({c, scope, kPattern});
        }
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::class_pattern: {
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        tasks.push_back(
            {c, scope,
             static_cast<uint8_t>(KindOf(c) == NK::dotted_name ? kDottedLoad : kPattern)});
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::keyword_pattern: {
      size_t start = NamedChildren(n, kids_);
      std::vector<TSNode> rest(kids_.begin() + static_cast<ptrdiff_t>(start) + 1, kids_.end());
      kids_.resize(start);
      for (auto it = rest.rbegin(); it != rest.rend(); ++it) Push(*it, scope, kPattern);
      return;
    }
    case NK::dict_pattern: {
      size_t start = NamedChildren(n, kids_);
      std::vector<Task> tasks;
      for (size_t i = start; i < kids_.size(); ++i) {
        TSNode c = kids_[i];
        const char* field = ts_node_field_name_for_named_child(n, static_cast<uint32_t>(i - start));
        bool key = field && std::string_view(field) == "key";
        uint8_t mode = key ? (KindOf(c) == NK::dotted_name ? kDottedLoad : kLoad) : kPattern;
        tasks.push_back({c, scope, mode});
      }
      kids_.resize(start);
      for (auto it = tasks.rbegin(); it != tasks.rend(); ++it) stack_.push_back(*it);
      return;
    }
    case NK::case_pattern:
    case NK::union_pattern:
    case NK::list_pattern:
    case NK::tuple_pattern:
      PushChildren(n, scope, kPattern);
      return;
    case NK::identifier:
      AddDef(scope, Text(n), kDefLocal, n, "def", "capture");
      return;
    default:
      PushChildren(n, scope, kLoad);  // literals: nothing named inside but strings
      return;
  }
}

}  // namespace anatomy::extract::internal
