#pragma once
// State of the per-file analyzer shared by its translation units (walk, symbols, rows).

#include <tree_sitter/api.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "anatomy/extract/node_kinds.h"
#include "anatomy/extract/rows.h"
#include "anatomy/extract/source_repairs.h"
#include "anatomy/extract/utf8.h"

namespace anatomy::extract::internal {

// A node's bytes (files over 2 GiB are not parsed, so the offsets fit Span's 32 bits).
inline Span SpanOf(TSNode n) {
  return {static_cast<int32_t>(ts_node_start_byte(n)), static_cast<int32_t>(ts_node_end_byte(n))};
}

enum class ScopeKind : uint8_t {
  kModule,
  kClass,
  kFunction,
  kLambda,
  kComprehension,
  kTypeParams,
  kAnnotation
};

const char* ScopeKindName(ScopeKind k);

/// Qualified names grow with nesting depth; past 512 bytes the middle components are replaced
/// by `<...>` so that deeply nested code (10,000 lambdas) costs linear, not quadratic, memory.
std::string CapQualname(std::string q);

constexpr uint32_t kNone = UINT32_MAX;

struct Sym {
  uint32_t name;
  uint32_t flags = 0;
  Resolution res = Resolution::kLocal;
  Span first{-1, -1};
};

struct Scope {
  ScopeKind kind;
  uint32_t parent = kNone;
  std::string name, qualname, child_prefix, private_name;
  int32_t line = 0;
  Span span;
  int32_t def_index = -1;  // the definition that creates this scope
  // PEP 695 scopes of a definition in a class body (its type parameters, their bounds, an
  // alias's value) see that class's names: CPython's ste_can_see_class_scope, class_entry.
  uint32_t class_entry = kNone;
  std::vector<Sym> syms;
  // Analysis state (CPython analyze_block, split into a top-down and a bottom-up pass).
  std::vector<uint32_t> children_free;
  bool bound_null = false;
  bool detached = false;  // 3.11 `from __future__ import annotations` blocks: never analyzed
};

struct PendingOcc {
  uint32_t scope, sym;
  Span span;
  const char* role;
  const char* ctx;
  int32_t line, column;
};

struct ParamInfo {
  TSNode name_node;  // identifier (null node for a tuple parameter)
  TSNode default_node{};
  TSNode annotation_node{};
  const char* kind;
  TSNode whole;
};

enum Mode : uint8_t {
  kLoad,
  kStore,
  kDel,
  kPattern,
  kDottedLoad,
  kAnnot,        // one annotation: own scope under `from __future__ import annotations`
  kArgAnnots,    // the parameter annotations of a function (node = the function)
  kFuncScope,    // create the function scope (aux = def index)
  kClassScope,   // create the class scope (aux = def index)
  kLambdaScope,  // create the lambda scope (aux = def index)
  kCompScope,    // create a comprehension scope (node = the comprehension)
};

struct Task {
  TSNode node;
  uint32_t scope;
  uint8_t mode;
  uint32_t aux = 0;
};

inline bool SpanLess(const Span& a, const Span& b) {
  return a.bstart != b.bstart ? a.bstart < b.bstart : a.bend < b.bend;
}

/// A TS_ERROR / TS_MISSING row in `out.diagnostics` for every error node of the tree but the
/// `recovered` ones (sorted by SpanLess).
void CollectDiagnostics(TSNode root, std::string_view src, const LineIndex* lines,
                        const std::vector<Span>& recovered, FileOutput& out);

/// The ERROR and MISSING nodes of the tree, recovered ones included.
size_t CountErrorNodes(TSNode root);

/// The dotted class name an annotation declares (`Model`, `app.Model`, `"Model"`,
/// `Model | None`, `Optional[Model]`, `list[int]`), split at its dots; nullopt for anything else.
std::optional<std::vector<std::string>> DeclaredClass(std::string_view annotation);

/// The builtin class of a literal node (`str` for a string, `list` for `[...]` or a list
/// comprehension, ...), or nullptr.
const char* LiteralClass(TSNode n, std::string_view text);

/// Where a node starts: tree-sitter's point, or from `lines` when the parsed text was repaired
/// (source_repairs.h): tree-sitter's rows do not count the line breaks made spaces.
inline TSPoint StartPoint(TSNode n, const LineIndex* lines) {
  return lines ? lines->At(ts_node_start_byte(n)) : ts_node_start_point(n);
}
inline TSPoint EndPoint(TSNode n, const LineIndex* lines) {
  return lines ? lines->At(ts_node_end_byte(n)) : ts_node_end_point(n);
}

/// One file's analyzer; see analyzer.h.
class Analyzer {
 public:
  Analyzer(std::string_view src, const LineIndex* lines, FileOutput& out)
      : src_(src), lines_(lines), out_(out), f_(PyFields()) {}
  void Run(TSNode root);

 private:
  // walk.cc
  void Dispatch(const Task& t);
  void VisitLoad(TSNode n, uint32_t scope);
  void VisitTarget(TSNode n, uint32_t scope, bool del);
  void VisitPattern(TSNode n, uint32_t scope);
  void HandleFunction(TSNode fn, uint32_t scope, TSNode deco);
  void HandleClass(TSNode cls, uint32_t scope, TSNode deco);
  void HandleLambda(TSNode lam, uint32_t scope);
  void HandleComprehension(TSNode comp, uint32_t scope);
  void CompScope(TSNode comp, uint32_t scope);
  void HandleImport(TSNode n, uint32_t scope, NK kind);
  void HandleCall(TSNode n, uint32_t scope);
  void HandleAssignment(TSNode n, uint32_t scope);
  void HandleNamedExpr(TSNode n, uint32_t scope);
  void HandleTypeAlias(TSNode n, uint32_t scope);
  uint32_t HandleTypeParams(TSNode tp, uint32_t scope, const std::string& owner, int32_t def_index,
                            bool class_owner = false);
  void CollectParams(TSNode params, std::vector<ParamInfo>& out);
  void DeclareParams(uint32_t def_index, uint32_t fscope);
  int32_t AddDefinition(TSNode node, TSNode name_node, const char* kind, uint32_t scope,
                        std::string name, TSNode deco);
  void AddAnnotationRow(TSNode annot, uint32_t scope, const char* target_kind,
                        std::string target_name, OptStr owner);

  // symbols.cc
  uint32_t NewScope(ScopeKind kind, uint32_t parent, std::string name, TSNode node,
                    int32_t def_index, std::string qualname);
  uint32_t Intern(std::string_view s);
  uint32_t SymFor(uint32_t scope, uint32_t name);
  int32_t FindSym(uint32_t scope, uint32_t name) const;
  uint32_t AddDef(uint32_t scope, std::string_view name, uint32_t flag, TSNode site,
                  const char* role, const char* ctx);
  void Analyze();
  void EmitRows();
  // What resolution follows past a call or a name: calls on call results (CallChain::receiver),
  // what names bound once and attributes of instances hold (InstanceBinding,
  // InstanceAttribute), what functions return (ReturnedValue). `head` resolves the first name
  // of a dotted text in a scope (EmitRows).
  using HeadResolver = std::function<void(uint32_t, const std::string&, OptStr&, std::string&)>;
  void LinkCallResults(const std::vector<bool>& star_import_scope, const HeadResolver& head);
  // `__all__` at module level (FileRow::all_kind): `value` assigned (`=`, or `+=` when
  // `augment`), or the argument of `__all__.extend(...)` / `.append(...)`.
  void AllAssigned(TSNode value, bool augment);
  void AllCall(TSNode call, uint32_t scope);
  bool AllStrings(
      TSNode n);  // the strings of a list or tuple literal (or one string) into all_names_
  void EmitAll();
  // DefinitionRow::rebound of every definition, from the def sites of its binding.
  void MarkRebound();
  // DefinitionRow::returns of every function (of a method returning `self`, in LinkCallResults,
  // which counts def sites).
  void MarkReturns();
  // `with call(...) as name` items (assigned_calls_).
  void WithItems(TSNode with_statement);
  // The statements of a block (or of the module) into statements_ / blocks_, then its children
  // onto the task stack.
  void PushBlock(TSNode block, uint32_t scope);
  // FileOutput::reached_values: what a call's first name holds where one def site reaches it
  // in straight-line code. `def_sites`: per binding, the def sites of the name it denotes;
  // `call_of` finds the call at a span (-1: none).
  void ReachedValues(const std::vector<uint32_t>& def_sites,
                     const std::function<int64_t(const Span&)>& call_of);
  // The binding an emitted binding's name denotes: `global x` / `nonlocal x` in another scope
  // assign the module's or the enclosing function's.
  uint32_t Denoted(uint32_t binding) const {
    const int64_t r = out_.bindings[binding].resolved;
    return r >= 0 ? static_cast<uint32_t>(r) : binding;
  }
  bool IsFunctionBlock(uint32_t scope) const;
  bool IsFunctionLike(uint32_t scope) const;
  bool InPassBound(uint32_t parent, uint32_t name, uint32_t class_cell) const;
  // The class's symbol for `name` when `scope` sees a class (Scope::class_entry), or -1.
  int32_t SeenClassSym(uint32_t scope, uint32_t name) const;

  // helpers
  std::string_view Text(TSNode n) const {
    uint32_t s = ts_node_start_byte(n), e = ts_node_end_byte(n);
    return e > src_.size() || s > e ? std::string_view() : src_.substr(s, e - s);
  }
  /// Source text for a text column, clipped at 1 KiB: nested expressions (`f()()()...`) would
  /// otherwise repeat ever longer prefixes, quadratic in the nesting depth.
  std::string Clip(TSNode n) const { return Clip(Text(n)); }
  static std::string Clip(std::string_view t) {
    return t.size() <= 1024 ? std::string(t) : std::string(t.substr(0, 1000)) + "...";
  }
  TSNode Field(TSNode n, TSFieldId f) const { return ts_node_child_by_field_id(n, f); }
  /// Named children of n (comments skipped) into a reusable buffer; returns its start index.
  size_t NamedChildren(TSNode n, std::vector<TSNode>& buf);
  void Push(TSNode n, uint32_t scope, uint8_t mode, uint32_t aux = 0) {
    if (!ts_node_is_null(n)) stack_.push_back({n, scope, mode, aux});
  }
  void PushChildren(TSNode n, uint32_t scope, uint8_t mode);

  TSPoint StartPoint(TSNode n) const { return internal::StartPoint(n, lines_); }
  TSPoint EndPoint(TSNode n) const { return internal::EndPoint(n, lines_); }

  std::string_view src_;
  const LineIndex* lines_;
  FileOutput& out_;
  const Fields& f_;
  bool future_annotations_ = false;
  std::vector<Task> stack_;
  std::vector<TSNode> kids_;
  TSTreeCursor cursor_{};
  bool cursor_init_ = false;

  std::vector<Scope> scopes_;
  std::deque<std::string> name_store_;
  std::unordered_map<std::string_view, uint32_t> name_ids_;
  std::unordered_map<uint64_t, uint32_t> sym_index_;
  std::vector<PendingOcc> occs_;
  std::vector<std::vector<ParamInfo>> def_params_;          // per definition
  std::vector<std::pair<uint32_t, uint32_t>> def_binding_;  // (scope, sym) of the name
  struct PendingRef {
    size_t row;
    uint32_t scope, sym;
  };
  std::vector<PendingRef> ref_bindings_, import_bindings_, tp_bindings_, param_bindings_;
  std::vector<std::vector<uint32_t>> own_free_;
  std::set<std::tuple<uint32_t, uint32_t, int64_t>>
      unbind_sites_;  // nested handlers may end together
  // Each `except` clause: (start of its try statement, its span), for MarkRebound.
  std::vector<std::pair<int32_t, Span>> handlers_;
  std::vector<uint32_t> call_scopes_;
  // Calls whose callee starts from another call's result (`Foo().m`): (call index, span of
  // the inner call); and `name = call(...)` assignments and `with call(...) as name` items.
  // EmitRows turns spans into call indices.
  std::vector<std::pair<size_t, Span>> receiver_calls_;
  struct AssignedCall {
    Span name, call;
    HeldValue::Enter enter;
    int32_t statement;  // where its statement starts (a with item's: at `with`)
  };
  std::vector<AssignedCall> assigned_calls_;
  // Every block's statements in source order (blocks_: each block's range of statements_).
  struct Statement {
    Span span;
    uint32_t block;
  };
  std::vector<Statement> statements_;
  std::vector<std::pair<uint32_t, uint32_t>> blocks_;
  std::vector<Span> loops_;  // `for` and `while` statements
  // Each `return` (the name it returns, or the callee text and span of the call it returns)
  // and each scope that yields: MarkReturns.
  struct ReturnStatement {
    uint32_t scope;
    std::string_view name, callee;
    Span call;
  };
  std::vector<ReturnStatement> returns_;
  std::vector<uint32_t> yield_scopes_;
  // Functions whose body returns a call (DefinitionRow::returns): (definition, the call's
  // span); or a name other than `self`: (definition, the name). For LinkCallResults.
  std::vector<std::pair<uint32_t, Span>> returned_calls_;
  std::vector<std::pair<uint32_t, std::string>> returned_names_;
  // First parameters of methods every `return` of which returns them: `self` when that is its
  // name's one def site (LinkCallResults).
  std::vector<uint32_t> self_returns_;
  std::vector<int32_t> first_param_;  // per definition: its first parameter's index, or -1
  std::vector<std::pair<Span, std::string>> annotated_names_;  // `name: T = value`: (name, T)
  struct AssignedLiteral {                                     // `name = []`: (name, "list")
    Span name;
    const char* literal;
    int32_t statement;  // as AssignedCall's
  };
  std::vector<AssignedLiteral> assigned_literals_;
  // The inner assignments of chains (`a.x = b = {}`) by start: where their statement starts.
  std::unordered_map<int32_t, int32_t> chained_;
  std::vector<std::pair<Span, std::string>> assigned_names_;  // `name = a.b`: (name, "a.b")
  struct AttributeStore {                                     // `obj.attr = call(...)` in `scope`
    uint32_t scope;
    std::string object, attr;
    Span call;
  };
  std::vector<AttributeStore> attribute_calls_;
  struct AttributeName {  // `obj.attr = name` in `scope`
    uint32_t scope;
    std::string object, attr, name;
  };
  std::vector<AttributeName> attribute_names_;
  struct ClassAnnotation {  // `name: T` in the body of class `cls`
    int32_t cls;
    std::string name, annotation;
  };
  std::vector<ClassAnnotation> class_annotations_;
  std::vector<std::pair<int32_t, std::string>> return_annotations_;  // (definition, annotation)
  // `__all__`: `=` of a list or tuple of strings (all_assignments_), `+=` of one
  // (all_augments_); anything else of it at module level makes it dynamic.
  int all_assignments_ = 0, all_augments_ = 0;
  bool all_dynamic_ = false;
  std::vector<std::string> all_names_;
  // ERROR nodes read as PEP 696 defaults, which tree-sitter-python does not parse: no
  // diagnostics for them.
  std::vector<Span> recovered_syntax_;
};

}  // namespace anatomy::extract::internal
