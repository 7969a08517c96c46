#include "anatomy/extract/resolve.h"

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

#include "anatomy/core/parallel.h"

namespace anatomy::extract {
namespace {

struct ModuleIndex {
  std::map<std::string, size_t> modules;  // dotted name -> file index
  std::set<std::string> namespace_packages;
  std::map<std::string, std::string> namespace_dirs;

  explicit ModuleIndex(const std::vector<FileOutput>& files) {
    std::set<std::string> regular_packages;
    for (size_t i = 0; i < files.size(); ++i) {
      const auto& f = files[i].file;
      if (!f.is_python || f.module_name.empty()) continue;
      modules.emplace(f.module_name, i);
      if (f.path.size() >= 11 && f.path.substr(f.path.size() - 11) == "__init__.py") {
        regular_packages.insert(f.module_name);
      }
    }
    for (size_t i = 0; i < files.size(); ++i) {
      const auto& f = files[i].file;
      if (!f.is_python) continue;
      std::string dir = f.path;
      for (size_t slash = dir.rfind('/'); slash != std::string::npos; slash = dir.rfind('/')) {
        dir.resize(slash);
        std::string dotted = dir;
        for (auto& c : dotted) c = c == '/' ? '.' : c;
        if (regular_packages.count(dotted) == 0) {
          namespace_packages.insert(dotted);
          namespace_dirs.emplace(dotted, dir);
        }
      }
    }
  }
};

void ResolveImport(ImportRow& r, const ModuleIndex& idx, const std::vector<FileOutput>& files) {
  auto set_module = [&](const std::string& name) {
    auto it = idx.modules.find(name);
    if (it != idx.modules.end()) {
      const auto& f = files[it->second].file;
      bool pkg = f.path.size() >= 11 && f.path.substr(f.path.size() - 11) == "__init__.py";
      r.resolved_kind = pkg ? "package" : "module";
      r.resolved_path = f.path;
      r.resolved_file_id = f.file_id;
      return true;
    }
    if (idx.namespace_packages.count(name)) {
      r.resolved_kind = "namespace_package";
      r.resolved_path = idx.namespace_dirs.at(name);
      return true;
    }
    return false;
  };
  if (!r.is_from || r.is_star) {
    set_module(r.module);
    return;
  }
  std::string sub = r.module.empty() ? *r.imported_name : r.module + "." + *r.imported_name;
  if (set_module(sub)) return;
  if (set_module(r.module)) {
    if (r.resolved_kind != "namespace_package") r.resolved_kind = "symbol";
  }
}

bool IsBuiltin(const std::string& name) {
  static const std::set<std::string> kNames{
#include "anatomy/extract/builtins_list.inc"
  };
  return kNames.count(name) > 0;
}

// Where a name or dotted chain leads, statically.
struct Target {
  // kInstance: `self` / `cls` in a method; kObject: an instance of an in-REPO class, made by
  // a call of it or declared by an annotation.
  enum Kind { kNone, kDef, kModule, kInstance, kObject, kExternal, kBuiltin } kind = kNone;
  size_t file = 0, def = 0;  // kDef / kInstance / kObject: the (class) definition
  std::string qname;         // kModule / kExternal / kBuiltin / best guess otherwise
  const char* method = "unresolved";
  double score = 0.1;
  bool class_object = false;  // kInstance: `cls` of a classmethod or `__new__`, the class itself
  // kExternal: a REPO class a star import of something unknown may bind over (an accelerator's
  // class of the same name): a call of it makes an instance known by qualified name.
  bool external_class = false;
  // kDef of a method found on an instance or class (`x.m`): that class, which `-> Self` names.
  std::optional<std::pair<size_t, size_t>> receiver;
  // kDef of a method found on an instance (`x.m`, `self.m`), which a call of it passes as the
  // method's first parameter.
  bool bound = false;
};

class CallResolver {
 public:
  CallResolver(std::vector<FileOutput>& files, const ModuleIndex& idx) : files_(files), idx_(idx) {
    for (size_t fi = 0; fi < files.size(); ++fi) {
      const auto& f = files[fi];
      if (!f.scope_ids.empty()) {
        module_scope_[f.file.module_name] = f.scope_ids[0];
        // The names the module binds (its symbol table also holds the names it only reads).
        for (size_t k = 0; k < f.bindings.size() && f.bindings[k].scope == 0; ++k) {
          if (f.bindings[k].flag_bits & (kDefBound | kDefGlobal))
            names_[Key(f.scope_ids[0], f.names[f.bindings[k].name])] = &f.binding_ids[k];
        }
      }
      for (size_t k = 0; k < f.bindings.size(); ++k) {
        const BindingRow& b = f.bindings[k];
        if ((b.flag_bits & kDefBound) && std::string_view(f.scopes[b.scope].scope_kind) == "class")
          class_names_[Key(f.scope_ids[b.scope], f.names[b.name])] = &f.binding_ids[k];
      }
      for (size_t di = 0; di < f.definitions.size(); ++di) {
        const auto& d = f.definitions[di];
        if (d.body_scope >= 0) def_by_body_[f.scope_ids[d.body_scope]] = {fi, di};
        // A definition whose name a later def site binds again is not what the name holds
        // (the last definition is, or an import after it, or nothing known).
        if (d.rebound == DefinitionRow::Rebound::kSite) continue;
        if (d.binding >= 0)
          defs_by_binding_.emplace(f.binding_ids[d.binding], std::make_pair(fi, di));
        members_[Key(f.scope_ids[d.scope], d.name)] = {fi, di};
      }
      for (const auto& imp : f.imports) {
        // A name several imports bind (`try: import a` / `except ImportError: import b as a`,
        // `if` / `else`): the first, the one tried first.
        if (imp.binding_id) imports_.emplace(*imp.binding_id, &imp);
        if (imp.is_star && !f.scope_ids.empty() && imp.scope_id == f.scope_ids[0])
          stars_[fi].push_back(imp.module);
      }
      for (const auto& ib : f.instance_bindings)
        instances_.emplace(f.binding_ids[ib.binding],
                           HeldBy{fi, &ib.value, f.bindings[ib.binding].scope == 0});
      for (const auto& a : f.aliases) {
        const uint32_t scope = f.bindings[a.binding].scope;
        aliases_.emplace(
            f.binding_ids[a.binding],
            AliasOf{fi, &a.value,
                    scope == 0 || std::string_view(f.scopes[scope].scope_kind) == "class"});
      }
      for (const auto& rv : f.returned_values)
        returns_.emplace(f.definitions[rv.def].def_id, std::make_pair(fi, &rv.value));
      for (const auto& ia : f.instance_attributes)
        attributes_.emplace(Key(f.definitions[ia.cls].def_id, ia.name),
                            std::make_pair(fi, &ia.value));
      for (const auto& p : f.parameters) {
        if (p.binding >= 0 && p.position == 0) {
          first_params_[f.binding_ids[p.binding]] = f.definitions[p.def].def_id;
        }
      }
      for (size_t di = 0; di < f.definitions.size(); ++di)
        def_by_id_[f.definitions[di].def_id] = {fi, di};
    }
  }

  /// The REPO modules resolution looked into whose file is not analyzed.
  std::set<std::string> Missing() const { return missing_; }

  // For `from m import x` into a REPO module m (an import of file `fi`): x's module-level
  // binding there and, through re-exports, the definition it names.
  void ResolveImportedSymbol(size_t fi, ImportRow& imp) {
    if (!imp.is_from || imp.is_star) return;
    // `from a import b` of a submodule that a binds over: a's name b.
    if (auto a = idx_.modules.find(imp.module); imp.resolved_kind != "symbol" &&
                                                a != idx_.modules.end() &&
                                                Rebinding(imp.module, *imp.imported_name)) {
      imp.resolved_kind = "symbol";
      imp.resolved_path = files_[a->second].file.path;
      imp.resolved_file_id = files_[a->second].file.file_id;
    }
    if (imp.resolved_kind != "symbol") return;
    auto ms = ModuleScope(imp.module);
    if (ms == module_scope_.end()) return;
    auto b = names_.find(Key(ms->second, *imp.imported_name));
    if (b == names_.end()) return;
    imp.resolved_binding_id = *b->second;
    Budget budget{fi};
    Target t = FromBinding(*b->second, "import", 0.9, 0, budget);
    if (t.kind == Target::kDef) imp.resolved_def_id = files_[t.file].definitions[t.def].def_id;
  }

  // What resolving the calls of one file finds out once about its classes (for `self.m()` in
  // a mixin): filled on first use by the thread that resolves the file.
  struct FileClasses {
    bool built = false;
    // In-REPO class (file, def) -> the classes of the file derived from it (definition
    // indexes, in file order).
    std::map<std::pair<size_t, size_t>, std::vector<size_t>> subclasses;
    std::set<std::string> stored;  // attribute names the file stores (`x.m = ...`) or deletes
    // (class definition index, name) -> the member its subclasses agree on.
    std::map<std::pair<size_t, std::string>, std::optional<std::pair<size_t, size_t>>> found;
  };

  CallResolutionRow Resolve(size_t fi, size_t call, FileClasses* classes = nullptr) {
    CallResolutionRow r;
    Budget budget{fi, 256, classes};
    Target t = Callee(fi, call, 0, budget);
    if (t.kind == Target::kDef) {
      const auto& d = files_[t.file].definitions[t.def];
      if (d.is_class()) {
        // Its metaclass's `__call__` when it has one (an enum's lookup of a member); else its
        // `__init__`; without one, its `__new__` (a tuple's subclass, a singleton).
        const char* how = "metaclass_call";
        auto init = MetaclassCall(t.file, t.def, 0, budget);
        if (!init) {
          how = "class_init";
          init = Member(t.file, t.def, "__init__", 0, budget);
        }
        if (!init) {
          how = "class_new";
          init = Member(t.file, t.def, "__new__", 0, budget);
        }
        if (init) {
          const auto& id = files_[init->first].definitions[init->second];
          r.target_def_id = id.def_id;
          r.target_file = static_cast<int64_t>(init->first);
          r.target_qualified_name = id.qualified_name;
          r.resolution_method = how;
          r.score = t.score * 0.95;
          return r;
        }
        r.resolution_method = "class";
      } else {
        r.resolution_method = t.method;
      }
      r.target_def_id = d.def_id;
      r.target_file = static_cast<int64_t>(t.file);
      r.target_qualified_name = d.qualified_name;
      r.score = t.score;
      return r;
    }
    if (t.kind == Target::kObject) {
      // A call of an instance (`col(...)` for `col = Col()`): its class's `__call__`.
      const auto& cls = files_[t.file].definitions[t.def];
      if (auto call = Member(t.file, t.def, "__call__", 0, budget)) {
        const auto& d = files_[call->first].definitions[call->second];
        r.target_def_id = d.def_id;
        r.target_file = static_cast<int64_t>(call->first);
        r.target_qualified_name = d.qualified_name;
        r.resolution_method = t.method;
        r.score = t.score;
        return r;
      }
      t.qname = cls.qualified_name + ".__call__";
    }
    if (t.kind == Target::kModule || t.kind == Target::kExternal || t.kind == Target::kBuiltin) {
      r.target_qualified_name = t.qname;
      r.resolution_method = t.kind == Target::kBuiltin ? "builtin" : "import_qname";
      r.score = t.kind == Target::kBuiltin ? 0.5 : 0.6;
      return r;
    }
    if (t.qname.empty()) {
      r.qualified_name_is_callee_text = true;
    } else {
      r.target_qualified_name = t.qname;
    }
    r.resolution_method = "unresolved";
    r.origin = "callee_text";
    r.score = 0.1;
    return r;
  }

 private:
  // Member lookups of one call. Bases are expressions resolved like callees (`class C(C.x)`),
  // so Member and Attr recurse into each other: `depth` bounds cycles (a class whose base
  // names itself) and the budget the fan-out (every base of every class up the chain), so
  // that a hostile file costs bounded work. Per call, so results stay deterministic.
  struct Budget {
    size_t file;  // the call's own file: what its names hold is read there only
    int left = 256;
    FileClasses* classes = nullptr;  // the call's file's classes, for SubclassMember
  };
  static constexpr int kMaxDepth = 8;
  // SubclassMember gives up on a class with more subclasses in the file than this.
  static constexpr size_t kMaxSubclasses = 64;

  static std::string Key(const std::string& a, const std::string& b) { return a + '\x1f' + b; }

  // What call `call` of file `fi` calls, before a class call is taken to its `__init__`.
  Target Callee(size_t fi, size_t call, int depth, Budget& budget) {
    const FileOutput& f = files_[fi];
    const CallChain& chain = f.call_chains[call];
    if (chain.via_super) return SuperMember(f, f.calls[call], chain, budget);
    if (chain.chain.empty()) return {};
    size_t next = 1;
    Target t;
    if (chain.receiver >= 0) {
      t = Made(fi, static_cast<size_t>(chain.receiver), depth + 1, budget);
      next = 0;
    } else if (const HeldValue* reached = ReachedAt(f, call)) {
      t = Held(fi, *reached, depth + 1, budget);
    } else {
      t = ResolveHead(fi, chain.chain[0], chain.head_target, chain.head_kind, depth, budget);
    }
    size_t i = next;
    for (; i < chain.chain.size() && t.kind != Target::kNone; ++i)
      t = Attr(t, chain.chain[i], depth, budget);
    // Past the last name found, the callee's best qualified name goes on with the chain
    // (`pkg.mod.C.conn.send` for `self.conn.send`, not the attribute `pkg.mod.C.conn`).
    if (!t.qname.empty())
      for (; i < chain.chain.size(); ++i) t.qname += "." + chain.chain[i];
    // `cls(...)` in a classmethod calls the class (the method's own, as far as is known here).
    if (t.kind == Target::kInstance && t.class_object) t.kind = Target::kDef;
    return t;
  }

  // What the first name of call `call` of `f` holds where the call reads it, or nullptr.
  static const HeldValue* ReachedAt(const FileOutput& f, size_t call) {
    auto it = std::lower_bound(f.reached_values.begin(), f.reached_values.end(), call,
                               [](const ReachedValue& r, size_t c) { return r.call < c; });
    return it != f.reached_values.end() && it->call == call ? &it->value : nullptr;
  }

  // What call `call` of file `fi` returns, where statically known: an instance of the in-REPO
  // or builtin container class it calls, or what a function's return annotation declares.
  Target Made(size_t fi, size_t call, int depth, Budget& budget) {
    if (depth > kMaxDepth || budget.left-- <= 0) return {};
    Target t = Callee(fi, call, depth, budget);
    // The builtin container and text classes called (`set()`, `dict(...)`).
    static const std::set<std::string> kBuiltinClasses{
        "builtins.bytearray", "builtins.bytes", "builtins.dict", "builtins.frozenset",
        "builtins.list",      "builtins.set",   "builtins.str",  "builtins.tuple"};
    if (t.kind == Target::kBuiltin && kBuiltinClasses.count(t.qname)) return t;
    // An instance of a class an accelerator may replace: its methods by qualified name.
    if (t.kind == Target::kExternal && t.external_class) {
      t.external_class = false;
      return t;
    }
    if (t.kind == Target::kDef) {
      if (auto r = Returned(t, depth, budget)) return *r;
      // A method that returns its instance (`return self`), called on one.
      const DefinitionRow& m = files_[t.file].definitions[t.def];
      if (t.receiver && t.bound && m.returns_self() && std::string_view(m.def_kind) == "function")
        return Instance(DefAt(*t.receiver), "instance_method", 0.7);
      // A class whose metaclass defines `__call__` (an enum's: a member, or a new class for
      // `Enum('Color', 'RED')`): a call of it returns what that `__call__` returns, as its
      // annotation or body says.
      if (m.is_class())
        if (auto meta = MetaclassCall(t.file, t.def, depth + 1, budget))
          return Returned(DefAt(*meta), depth, budget).value_or(Target{});
    }
    return Instance(t, "instance_method", 0.7);
  }

  // What function `t` (kDef) returns as its return annotation declares, a class; `-> Self`,
  // the class of the instance or class the method was found on.
  std::optional<Target> Returned(const Target& t, int depth, Budget& budget) {
    auto r = returns_.find(files_[t.file].definitions[t.def].def_id);
    if (r == returns_.end() || !Readable(t.file, *r->second.second, budget)) return std::nullopt;
    const HeldValue& v = *r->second.second;
    if (t.receiver && IsSelf(t.file, v, depth, budget))
      return Instance(DefAt(*t.receiver), "annotated_method", 0.6);
    return Held(t.file, v, depth + 1, budget);
  }

  // Definition (file, def index) as a target.
  static Target DefAt(std::pair<size_t, size_t> at) {
    Target t;
    t.kind = Target::kDef;
    std::tie(t.file, t.def) = at;
    return t;
  }

  // What `with obj as name` binds: what `__enter__` of obj returns (for `async with`,
  // `__aenter__`'s awaited result), where it returns obj itself or its annotation declares it.
  Target Entered(const Target& obj, HeldValue::Enter enter, int depth, Budget& budget) {
    if (obj.kind != Target::kObject) return {};
    const bool async = enter == HeldValue::kAsyncEnter;
    Target m = Attr(obj, async ? "__aenter__" : "__enter__", depth, budget);
    if (m.kind != Target::kDef) return {};
    const DefinitionRow& d = files_[m.file].definitions[m.def];
    if ((std::string_view(d.def_kind) == "async_function") != async) return {};
    if (d.returns_self()) return obj;
    return Returned(m, depth, budget).value_or(Target{});
  }

  // What a name or attribute of file `fi` holds: a call's result (or what entering it gives),
  // or an instance of the class its annotation names.
  Target Held(size_t fi, const HeldValue& v, int depth, Budget& budget) {
    if (v.call >= 0) {
      Target t = Made(fi, static_cast<size_t>(v.call), depth, budget);
      return v.enter == HeldValue::kNoEnter ? t : Entered(t, v.enter, depth, budget);
    }
    if (depth > kMaxDepth || budget.left-- <= 0) return {};
    Target t = Dotted(fi, v.type, v.type_head_target, v.type_head_kind, depth, budget);
    // An instance of a builtin class (`list`, `str`): its methods by qualified name.
    if (t.kind == Target::kBuiltin && v.type.size() == 1) return t;
    return Instance(t, "annotated_method", 0.6);
  }

  // Whether the call's file may follow `v` of file `fi`: anything of its own; of another file,
  // a class (an annotation's) or a call of a dotted name (`Policy()`, `pkg.make()`) whose first
  // name is a module-level name or a builtin's there, as what other files read of a module is
  // its module-level names (a name of a class body is not).
  bool Readable(size_t fi, const HeldValue& v, const Budget& budget) const {
    if (fi == budget.file) return true;
    const std::vector<std::string>* dotted = &v.type;
    const OptStr* head_target = &v.type_head_target;
    const std::string* head_kind = &v.type_head_kind;
    if (v.call >= 0) {
      const CallChain& chain = files_[fi].call_chains[static_cast<size_t>(v.call)];
      if (chain.receiver >= 0 || chain.via_super || chain.literal) return false;
      dotted = &chain.chain;
      head_target = &chain.head_target;
      head_kind = &chain.head_kind;
    }
    if (dotted->empty()) return false;
    if (!*head_target) return *head_kind == "builtin";
    const auto& scopes = files_[fi].scope_ids;
    if (scopes.empty()) return false;
    auto b = names_.find(Key(scopes[0], (*dotted)[0]));
    return b != names_.end() && *b->second == **head_target;
  }

  // Whether `v` (of file `fi`) names `typing.Self` (PEP 673).
  bool IsSelf(size_t fi, const HeldValue& v, int depth, Budget& budget) {
    if (v.call >= 0 || v.type.empty() || v.type.back() != "Self") return false;
    Target t = Dotted(fi, v.type, v.type_head_target, v.type_head_kind, depth + 1, budget);
    return t.kind == Target::kExternal &&
           (t.qname == "typing.Self" || t.qname == "typing_extensions.Self");
  }

  // An instance of `cls` when it is an in-REPO class; its methods resolve `how`, at `score`
  // (0.1 less for a base's).
  Target Instance(Target cls, const char* how, double score) {
    if (cls.kind != Target::kDef || !files_[cls.file].definitions[cls.def].is_class()) return {};
    cls.kind = Target::kObject;
    cls.method = how;
    cls.score = score;
    return cls;
  }

  // Where a dotted name of file `fi` leads whose first name resolves as (head_target,
  // head_kind).
  Target Dotted(size_t fi, const std::vector<std::string>& chain, const OptStr& head_target,
                const std::string& head_kind, int depth, Budget& budget) {
    Target t = ResolveHead(fi, chain[0], head_target, head_kind, depth, budget);
    for (size_t i = 1; i < chain.size() && t.kind != Target::kNone; ++i)
      t = Attr(t, chain[i], depth, budget);
    return t;
  }

  Target ResolveHead(size_t fi, const std::string& name, const OptStr& target,
                     const std::string& kind, int depth, Budget& budget) {
    if (kind == "builtin") {
      // A name no scope of the file binds: what a star import binds to it, before builtins.
      if (auto star = StarMember(fi, name, depth, budget)) return *star;
      Target t;
      if (!IsBuiltin(name)) return t;
      t.kind = Target::kBuiltin;
      t.qname = "builtins." + name;
      return t;
    }
    if (!target) return {};
    const char* how = kind == "local" ? "local" : kind == "enclosing" ? "enclosing" : "module";
    // A name of the call's own file bound once to an instance, made or annotated (another
    // module's is followed by FromBinding, at module level only).
    if (auto held = instances_.find(*target);
        held != instances_.end() && held->second.file == budget.file)
      return Held(held->second.file, *held->second.value, depth + 1, budget);
    return FromBinding(*target, how, 1.0, 0, budget);
  }

  Target FromBinding(const std::string& binding_id, const char* how, double score, int depth,
                     Budget& budget) {
    Target t;
    if (depth > kMaxDepth || budget.left-- <= 0) return t;
    if (auto d = defs_by_binding_.find(binding_id); d != defs_by_binding_.end()) {
      // A module-level definition a later star import may bind over (`def S_ISDIR(mode)`, then
      // `from _stat import *`): what the star imports bind to the name. When what they bind is
      // not known, the name's value is not either (the C accelerator's, or the definition if
      // the import failed): it is known by the definition's qualified name. A private name
      // stays the definition: a star import binds one only when an `__all__` names it, which
      // the modules of C accelerators do not.
      const auto [fi, di] = d->second;
      const DefinitionRow& def = files_[fi].definitions[di];
      if (def.rebound == DefinitionRow::Rebound::kStar) {
        if (auto star = StarMember(fi, def.name, depth + 1, budget)) return *star;
        if (!StarsKnown(fi) && def.name.rfind('_', 0) != 0) {
          t.kind = Target::kExternal;
          t.qname = def.qualified_name;
          t.external_class = def.is_class();
          return t;
        }
      }
      t.kind = Target::kDef;
      t.file = d->second.first;
      t.def = d->second.second;
      t.method = how;
      t.score = score;
      return t;
    }
    if (auto p = first_params_.find(binding_id); p != first_params_.end()) {
      auto [fi, di] = def_by_id_.at(p->second);
      const auto& m = files_[fi].definitions[di];
      bool is_static = false;
      bool is_class =
          m.name == "__new__" || m.name == "__init_subclass__" || m.name == "__class_getitem__";
      for (const auto& dec : m.decorators) {
        is_static |= dec == "staticmethod";
        is_class |= dec == "classmethod";
      }
      auto cls = def_by_body_.find(files_[fi].scope_ids[m.scope]);
      if (m.is_method && !is_static && cls != def_by_body_.end()) {
        t.kind = Target::kInstance;  // self / cls: the enclosing class
        t.file = cls->second.first;
        t.def = cls->second.second;
        t.method = "self_method";
        t.score = 0.8;
        t.class_object = is_class;
      }
      return t;
    }
    // A module-level name of another module bound once to an instance (`default = Policy()`,
    // `registry: Registry`): read through that module's module-level names, as an alias is
    // (the bindings table's instance_of is part of what other files read of a module).
    if (auto held = instances_.find(binding_id); held != instances_.end()) {
      const HeldBy& h = held->second;
      if (h.file != budget.file && h.module_level && Readable(h.file, *h.value, budget))
        return Held(h.file, *h.value, depth + 1, budget);
    }
    // `name = a.b`: what a.b denotes; another file's only at module level and where a.b's
    // first name is a module-level name there, which is what other files read of a module.
    if (auto a = aliases_.find(binding_id); a != aliases_.end()) {
      const AliasOf& alias = a->second;
      if (alias.file != budget.file &&
          !(alias.read_elsewhere && Readable(alias.file, *alias.value, budget)))
        return t;
      const HeldValue& v = *alias.value;
      return Dotted(alias.file, v.type, v.type_head_target, v.type_head_kind, depth + 1, budget);
    }
    if (auto i = imports_.find(binding_id); i != imports_.end()) {
      const ImportRow& imp = *i->second;
      if (!imp.is_from) {
        std::string mod = imp.module;
        if (!imp.asname) mod = mod.substr(0, mod.find('.'));  // `import a.b` binds `a`
        return ModuleTarget(mod);
      }
      // `from a import b` reads a's attribute b: a's own name b, or else the submodule a.b.
      Target r = MemberOfModule(imp.module, *imp.imported_name, depth + 1, budget);
      if (r.kind == Target::kNone) {
        r.kind = Target::kExternal;
        if (r.qname.empty())
          r.qname = imp.module.empty() ? *imp.imported_name : imp.module + "." + *imp.imported_name;
      }
      return r;
    }
    return t;
  }

  // The module scope of a module, the one way resolution enters another file's names. A
  // REPO module whose file is not analyzed is noted (Missing).
  std::unordered_map<std::string, std::string>::const_iterator ModuleScope(
      const std::string& module) {
    auto ms = module_scope_.find(module);
    if (ms == module_scope_.end() && idx_.modules.count(module)) {
      std::lock_guard<std::mutex> lock(missing_mutex_);
      missing_.insert(module);
    }
    return ms;
  }

  // The binding id by which REPO module `module` binds `name` over its submodule
  // `module.name`: an import from that submodule (`from .lit import lit` in a package's
  // `__init__.py` loads the submodule, which sets the attribute, then binds the name over it).
  const std::string* Rebinding(const std::string& module, const std::string& name) {
    auto ms = ModuleScope(module);
    if (ms == module_scope_.end()) return nullptr;
    auto b = names_.find(Key(ms->second, name));
    if (b == names_.end()) return nullptr;
    auto imp = imports_.find(*b->second);
    if (imp == imports_.end() || !imp->second->is_from) return nullptr;
    const std::string sub = module.empty() ? name : module + "." + name;
    const std::string& from = imp->second->module;
    return from == sub || from.rfind(sub + ".", 0) == 0 ? b->second : nullptr;
  }

  // Attribute `name` of module `module`: the submodule `module.name` unless the module binds
  // the name over it (Rebinding); else the module's own name, when it is a REPO module.
  Target MemberOfModule(const std::string& module, const std::string& name, int depth,
                        Budget& budget) {
    const std::string sub = module.empty() ? name : module + "." + name;
    auto file = idx_.modules.find(module);
    const bool is_file = file != idx_.modules.end();
    if (idx_.modules.count(sub) || idx_.namespace_packages.count(sub)) {
      const std::string* over = is_file ? Rebinding(module, name) : nullptr;
      return over ? FromBinding(*over, "import", 0.9, depth, budget) : ModuleTarget(sub);
    }
    if (!is_file) return {};
    return OwnName(file->second, name, depth, budget).value_or(Target{});
  }

  // Module-level name `name` of file `fi`: its own binding, or else what its star imports
  // bind to it; nullopt when neither binds it. A name bound to no definition or module is
  // known by its qualified name.
  std::optional<Target> OwnName(size_t fi, const std::string& name, int depth, Budget& budget) {
    const auto& f = files_[fi];
    if (ModuleScope(f.file.module_name) == module_scope_.end() || f.scope_ids.empty())
      return std::nullopt;
    if (auto b = names_.find(Key(f.scope_ids[0], name)); b != names_.end()) {
      Target t = FromBinding(*b->second, "import", 0.9, depth, budget);
      if (t.kind == Target::kNone) t.qname = f.file.module_name + "." + name;
      return t;
    }
    return StarMember(fi, name, depth, budget);
  }

  // What the module-level star imports of file `fi` bind to `name`: the last one that
  // exports it (it binds the name over the earlier ones); nullopt when none does, and when
  // any star import of the file is of a module outside REPO or of one whose `__all__` is built
  // dynamically (what it exports is not known; `try: from _c import *` / `except ImportError:
  // from _py import *` would otherwise read as the fallback).
  std::optional<Target> StarMember(size_t fi, const std::string& name, int depth, Budget& budget) {
    auto stars = stars_.find(fi);
    if (stars == stars_.end() || depth > kMaxDepth || budget.left-- <= 0 || !StarsKnown(fi))
      return std::nullopt;
    for (auto m = stars->second.rbegin(); m != stars->second.rend(); ++m) {
      auto file = idx_.modules.find(*m);
      const FileRow& row = files_[file->second].file;
      if (std::string_view(row.all_kind) == "static") {
        // A name of `__all__`: the module's own, or a submodule it names.
        if (std::find(row.all_names.begin(), row.all_names.end(), name) == row.all_names.end())
          continue;
        Target t = MemberOfModule(*m, name, depth + 1, budget);
        if (t.kind == Target::kNone && t.qname.empty()) t.qname = *m + "." + name;
        return t;
      }
      if (name.empty() || name[0] == '_') continue;  // not exported without `__all__`
      if (auto t = OwnName(file->second, name, depth + 1, budget)) return t;
    }
    return std::nullopt;
  }

  // Whether what the module-level star imports of file `fi` bind is known: each is of a REPO
  // module whose `__all__` is not built dynamically.
  bool StarsKnown(size_t fi) {
    auto stars = stars_.find(fi);
    if (stars == stars_.end()) return true;
    bool known = true;
    for (const auto& m : stars->second) {
      auto file = idx_.modules.find(m);
      // Each is noted when not analyzed yet (ModuleScope): its `__all__` is read when it is.
      known &= file != idx_.modules.end() && ModuleScope(m) != module_scope_.end() &&
               std::string_view(files_[file->second].file.all_kind) != "dynamic";
    }
    return known;
  }

  Target ModuleTarget(const std::string& mod) {
    Target t;
    t.kind = (idx_.modules.count(mod) || idx_.namespace_packages.count(mod)) ? Target::kModule
                                                                             : Target::kExternal;
    t.qname = mod;
    return t;
  }

  // `super().m` in a method of class C: m found in C's in-REPO bases (not in C itself).
  // Only a one-name chain (`super().m(...)`); `super().a.b()` stays unresolved.
  Target SuperMember(const FileOutput& f, const CallRow& c, const CallChain& chain,
                     Budget& budget) {
    Target t;
    if (chain.chain.size() != 1 || c.enclosing_def < 0) return t;
    const auto& m = f.definitions[static_cast<size_t>(c.enclosing_def)];
    auto cls = def_by_body_.find(f.scope_ids[m.scope]);
    if (!m.is_method || cls == def_by_body_.end()) return t;
    if (auto found = BaseMember(cls->second.first, cls->second.second, chain.chain[0], 0, budget)) {
      t.kind = Target::kDef;
      t.file = found->first;
      t.def = found->second;
      t.method = "super_method";
      t.score = 0.8;
    }
    return t;
  }

  // Method or attribute `name` of class (fi, di), searching in-REPO bases depth first.
  std::optional<std::pair<size_t, size_t>> Member(size_t fi, size_t di, const std::string& name,
                                                  int depth, Budget& budget) {
    if (depth > kMaxDepth || budget.left-- <= 0) return std::nullopt;
    const auto& cls = files_[fi].definitions[di];
    if (cls.body_scope >= 0) {
      const std::string key = Key(files_[fi].scope_ids[cls.body_scope], name);
      if (auto it = members_.find(key); it != members_.end()) return it->second;
      // Bound in the class body otherwise (`__repr__ = __str__`, `_decode = codecs.utf_8_decode`,
      // a method bound again): never a base's member, which the class's own name hides; the
      // definition it is an alias of, or when the class is in the call's own file what else it
      // holds (other files read a class body's aliases, not its imports).
      if (auto b = class_names_.find(key); b != class_names_.end()) {
        if (fi != budget.file && !aliases_.count(*b->second)) return std::nullopt;
        Target t = FromBinding(*b->second, "self_method", 0.8, depth + 1, budget);
        if (t.kind == Target::kDef) return std::make_pair(t.file, t.def);
        return std::nullopt;
      }
    }
    return InBases(fi, di, name, depth, budget);
  }

  // `__call__` of the metaclass of class (fi, di), its own `metaclass=` or the first its in-REPO
  // bases have, when that metaclass is an in-REPO class defining one (a metaclass outside REPO,
  // or `type`, leaves the call to `__init__`).
  std::optional<std::pair<size_t, size_t>> MetaclassCall(size_t fi, size_t di, int depth,
                                                         Budget& budget) {
    if (depth > kMaxDepth || budget.left-- <= 0) return std::nullopt;
    const DefinitionRow& cls = files_[fi].definitions[di];
    if (cls.metaclass) {
      auto meta = ClassNamed(fi, *cls.metaclass, cls.metaclass_head, depth + 1, budget);
      if (!meta) return std::nullopt;
      return Member(meta->first, meta->second, "__call__", depth + 1, budget);
    }
    for (size_t bi = 0; bi < cls.bases.size(); ++bi) {
      auto base = ClassNamed(fi, cls.bases[bi], cls.base_heads[bi], depth + 1, budget);
      if (!base) continue;
      if (auto call = MetaclassCall(base->first, base->second, depth + 1, budget)) return call;
    }
    return std::nullopt;
  }

  // Member `name` of the in-REPO bases of class (fi, di) only (for `super()`).
  std::optional<std::pair<size_t, size_t>> BaseMember(size_t fi, size_t di, const std::string& name,
                                                      int depth, Budget& budget) {
    if (depth > kMaxDepth || budget.left-- <= 0) return std::nullopt;
    return InBases(fi, di, name, depth, budget);
  }

  // Member `name` of the in-REPO bases of class (cls_file, di), in base order, depth first.
  std::optional<std::pair<size_t, size_t>> InBases(size_t cls_file, size_t di,
                                                   const std::string& name, int depth,
                                                   Budget& budget) {
    const DefinitionRow& cls = files_[cls_file].definitions[di];
    for (size_t bi = 0; bi < cls.bases.size(); ++bi) {
      auto base = ClassNamed(cls_file, cls.bases[bi], cls.base_heads[bi], depth + 1, budget);
      if (!base) continue;
      if (auto m = Member(base->first, base->second, name, depth + 1, budget)) return m;
    }
    return std::nullopt;
  }

  // The in-REPO class a dotted expression of file `fi` names (a base, a metaclass), whose first
  // name resolves as `head` (target, kind).
  std::optional<std::pair<size_t, size_t>> ClassNamed(size_t fi, const std::string& dotted,
                                                      const std::pair<OptStr, std::string>& head,
                                                      int depth, Budget& budget) {
    Target t = Named(fi, dotted, head, depth, budget);
    if (t.kind != Target::kDef || !files_[t.file].definitions[t.def].is_class())
      return std::nullopt;
    return std::make_pair(t.file, t.def);
  }

  // What a base or metaclass expression of file `fi` names: the class of a generic's
  // subscription (`Box` for `m.Box[T]`).
  Target Named(size_t fi, std::string_view dotted, const std::pair<OptStr, std::string>& head,
               int depth, Budget& budget) {
    return Dotted(fi, SplitDots(dotted.substr(0, dotted.find('['))), head.first, head.second, depth,
                  budget);
  }

  // `self.m` / `cls.m` in a method of class (fi, di) of the call's own file, where neither the
  // class nor its bases bind m (a mixin, `class Tests:` of a test suite): the member m the
  // classes of the same file derived from it find, when those that have one all find the same
  // one. The file's classes only, so that what decides it is part of what an incremental build
  // reads of the file; not when the file stores an attribute m (an instance's attribute hides
  // the class's).
  std::optional<std::pair<size_t, size_t>> SubclassMember(size_t fi, size_t di,
                                                          const std::string& name,
                                                          const Budget& budget) {
    if (!budget.classes || fi != budget.file) return std::nullopt;
    FileClasses& fc = *budget.classes;
    if (!fc.built) FindClasses(fi, fc);
    auto [it, inserted] = fc.found.try_emplace({di, name});
    if (!inserted || fc.stored.count(name)) return it->second;
    Budget lacks{fi};  // the answer is the class's, whichever call asks first
    if (!Lacks(fi, di, name, 0, lacks)) return it->second;
    auto subclasses = fc.subclasses.find({fi, di});
    if (subclasses == fc.subclasses.end() || subclasses->second.size() > kMaxSubclasses)
      return it->second;
    std::optional<std::pair<size_t, size_t>> agreed;
    for (size_t si : subclasses->second) {
      Budget own{fi};
      auto m = Member(fi, si, name, 0, own);
      if (!m) {
        // A subclass without m calls none (its instances raise AttributeError); one with a
        // base outside REPO, or a binding not followed, may have any.
        Budget none{fi};
        if (Lacks(fi, si, name, 0, none)) continue;
        return it->second;
      }
      if (agreed && *agreed != *m) return it->second;
      agreed = m;
    }
    return it->second = agreed;
  }

  // The classes of file `fi` under each of their in-REPO ancestors, and the attribute names
  // the file stores.
  void FindClasses(size_t fi, FileClasses& fc) {
    fc.built = true;
    const FileOutput& f = files_[fi];
    for (const auto& r : f.references)
      if (std::string_view(r.ctx) != "load") fc.stored.insert(r.name);
    for (size_t si = 0; si < f.definitions.size(); ++si) {
      if (!f.definitions[si].is_class()) continue;
      std::set<std::pair<size_t, size_t>> ancestors;
      Budget budget{fi};
      AddAncestors(fi, si, 0, budget, ancestors);
      for (const auto& a : ancestors) fc.subclasses[a].push_back(si);
    }
  }

  void AddAncestors(size_t fi, size_t di, int depth, Budget& budget,
                    std::set<std::pair<size_t, size_t>>& out) {
    if (depth > kMaxDepth) return;
    const DefinitionRow& cls = files_[fi].definitions[di];
    for (size_t bi = 0; bi < cls.bases.size(); ++bi) {
      auto base = ClassNamed(fi, cls.bases[bi], cls.base_heads[bi], depth + 1, budget);
      if (base && out.insert(*base).second)
        AddAncestors(base->first, base->second, depth + 1, budget, out);
    }
  }

  // Whether class (fi, di) and its bases bind no `name`, each base being an in-REPO class or
  // one that defines no methods of its own (`object`, `ABC`, `Generic[T]`, `Protocol`).
  bool Lacks(size_t fi, size_t di, const std::string& name, int depth, Budget& budget) {
    static const std::set<std::string> kPlainBases{"builtins.object", "abc.ABC", "typing.Generic",
                                                   "typing.Protocol", "typing_extensions.Protocol"};
    if (depth > kMaxDepth || budget.left-- <= 0) return false;
    const DefinitionRow& cls = files_[fi].definitions[di];
    if (cls.body_scope < 0) return false;
    const std::string key = Key(files_[fi].scope_ids[cls.body_scope], name);
    if (members_.count(key) || class_names_.count(key)) return false;
    for (size_t bi = 0; bi < cls.bases.size(); ++bi) {
      Target t = Named(fi, cls.bases[bi], cls.base_heads[bi], depth + 1, budget);
      if (t.kind == Target::kDef && files_[t.file].definitions[t.def].is_class()) {
        if (!Lacks(t.file, t.def, name, depth + 1, budget)) return false;
      } else if (!((t.kind == Target::kBuiltin || t.kind == Target::kExternal) &&
                   kPlainBases.count(t.qname))) {
        return false;
      }
    }
    return true;
  }

  Target Attr(const Target& t, const std::string& attr, int depth, Budget& budget) {
    Target r;
    switch (t.kind) {
      case Target::kModule: {
        r = MemberOfModule(t.qname, attr, 1, budget);
        if (r.kind == Target::kNone && r.qname.empty()) r.qname = t.qname + "." + attr;
        return r;
      }
      case Target::kExternal:
      case Target::kBuiltin:
        r = t;
        r.qname = t.qname + "." + attr;
        r.external_class = false;  // an attribute of the class is not the class
        return r;
      case Target::kDef:
      case Target::kInstance:
      case Target::kObject: {
        const auto& d = files_[t.file].definitions[t.def];
        // `self.conn` in a method: what the class's instances hold in conn (the class's own
        // attributes and properties, all in this file; before members, as a property is one).
        if (t.kind == Target::kInstance) {
          if (auto a = attributes_.find(Key(d.def_id, attr)); a != attributes_.end()) {
            Target held = Held(a->second.first, *a->second.second, depth + 1, budget);
            if (held.kind == Target::kBuiltin) return held;
            if (held.kind == Target::kObject) {
              held.method = "attribute_method";
              held.score = 0.6;
              return held;
            }
          }
        }
        if (d.is_class()) {
          if (auto m = Member(t.file, t.def, attr, depth, budget)) {
            r.kind = Target::kDef;
            r.file = m->first;
            r.def = m->second;
            r.receiver = std::make_pair(t.file, t.def);
            r.bound = t.kind == Target::kObject || (t.kind == Target::kInstance && !t.class_object);
            // Defined in the class's own body (not inherited from a base).
            bool own =
                m->first == t.file &&
                static_cast<int32_t>(files_[m->first].definitions[m->second].scope) == d.body_scope;
            if (t.kind == Target::kObject) {
              r.method = t.method;
              r.score = own ? t.score : t.score - 0.1;
            } else {
              r.method = t.kind == Target::kInstance ? (own ? "self_method" : "inherited_method")
                                                     : "class_attribute";
              r.score = own ? 0.8 : 0.7;
            }
            return r;
          }
          // `self.m()` in a mixin: what the classes of this file derived from it agree m is.
          if (t.kind == Target::kInstance) {
            if (auto m = SubclassMember(t.file, t.def, attr, budget)) {
              r.kind = Target::kDef;
              std::tie(r.file, r.def) = *m;
              r.receiver = std::make_pair(t.file, t.def);
              r.bound = !t.class_object;
              r.method = "subclass_method";
              r.score = 0.5;
              return r;
            }
          }
        }
        r = {};
        r.qname = d.qualified_name + "." + attr;
        return r;
      }
      case Target::kNone:
        return r;
    }
    return r;
  }

  std::mutex missing_mutex_;
  std::set<std::string> missing_;  // REPO modules looked into whose file is not analyzed
  std::vector<FileOutput>& files_;
  const ModuleIndex& idx_;
  std::unordered_map<std::string, const std::string*> names_;        // module-level binding ids
  std::unordered_map<std::string, const std::string*> class_names_;  // class-body binding ids
  std::unordered_map<std::string, std::string> module_scope_;
  std::unordered_map<std::string, std::pair<size_t, size_t>> defs_by_binding_, def_by_body_,
      members_, def_by_id_;
  std::unordered_map<std::string, const ImportRow*> imports_;
  std::unordered_map<size_t, std::vector<std::string>> stars_;  // file -> star-imported modules
  struct AliasOf {
    size_t file;
    const HeldValue* value;
    bool read_elsewhere;  // bound at module level or in a class body, which other files read
  };
  std::unordered_map<std::string, AliasOf> aliases_;  // binding id -> the dotted name it holds
  struct HeldBy {
    size_t file;
    const HeldValue* value;
    bool module_level;
  };
  std::unordered_map<std::string, HeldBy> instances_;  // binding id -> what it holds
  std::unordered_map<std::string, std::string> first_params_;
  // What attributes of instances hold and functions return: Key(class def id, attribute) /
  // def id -> (file, value).
  std::unordered_map<std::string, std::pair<size_t, const HeldValue*>> attributes_,
      returns_;  // def id -> what a call of it returns
};

}  // namespace

std::set<std::string> ResolveAcrossFiles(std::vector<FileOutput>& files, int jobs,
                                         const std::vector<bool>* resolve_calls) {
  ModuleIndex idx(files);
  for (auto& f : files) {
    for (auto& imp : f.imports) {
      imp.resolved_binding_id.reset();
      imp.resolved_def_id.reset();
      ResolveImport(imp, idx, files);
    }
  }
  // The resolver only reads its indexes once built: files are resolved in parallel.
  CallResolver resolver(files, idx);
  for (size_t i = 0; i < files.size(); ++i) {
    if (resolve_calls && !(*resolve_calls)[i]) continue;
    for (auto& imp : files[i].imports) resolver.ResolveImportedSymbol(i, imp);
  }
  (void)core::ParallelFor(files.size(), jobs, [&](size_t i) {
    auto& f = files[i];
    f.call_resolutions.clear();
    if (resolve_calls && !(*resolve_calls)[i]) return arrow::Status::OK();
    f.call_resolutions.reserve(f.calls.size());
    CallResolver::FileClasses classes;
    for (size_t c = 0; c < f.calls.size(); ++c)
      f.call_resolutions.push_back(resolver.Resolve(i, c, &classes));
    return arrow::Status::OK();
  });
  return resolver.Missing();
}

}  // namespace anatomy::extract
