#include "anatomy/extract/table_builder.h"

#include <arrow/api.h>

#include <algorithm>

#include "anatomy/core/hash.h"
#include "anatomy/core/parallel.h"
#include "anatomy/extract/schemas.h"
#include "anatomy/extract/utf8.h"

namespace anatomy::extract {
namespace {

// Source text may hold bytes that are not UTF-8 (undecodable files, latin-1 sources).
arrow::Status Utf8(arrow::StringBuilder* b, const std::string& v) {
  return FirstInvalidUtf8(v) < 0 ? b->Append(v) : b->Append(SanitizeUtf8(v));
}

// The id of definition `index` of `f` (rows hold definitions by index); none for -1.
OptStr DefIdAt(const FileOutput& f, int64_t index) {
  if (index < 0) return std::nullopt;
  return f.definitions[static_cast<size_t>(index)].def_id;
}

// The id of binding `index` of `f` (rows hold bindings by index); none for -1.
OptStr BindingIdAt(const FileOutput& f, int64_t index) {
  if (index < 0) return std::nullopt;
  return f.binding_ids[static_cast<size_t>(index)];
}

// The dotted name binding `index` of `f` is bound once to (FileOutput::aliases), if any.
OptStr AliasOf(const FileOutput& f, uint32_t index) {
  auto it = std::lower_bound(f.aliases.begin(), f.aliases.end(), index,
                             [](const Alias& a, uint32_t b) { return a.binding < b; });
  if (it == f.aliases.end() || it->binding != index) return std::nullopt;
  return JoinDots(it->value.type);
}

// What binding `index` of `f` holds when bound once to an instance (FileOutput::instance_of).
OptStr InstanceOf(const FileOutput& f, uint32_t index) {
  auto it = std::lower_bound(f.instance_of.begin(), f.instance_of.end(), index,
                             [](const auto& a, uint32_t b) { return a.first < b; });
  if (it == f.instance_of.end() || it->first != index) return std::nullopt;
  return it->second;
}

// Appends one row field by field, in schema order; remembers the first failure.
class Row {
 public:
  Row(arrow::RecordBatchBuilder& b, arrow::Status& st) : b_(b), st_(st) {}
  Row& s(const std::string& v) {
    return Do<arrow::StringBuilder>([&](auto* x) { return Utf8(x, v); });
  }
  Row& os(const OptStr& v) {
    return Do<arrow::StringBuilder>([&](auto* x) { return v ? Utf8(x, *v) : x->AppendNull(); });
  }
  Row& i64(int64_t v) {
    return Do<arrow::Int64Builder>([&](auto* x) { return x->Append(v); });
  }
  Row& i32(int32_t v) {
    return Do<arrow::Int32Builder>([&](auto* x) { return x->Append(v); });
  }
  Row& f64(double v) {
    return Do<arrow::DoubleBuilder>([&](auto* x) { return x->Append(v); });
  }
  Row& b(bool v) {
    return Do<arrow::BooleanBuilder>([&](auto* x) { return x->Append(v); });
  }
  Row& ls(const std::vector<std::string>& v) {
    return Do<arrow::ListBuilder>([&](auto* x) {
      ARROW_RETURN_NOT_OK(x->Append());
      auto* vb = static_cast<arrow::StringBuilder*>(x->value_builder());
      for (const auto& e : v) ARROW_RETURN_NOT_OK(Utf8(vb, e));
      return arrow::Status::OK();
    });
  }
  Row& span(const Span& sp) { return i64(sp.bstart).i64(sp.bend); }

 private:
  template <typename B, typename F>
  Row& Do(F&& f) {
    if (st_.ok()) st_ = f(b_.GetFieldAs<B>(i_));
    ++i_;
    return *this;
  }
  arrow::RecordBatchBuilder& b_;
  arrow::Status& st_;
  int i_ = 0;
};

// Files are cut into fixed groups (so the chunk layout does not depend on the thread count);
// groups are built in parallel, each into one record batch.
template <typename RowsOf, typename Fill>
Result<std::shared_ptr<arrow::Table>> Build(const std::string& name,
                                            const std::vector<FileOutput>& files, int jobs,
                                            RowsOf rows_of, Fill fill) {
  constexpr size_t kGroup = 128;
  auto schema = DatasetSchema(name);
  const size_t groups = (files.size() + kGroup - 1) / kGroup;
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches(groups);
  auto build_group = [&](size_t g) -> arrow::Status {
    size_t begin = g * kGroup, end = std::min(files.size(), begin + kGroup);
    int64_t rows = 0;
    for (size_t i = begin; i < end; ++i) rows += static_cast<int64_t>(rows_of(files[i]).size());
    ARROW_ASSIGN_OR_RAISE(
        auto builder, arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool(), rows));
    arrow::Status st;
    for (size_t i = begin; i < end; ++i) {
      const auto& f = files[i];
      for (const auto& r : rows_of(f)) {
        Row row(*builder, st);
        row.s(f.file.path).s(f.file.file_id);
        fill(row, r, f);
      }
    }
    ARROW_RETURN_NOT_OK(st);
    ARROW_ASSIGN_OR_RAISE(batches[g], builder->Flush());
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(core::ParallelFor(groups, jobs, build_group));
  if (batches.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::RecordBatch::MakeEmpty(schema));
    batches.push_back(empty);
  }
  return arrow::Table::FromRecordBatches(schema, batches);
}

const char* ResolutionName(Resolution r) {
  switch (r) {
    case Resolution::kLocal:
      return "LOCAL";
    case Resolution::kCell:
      return "CELL";
    case Resolution::kGlobalExplicit:
      return "GLOBAL_EXPLICIT";
    case Resolution::kGlobalImplicit:
      return "GLOBAL_IMPLICIT";
    case Resolution::kFree:
      return "FREE";
  }
  return "?";
}

}  // namespace

std::vector<std::string> BindingFlagNames(uint32_t fl, Resolution res, bool module_scope) {
  std::vector<std::string> out;
  const bool module_bound = module_scope && (fl & kDefBound);
  if (res == Resolution::kLocal || res == Resolution::kCell || module_bound)
    out.emplace_back("local");
  if (res == Resolution::kCell) out.emplace_back("cell");
  if (res == Resolution::kGlobalExplicit || res == Resolution::kGlobalImplicit || module_bound) {
    out.emplace_back("global");
  }
  if (res == Resolution::kGlobalExplicit) out.emplace_back("declared_global");
  if (fl & kDefNonlocal) out.emplace_back("nonlocal");
  if (res == Resolution::kFree) out.emplace_back("free");
  if (fl & kDefParam) out.emplace_back("parameter");
  if (fl & kDefImport) out.emplace_back("imported");
  if (fl & kDefLocal) out.emplace_back("assigned");
  if (fl & kUse) out.emplace_back("referenced");
  if (fl & kDefAnnot) out.emplace_back("annotated");
  if (fl & kDefTypeParam) out.emplace_back("type_param");
  return out;
}

Result<std::map<std::string, std::shared_ptr<arrow::Table>>> BuildTables(
    std::vector<FileOutput>& files, const std::vector<std::string>& file_ids,
    const std::vector<ErrorRow>& scan_errors, int jobs) {
  // Rows of a dataset are released as soon as its table exists, to lower the peak memory.
  auto release = [&](auto member) {
    for (auto& f : files) std::decay_t<decltype(f.*member)>().swap(f.*member);
  };
  std::map<std::string, std::shared_ptr<arrow::Table>> t;
  ARROW_ASSIGN_OR_RAISE(
      t["files"],
      Build(
          "files", files, jobs, [](const FileOutput& f) { return std::vector<FileRow>{f.file}; },
          [](Row& r, const FileRow& x, const FileOutput&) {
            r.os(x.is_python ? OptStr(x.module_name) : std::nullopt)
                .i64(x.size)
                .i64(x.mtime_ms)
                .s(x.sha256)
                .os(x.is_python ? OptStr(x.encoding) : std::nullopt)
                .i64(x.line_count)
                .b(x.is_python)
                .b(x.parsed)
                .b(x.has_syntax_errors)
                .s(x.all_kind)
                .ls(x.all_names)
                .i64(0)
                .i64(x.size);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["scopes"], Build(
                       "scopes", files, jobs, [](const FileOutput& f) -> auto& { return f.scopes; },
                       [](Row& r, const ScopeRow& x, const FileOutput& f) {
                         r.s(f.scope_ids[static_cast<size_t>(&x - f.scopes.data())])
                             .os(x.parent >= 0 ? OptStr(f.scope_ids[static_cast<size_t>(x.parent)])
                                               : std::nullopt)
                             .s(x.scope_kind)
                             .s(x.scope_name)
                             .s(x.qualified_name)
                             .os(DefIdAt(f, x.def))
                             .i32(x.line)
                             .span(x.span);
                       }));
  release(&FileOutput::scopes);
  ARROW_ASSIGN_OR_RAISE(
      t["bindings"],
      Build(
          "bindings", files, jobs, [](const FileOutput& f) -> auto& { return f.bindings; },
          [](Row& r, const BindingRow& x, const FileOutput& f) {
            r.s(f.binding_ids[&x - f.bindings.data()])
                .s(f.scope_ids[x.scope])
                .s(f.names[x.name])
                .ls(BindingFlagNames(x.flag_bits, x.resolution, x.module_scope))
                .i32(static_cast<int32_t>(x.flag_bits))
                .s(ResolutionName(x.resolution))
                .os(BindingIdAt(f, x.resolved))
                .s(x.resolved_kind)
                .os(AliasOf(f, static_cast<uint32_t>(&x - f.bindings.data())))
                .os(InstanceOf(f, static_cast<uint32_t>(&x - f.bindings.data())))
                .span(x.span);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["occurrences"],
      Build(
          "occurrences", files, jobs, [](const FileOutput& f) -> auto& { return f.occurrences; },
          [](Row& r, const OccurrenceRow& x, const FileOutput& f) {
            const std::string& binding = f.binding_ids[x.binding];
            const char* role = OccurrenceWord(x.role);
            r.s(core::StableId("py_site", {binding, role, std::to_string(x.span.bstart),
                                           std::to_string(x.span.bend)}))
                .s(binding)
                .s(f.scope_ids[x.scope])
                .s(f.names[x.name])
                .s(role)
                .s(OccurrenceWord(x.ctx))
                .i32(x.line)
                .i32(x.column)
                .span(x.span);
          }));
  release(&FileOutput::occurrences);
  release(&FileOutput::bindings);
  release(&FileOutput::aliases);
  release(&FileOutput::instance_of);
  release(&FileOutput::names);
  ARROW_ASSIGN_OR_RAISE(
      t["definitions"],
      Build(
          "definitions", files, jobs, [](const FileOutput& f) -> auto& { return f.definitions; },
          [](Row& r, const DefinitionRow& x, const FileOutput& f) {
            r.s(x.def_id)
                .s(x.def_kind)
                .s(x.name)
                .s(x.qualified_name)
                .s(f.scope_ids[x.scope])
                .os(x.body_scope >= 0 ? OptStr(f.scope_ids[static_cast<size_t>(x.body_scope)])
                                      : std::nullopt)
                .os(BindingIdAt(f, x.binding))
                .ls(x.decorators)
                .ls(x.bases)
                .os(x.metaclass)
                .b(x.is_method)
                .s(ReboundName(x.rebound))
                .os(x.returns)
                .i32(x.line)
                .span(x.span)
                .span(x.name_span);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["parameters"],
      Build(
          "parameters", files, jobs, [](const FileOutput& f) -> auto& { return f.parameters; },
          [](Row& r, const ParameterRow& x, const FileOutput& f) {
            const std::string& def_id = f.definitions[x.def].def_id;
            r.s(ParameterId(def_id, x))
                .s(def_id)
                .s(x.name)
                .s(x.kind)
                .i32(x.position)
                .os(x.default_text)
                .os(x.annotation_text)
                .os(BindingIdAt(f, x.binding))
                .span(x.span);
          }));
  release(&FileOutput::parameters);
  release(&FileOutput::binding_ids);
  // Call ids are not held in the rows (rows.h): hashed once here for call_sites and
  // call_resolutions (one resolution per call, in call order).
  std::vector<std::vector<std::string>> call_ids(files.size());
  ARROW_RETURN_NOT_OK(core::ParallelFor(files.size(), jobs, [&](size_t i) {
    const FileOutput& f = files[i];
    call_ids[i].reserve(f.calls.size());
    for (const auto& c : f.calls) {
      call_ids[i].push_back(core::StableId(
          "cst_call", {f.file.path, std::to_string(c.span.bstart), std::to_string(c.span.bend)}));
    }
    return arrow::Status::OK();
  }));
  auto call_id = [&](const FileOutput& f, size_t call) -> const std::string& {
    return call_ids[static_cast<size_t>(&f - files.data())][call];
  };
  ARROW_ASSIGN_OR_RAISE(
      t["call_sites"],
      Build(
          "call_sites", files, jobs, [](const FileOutput& f) -> auto& { return f.calls; },
          [&](Row& r, const CallRow& x, const FileOutput& f) {
            r.s(call_id(f, static_cast<size_t>(&x - f.calls.data())))
                .s(f.scope_ids[x.scope_index])
                .os(DefIdAt(f, x.enclosing_def))
                .s(x.callee_text)
                .os(x.callee_name)
                .i32(x.arg_count)
                .i32(x.line)
                .span(x.span)
                .span(x.callee_span);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["call_resolutions"],
      Build(
          "call_resolutions", files, jobs,
          [](const FileOutput& f) -> auto& { return f.call_resolutions; },
          [&](Row& r, const CallResolutionRow& x, const FileOutput& f) {
            const auto i = static_cast<size_t>(&x - f.call_resolutions.data());
            const CallRow& call = f.calls[i];
            r.s(call_id(f, i))
                .s(x.target_def_id ? "PY_CALLS_SYMBOL" : "PY_CALLS_QNAME")
                .os(x.target_def_id)
                .os(x.target_file >= 0 ? OptStr(file_ids[static_cast<size_t>(x.target_file)])
                                       : std::nullopt)
                .s(x.qualified_name_is_callee_text ? call.callee_text : x.target_qualified_name)
                .s(x.resolution_method)
                .s(x.origin)
                .f64(x.score)
                .span(call.span);
          }));
  release(&FileOutput::call_resolutions);
  release(&FileOutput::calls);
  call_ids.clear();
  ARROW_ASSIGN_OR_RAISE(t["imports"], Build(
                                          "imports", files, jobs,
                                          [](const FileOutput& f) -> auto& { return f.imports; },
                                          [](Row& r, const ImportRow& x, const FileOutput&) {
                                            r.s(x.import_id)
                                                .s(x.scope_id)
                                                .os(x.binding_id)
                                                .s(x.module)
                                                .s(x.module_text)
                                                .os(x.imported_name)
                                                .os(x.asname)
                                                .i32(x.level)
                                                .b(x.is_star)
                                                .b(x.is_from)
                                                .i32(x.line)
                                                .s(x.resolved_kind)
                                                .os(x.resolved_path)
                                                .os(x.resolved_file_id)
                                                .os(x.resolved_binding_id)
                                                .os(x.resolved_def_id)
                                                .span(x.span);
                                          }));
  ARROW_ASSIGN_OR_RAISE(
      t["references"],
      Build(
          "references", files, jobs, [](const FileOutput& f) -> auto& { return f.references; },
          [](Row& r, const ReferenceRow& x, const FileOutput& f) {
            r.s(core::StableId("cst_ref",
                               {f.file.path, "attribute", x.ctx, std::to_string(x.span.bstart),
                                std::to_string(x.span.bend)}))
                .s(f.scope_ids[x.scope])
                .s("attribute")
                .s(x.name)
                .s(x.text)
                .s(x.qualified_name.empty() ? x.text : x.qualified_name)
                .s(x.ctx)
                .span(x.span);
          }));
  release(&FileOutput::references);
  ARROW_ASSIGN_OR_RAISE(
      t["type_params"],
      Build(
          "type_params", files, jobs, [](const FileOutput& f) -> auto& { return f.type_params; },
          [](Row& r, const TypeParamRow& x, const FileOutput&) {
            r.s(x.type_param_id)
                .s(x.scope_id)
                .os(x.owner_def_id)
                .s(x.owner_name)
                .s(x.kind)
                .s(x.name)
                .os(x.bound_text)
                .ls(x.constraints)
                .os(x.default_text)
                .os(x.binding_id)
                .span(x.span);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["annotations"],
      Build(
          "annotations", files, jobs, [](const FileOutput& f) -> auto& { return f.annotations; },
          [](Row& r, const AnnotationRow& x, const FileOutput&) {
            r.s(x.annotation_id)
                .s(x.scope_id)
                .s(x.target_kind)
                .s(x.target_name)
                .os(x.owner_id)
                .s(x.annotation_text)
                .span(x.span);
          }));
  ARROW_ASSIGN_OR_RAISE(
      t["diagnostics"],
      Build(
          "diagnostics", files, jobs, [](const FileOutput& f) -> auto& { return f.diagnostics; },
          [](Row& r, const DiagnosticRow& x, const FileOutput&) {
            r.s(x.diag_id).s(x.kind).s(x.message).i32(x.line).i32(x.column).span(x.span);
          }));
  // Errors: scan problems (no file row) first, then per-file errors in file order.
  std::vector<FileOutput> err_files;
  err_files.reserve(scan_errors.size());
  for (const auto& e : scan_errors) {
    FileOutput fo;
    fo.file.path = e.path;
    fo.file.file_id = core::StableId("file", {e.path});
    fo.errors.push_back(e);
    err_files.push_back(std::move(fo));
  }
  auto fill_err = [](Row& r, const ErrorRow& x, const FileOutput&) {
    r.s(x.stage).s(x.code).s(x.message).i64(x.bstart).i64(x.bend);
  };
  ARROW_ASSIGN_OR_RAISE(auto scan_t,
                        Build(
                            "errors", err_files, jobs,
                            [](const FileOutput& f) -> auto& { return f.errors; }, fill_err));
  ARROW_ASSIGN_OR_RAISE(
      auto file_t,
      Build(
          "errors", files, jobs, [](const FileOutput& f) -> auto& { return f.errors; }, fill_err));
  ARROW_ASSIGN_OR_RAISE(t["errors"], arrow::ConcatenateTables({scan_t, file_t}));
  return t;
}

}  // namespace anatomy::extract
