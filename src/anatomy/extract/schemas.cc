#include "anatomy/extract/schemas.h"

#include <arrow/api.h>

#include <map>

namespace anatomy::extract {
namespace {

using arrow::field;
std::shared_ptr<arrow::DataType> S() { return arrow::utf8(); }
std::shared_ptr<arrow::DataType> I64() { return arrow::int64(); }
std::shared_ptr<arrow::DataType> I32() { return arrow::int32(); }
std::shared_ptr<arrow::DataType> B() { return arrow::boolean(); }
std::shared_ptr<arrow::DataType> LS() { return arrow::list(arrow::utf8()); }

// Every dataset starts with path and file_id and ends with the byte span.
std::shared_ptr<arrow::Schema> Make(const std::string& name, arrow::FieldVector middle,
                                    arrow::FieldVector tail = {}) {
  arrow::FieldVector fs{field("path", S(), false), field("file_id", S(), false)};
  fs.insert(fs.end(), middle.begin(), middle.end());
  fs.push_back(field("bstart", I64(), false));
  fs.push_back(field("bend", I64(), false));
  fs.insert(fs.end(), tail.begin(), tail.end());
  auto md = arrow::key_value_metadata({"anatomy.schema_name", "anatomy.schema_version"},
                                      {"extract_" + name + "_v1", "1"});
  return arrow::schema(fs, md);
}

std::map<std::string, std::shared_ptr<arrow::Schema>> BuildAll() {
  std::map<std::string, std::shared_ptr<arrow::Schema>> m;
  m["files"] = Make("files", {field("module_name", S()), field("size", I64(), false),
                              field("mtime_ms", I64(), false), field("sha256", S(), false),
                              field("encoding", S()), field("line_count", I64(), false),
                              field("is_python", B(), false), field("parsed", B(), false),
                              field("has_syntax_errors", B(), false), field("all_kind", S(), false),
                              field("all_names", LS(), false)});
  m["scopes"] = Make("scopes", {field("scope_id", S(), false), field("parent_scope_id", S()),
                                field("scope_kind", S(), false), field("scope_name", S(), false),
                                field("qualified_name", S(), false), field("def_id", S()),
                                field("line", I32(), false)});
  m["bindings"] =
      Make("bindings", {field("binding_id", S(), false), field("scope_id", S(), false),
                        field("name", S(), false), field("flags", LS(), false),
                        field("flag_bits", I32(), false), field("scope_resolution", S(), false),
                        field("resolved_binding_id", S()), field("resolved_kind", S(), false),
                        field("alias_of", S()), field("instance_of", S())});
  m["occurrences"] =
      Make("occurrences",
           {field("occurrence_id", S(), false), field("binding_id", S(), false),
            field("scope_id", S(), false), field("name", S(), false), field("role", S(), false),
            field("ctx", S(), false), field("line", I32(), false), field("column", I32(), false)});
  m["definitions"] =
      Make("definitions",
           {field("def_id", S(), false), field("def_kind", S(), false), field("name", S(), false),
            field("qualified_name", S(), false), field("scope_id", S(), false),
            field("body_scope_id", S()), field("binding_id", S()), field("decorators", LS(), false),
            field("bases", LS(), false), field("metaclass", S()), field("is_method", B(), false),
            field("rebound", S(), false), field("returns", S()), field("line", I32(), false)},
           {field("name_bstart", I64(), false), field("name_bend", I64(), false)});
  m["parameters"] = Make("parameters", {field("param_id", S(), false), field("def_id", S(), false),
                                        field("name", S(), false), field("kind", S(), false),
                                        field("position", I32(), false), field("default_text", S()),
                                        field("annotation_text", S()), field("binding_id", S())});
  m["call_sites"] = Make(
      "call_sites",
      {field("call_id", S(), false), field("scope_id", S(), false), field("enclosing_def_id", S()),
       field("callee_text", S(), false), field("callee_name", S()),
       field("arg_count", I32(), false), field("line", I32(), false)},
      {field("callee_bstart", I64(), false), field("callee_bend", I64(), false)});
  m["call_resolutions"] =
      Make("call_resolutions",
           {field("call_id", S(), false), field("edge_kind", S(), false),
            field("target_def_id", S()), field("target_file_id", S()),
            field("target_qualified_name", S(), false), field("resolution_method", S(), false),
            field("origin", S(), false), field("score", arrow::float64(), false)});
  m["imports"] =
      Make("imports",
           {field("import_id", S(), false), field("scope_id", S(), false), field("binding_id", S()),
            field("module", S(), false), field("module_text", S(), false),
            field("imported_name", S()), field("asname", S()), field("level", I32(), false),
            field("is_star", B(), false), field("is_from", B(), false), field("line", I32(), false),
            field("resolved_kind", S(), false), field("resolved_path", S()),
            field("resolved_file_id", S()), field("resolved_binding_id", S()),
            field("resolved_def_id", S())});
  m["references"] =
      Make("references",
           {field("ref_id", S(), false), field("scope_id", S(), false),
            field("ref_kind", S(), false), field("name", S(), false), field("text", S(), false),
            field("qualified_name", S(), false), field("ctx", S(), false)});
  m["type_params"] =
      Make("type_params",
           {field("type_param_id", S(), false), field("scope_id", S(), false),
            field("owner_def_id", S()), field("owner_name", S(), false), field("kind", S(), false),
            field("name", S(), false), field("bound_text", S()), field("constraints", LS(), false),
            field("default_text", S()), field("binding_id", S())});
  m["annotations"] =
      Make("annotations", {field("annotation_id", S(), false), field("scope_id", S(), false),
                           field("target_kind", S(), false), field("target_name", S(), false),
                           field("owner_id", S()), field("annotation_text", S(), false)});
  m["diagnostics"] = Make("diagnostics", {field("diag_id", S(), false), field("kind", S(), false),
                                          field("message", S(), false), field("line", I32(), false),
                                          field("column", I32(), false)});
  m["errors"] = Make("errors", {field("stage", S(), false), field("code", S(), false),
                                field("message", S(), false)});
  return m;
}

const std::map<std::string, std::shared_ptr<arrow::Schema>>& All() {
  static const auto m = BuildAll();
  return m;
}

}  // namespace

const std::vector<std::string>& DatasetNames() {
  static const std::vector<std::string> names{
      "files",       "scopes",      "bindings",         "occurrences", "definitions",
      "parameters",  "call_sites",  "call_resolutions", "imports",     "references",
      "type_params", "annotations", "diagnostics",      "errors"};
  return names;
}

std::shared_ptr<arrow::Schema> DatasetSchema(const std::string& name) {
  auto it = All().find(name);
  return it == All().end() ? nullptr : it->second;
}

}  // namespace anatomy::extract
