#pragma once
// Row structs of one file's extraction, filled by worker threads and turned into Arrow
// tables in file order by table_builder.cc. Internal to the extract layer.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anatomy::extract {

using OptStr = std::optional<std::string>;

// Byte offsets into a file of at most 2 GiB (larger files are not parsed: FILE_TOO_LARGE);
// 32 bits each keep the millions of rows a build holds smaller.
struct Span {
  int32_t bstart = 0;
  int32_t bend = 0;
};

struct FileRow {
  std::string path, file_id, module_name, sha256, encoding;
  int64_t size = 0, mtime_ms = 0, line_count = 0;
  bool is_python = false, parsed = false, has_syntax_errors = false;
  // The module's `__all__`: "none" (not bound), "static" (its names read from literals:
  // all_names) or "dynamic" (built otherwise).
  const char* all_kind = "none";
  std::vector<std::string> all_names;
};

// Scope i's id is FileOutput::scope_ids[i]; its parent and definition are indices.
struct ScopeRow {
  int64_t parent = -1;  // FileOutput::scope_ids index; -1: the module scope
  int64_t def = -1;     // FileOutput::definitions index of the definition creating it
  const char* scope_kind = "";
  std::string scope_name, qualified_name;
  int32_t line = 0;
  Span span;
};

/// Binding flag bits (CPython symtable DEF_* values where they exist).
enum BindFlag : uint32_t {
  kDefGlobal = 1,
  kDefLocal = 2,
  kDefParam = 4,
  kDefNonlocal = 8,
  kUse = 16,
  kDefImport = 128,
  kDefAnnot = 256,
  kDefCompIter = 512,
  kDefTypeParam = 1024,
  kDefBound = kDefLocal | kDefParam | kDefImport,
};

/// Scope resolution of a binding, as CPython's symtable computes it.
enum class Resolution : uint8_t { kLocal = 1, kGlobalExplicit, kGlobalImplicit, kFree, kCell };

// Bindings, occurrences and references are the largest datasets: their rows hold indices
// into FileOutput::binding_ids / scope_ids / names, and ids are hashed while building tables.
struct BindingRow {
  uint32_t scope = 0, name = 0;  // FileOutput::scope_ids / names index
  uint32_t flag_bits = 0;
  Resolution resolution = Resolution::kLocal;
  bool module_scope = false;
  int64_t resolved = -1;           // FileOutput::binding_ids index of the binding this name
                                   // denotes at run time; -1: builtin or unknown
  const char* resolved_kind = "";  // local | enclosing | global | builtin | class_cell | unresolved
  Span span;                       // first occurrence, or the scope's span for implicit bindings
};

/// \brief The short words of occurrence rows (roles and contexts) as one-byte codes: a build
/// holds a million occurrences until their batch, and two pointers made a third of each.
/// Thread-safe; a word not met before is added (there are a few dozen at most).
uint8_t OccurrenceWordCode(const char* word);
const char* OccurrenceWord(uint8_t code);

struct OccurrenceRow {
  uint32_t binding = 0, scope = 0, name = 0;
  uint8_t role = 0;  // OccurrenceWordCode: def | use | decl
  uint8_t ctx = 0;   // load | store | del | param | import | global | nonlocal | capture | ...
  int32_t line = 0, column = 0;
  Span span;
};

// Definitions and parameters hold their scopes, bindings and owning definition by index (as
// the rows above): ids held as strings took more than half of each row.
struct DefinitionRow {
  std::string def_id, name, qualified_name;
  const char* def_kind = "";  // function | async_function | class | lambda
  uint32_t scope = 0;         // FileOutput::scope_ids index of the scope it is defined in
  int32_t body_scope = -1;    // FileOutput::scope_ids index of the scope it creates; -1: none
  int64_t binding = -1;       // FileOutput::binding_ids index of the name it binds; -1: none
  std::vector<std::string> decorators;
  std::vector<std::string> bases;  // class definitions: base expressions (keywords excluded)
  std::vector<std::pair<OptStr, std::string>> base_heads;  // per base: head's (target, kind)
  OptStr metaclass;  // class definitions: the `metaclass=` keyword's expression
  std::pair<OptStr, std::string> metaclass_head;
  bool is_method = false;
  // What a call of it returns, as its body says (not a generator; every `return` agrees):
  // "self" for a method returning its first parameter, which nothing binds again (a call on an
  // instance returns that instance: fluent APIs, `__enter__`); `Foo()` for a function (not
  // async) every `return` of which calls one callee text.
  OptStr returns;

  bool returns_self() const { return returns && *returns == "self"; }
  // What binds its name again after it, in source order: the value the name holds once its
  // scope has run (what a call made later sees) may not be this definition. kSite: another
  // def site of the binding (`def f` in `if`, `def f` in `else`; `from _c import f` after
  // `def f`; a parameter of that name); kStar: only a module-level star import, which may or
  // may not bind the name.
  enum class Rebound : uint8_t { kNo, kSite, kStar } rebound = Rebound::kNo;
  int32_t line = 0;
  Span span, name_span;

  bool is_class() const { return std::string_view(def_kind) == "class"; }
};

/// The definitions table's `rebound`: no, binding or star_import.
const char* ReboundName(DefinitionRow::Rebound r);

struct ParameterRow {
  std::string name;
  const char* kind = "";  // positional | keyword | ... (the analyzer's words)
  uint32_t def = 0;       // FileOutput::definitions index of the function it belongs to
  int64_t binding = -1;   // FileOutput::binding_ids index of the name it binds; -1: none
  uint32_t ordinal = 0;   // a repeated name's ordinal (`def f(a, a)`), part of its id
  int32_t position = 0;
  OptStr default_text, annotation_text;
  Span span;
};

/// The id of a name its owner declares (parameters, type parameters): (owner, name), and the
/// ordinal of a repeated name (`def f(a, a)`, `class C[T, T]`), so that ids stay unique and
/// those of valid code carry none.
std::string OwnedId(std::string_view prefix, const std::string& owner, const std::string& name,
                    uint32_t ordinal);

/// A parameter's id: OwnedId of its function and name.
std::string ParameterId(const std::string& def_id, const ParameterRow& p);

// Calls are the most numerous rows a build holds until their batch: ids are not stored but
// made while building tables (call_id from the span, scope_id and enclosing_def_id by index).
struct CallRow {
  std::string callee_text;
  OptStr callee_name;
  uint32_t scope_index = 0;    // FileOutput::scope_ids index
  int32_t enclosing_def = -1;  // FileOutput::definitions index of the innermost enclosing def
  int32_t arg_count = 0, line = 0;
  Span span, callee_span;
};

// What resolution needs of a call (FileOutput::call_chains, parallel to calls); dropped once
// calls are resolved.
struct CallChain {
  std::vector<std::string> chain;  // the dotted chain of a name or attribute callee
  OptStr head_target;              // binding the chain's first name denotes (see BindingRow)
  std::string head_kind;           // its resolved_kind; empty when the name has no binding
  bool via_super = false;          // the chain follows `super()`: its first name is a base's member
  int32_t receiver = -1;           // the chain follows the result of this call (`Foo().m`: `Foo()`)
  bool literal = false;  // chain[0] is the builtin class of a literal (`str` for `", ".join`)
};

/// `a.b.c` as {"a", "b", "c"} (a dotted callee, base or annotation).
std::vector<std::string> SplitDots(std::string_view dotted);

/// {"a", "b", "c"} as `a.b.c` (SplitDots undone).
std::string JoinDots(const std::vector<std::string>& parts);

// What a name or attribute holds: the result of a call (`m = Model()`), or what its
// `__enter__` returns (`with Model() as m`), or an instance of the class an annotation declares
// (`m: Model`) or a literal makes (`m = []`: `list`).
struct HeldValue {
  enum Enter : uint8_t { kNoEnter, kEnter, kAsyncEnter };  // `with` / `async with`
  int32_t call = -1;                // FileOutput::calls index; -1: an instance of `type`
  std::vector<std::string> type{};  // the dotted class name (a builtin's head_kind is "builtin")
  OptStr type_head_target{};        // as CallChain's head_target / head_kind, for its first name
  std::string type_head_kind{};
  Enter enter = kNoEnter;  // a call's result entered as a context manager
};

// A name bound once in its scope (one def site, counted over every scope that assigns it
// through `global` / `nonlocal`, no star import there), by `name = literal`, or as a parameter
// or variable annotated with a class (`def f(m: Model)`, `m: Model = load()`); or one whose
// every def site is `name = call(...)` or `with call(...) as name`, of one callee text in one
// scope (`c = Counter(a)` and later `c = Counter(b)`).
struct InstanceBinding {
  uint32_t binding;  // FileOutput::binding_ids index
  HeldValue value;
};

// An attribute of a class's instances: annotated in the class body (`conn: Conn`), a property
// annotated `-> Conn`, or set by the file's one store to an attribute of that name,
// `self.conn = Conn()` in a method of the class whose body binds no such name.
struct InstanceAttribute {
  uint32_t cls;  // FileOutput::definitions index of the class
  std::string name;
  HeldValue value;
};

// What a function returns, as its return annotation declares (`def load() -> Model`), or else
// its body (`return Model(...)`, DefinitionRow::returns), for a function whose decorators cannot
// change what a call of it returns.
struct ReturnedValue {
  uint32_t def;  // FileOutput::definitions index of the function
  HeldValue value;
};

// What a call's first name holds where it is read (`s.substitute()` after `s =
// Template(...)`): a name bound more than once whose read one def site reaches in straight-line
// code, `name = call(...)`, `name = literal` or `with call(...) as name` (Analyzer's
// ReachedValues).
struct ReachedValue {
  uint32_t call;  // FileOutput::calls index
  HeldValue value;
};

// A name bound once (as InstanceBinding) to a dotted name (`main = TestProgram`,
// `join = os.path.join`): it denotes what that name denotes. `value.type` is the dotted name.
struct Alias {
  uint32_t binding;  // FileOutput::binding_ids index
  HeldValue value;
};

// One per call, in FileOutput::calls order (call_id and span are the call's).
struct CallResolutionRow {
  OptStr target_def_id;               // the definition called
  int64_t target_file = -1;           // index of its file among the files resolved together
  std::string target_qualified_name;  // unused when qualified_name_is_callee_text
  bool qualified_name_is_callee_text = false;
  const char* resolution_method = "unresolved";
  const char* origin = "static";
  double score = 0;
};

struct ImportRow {
  std::string import_id, scope_id, module_text, module;
  OptStr binding_id, imported_name, asname, resolved_path, resolved_file_id;
  OptStr resolved_binding_id, resolved_def_id;  // `from m import x`: x's binding in m, its def
  std::string resolved_kind = "external";
  int32_t level = 0, line = 0;
  bool is_star = false, is_from = false;
  Span span;
};

struct ReferenceRow {  // attribute accesses (name references are `use` occurrences)
  uint32_t scope = 0;
  std::string name, text;
  const char* ctx = "load";
  Span span;
  // The name it denotes: `pkg.mod.C.x` for `self.x` in a method of class C (`self` its first
  // parameter, used in the method's own scope); otherwise (left empty) the text. Set after the
  // walk.
  std::string qualified_name = {};
};

struct TypeParamRow {
  std::string type_param_id, scope_id, owner_name, kind, name;
  OptStr owner_def_id, bound_text, default_text, binding_id;
  std::vector<std::string> constraints;
  Span span;
};

struct AnnotationRow {
  std::string annotation_id, scope_id, target_kind, target_name, annotation_text;
  OptStr owner_id;
  Span span;
};

struct DiagnosticRow {
  std::string diag_id, kind, message;
  int32_t line = 0, column = 0;
  Span span;
};

struct ErrorRow {
  std::string path, stage, code, message;
  int64_t bstart = 0, bend = 0;
};

/// Everything extracted from one file.
struct FileOutput {
  FileRow file;
  std::vector<std::string> scope_ids, binding_ids, names;  // indexed by the rows above
  std::vector<ScopeRow> scopes;
  std::vector<BindingRow> bindings;
  std::vector<OccurrenceRow> occurrences;
  std::vector<DefinitionRow> definitions;
  std::vector<ParameterRow> parameters;
  std::vector<CallRow> calls;
  std::vector<CallChain> call_chains;
  std::vector<InstanceBinding> instance_bindings;      // dropped with call_chains
  std::vector<InstanceAttribute> instance_attributes;  // dropped with call_chains
  std::vector<ReturnedValue> returned_values;          // dropped with call_chains
  std::vector<ReachedValue> reached_values;            // by call; dropped with call_chains
  std::vector<Alias> aliases;                          // by binding; the bindings table's alias_of
  // By binding: what a name bound once holds (InstanceBinding), the bindings table's
  // instance_of: `Policy()` for a call's result, `Model` for an instance of a class.
  std::vector<std::pair<uint32_t, std::string>> instance_of;
  std::vector<CallResolutionRow> call_resolutions;
  std::vector<ImportRow> imports;
  std::vector<ReferenceRow> references;
  std::vector<TypeParamRow> type_params;
  std::vector<AnnotationRow> annotations;
  std::vector<DiagnosticRow> diagnostics;
  std::vector<ErrorRow> errors;
};

}  // namespace anatomy::extract
