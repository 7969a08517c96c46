// libFuzzer target: the Python extraction of one file (decoding, tree-sitter parse, scope
// analysis, rows, resolution, tables) through ExtractSource on the input as `fuzz/input.py`.
// Besides never crashing, leaking or hanging, every result must hold cheap invariants, else
// abort: tables valid (UTF-8 text included) with the dataset's schema; spans within the parsed
// text; the primary id of each dataset unique; every id column naming a row of its dataset;
// the repairs of a re-parse (source_repairs.h) only whitespace, comments and stars.
// `fuzz_extract --write-seeds DIR` writes generated seeds (deep nesting) and exits; the
// hand-written seeds are in fuzz/corpus/fuzz_extract.

#include <arrow/api.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "anatomy/extract/extract.h"
#include "anatomy/extract/schemas.h"
#include "anatomy/extract/source_repairs.h"
#include "seeds.h"

namespace {

using anatomy::extract::ExtractionResult;
using Table = std::shared_ptr<arrow::Table>;

[[noreturn]] void Fail(const std::string& dataset, const std::string& what) {
  std::fprintf(stderr, "fuzz_extract: %s: %s\n", dataset.c_str(), what.c_str());
  std::abort();
}

// Calls f(row, value) for every non-null value of a string column.
template <typename F>
void ForEachString(const Table& t, const std::string& dataset, const char* column, F&& f) {
  auto col = t->GetColumnByName(column);
  if (!col) Fail(dataset, std::string("no column ") + column);
  int64_t row = 0;
  for (const auto& chunk : col->chunks()) {
    const auto& a = static_cast<const arrow::StringArray&>(*chunk);
    for (int64_t i = 0; i < a.length(); ++i, ++row) {
      if (a.IsValid(i)) f(row, a.GetView(i));
    }
  }
}

std::vector<int64_t> Int64s(const Table& t, const std::string& dataset, const char* column) {
  auto col = t->GetColumnByName(column);
  if (!col || col->type()->id() != arrow::Type::INT64)
    Fail(dataset, std::string("column ") + column);
  std::vector<int64_t> out;
  for (const auto& chunk : col->chunks()) {
    const auto& a = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < a.length(); ++i) out.push_back(a.Value(i));
  }
  return out;
}

void CheckSpans(const Table& t, const std::string& dataset, const char* start, const char* end,
                int64_t limit) {
  auto s = Int64s(t, dataset, start), e = Int64s(t, dataset, end);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] < 0 || s[i] > e[i] || e[i] > limit) {
      Fail(dataset, std::string(start) + ".." + end + " " + std::to_string(s[i]) + ".." +
                        std::to_string(e[i]) + " outside 0.." + std::to_string(limit) + " (row " +
                        std::to_string(i) + ")");
    }
  }
}

std::unordered_set<std::string> Ids(const Table& t, const std::string& dataset, const char* column,
                                    bool unique) {
  std::unordered_set<std::string> ids;
  ForEachString(t, dataset, column, [&](int64_t row, std::string_view v) {
    if (!ids.emplace(v).second && unique) {
      Fail(dataset, std::string("duplicate ") + column + " '" + std::string(v) + "' (row " +
                        std::to_string(row) + ")");
    }
  });
  return ids;
}

void CheckRefs(const Table& t, const std::string& dataset, const char* column,
               const std::unordered_set<std::string>& targets, const char* target) {
  ForEachString(t, dataset, column, [&](int64_t row, std::string_view v) {
    if (!targets.count(std::string(v))) {
      Fail(dataset, std::string(column) + " '" + std::string(v) + "' (row " + std::to_string(row) +
                        ") is no " + target);
    }
  });
}

// The length of the text spans index: the input itself unless a PEP 263 encoding other than
// UTF-8 made the extractor parse a transcoding (at most 4 UTF-8 bytes per input byte).
int64_t SpanLimit(const ExtractionResult& r, int64_t size) {
  std::string encoding;
  ForEachString(r.files, "files", "encoding",
                [&](int64_t, std::string_view v) { encoding = std::string(v); });
  return encoding.empty() || encoding == "utf-8" || encoding == "utf-8-sig" ? size : 4 * size;
}

void WriteSeeds(const std::string& dir) {
  std::string brackets, lambdas, classes, defs;
  for (int i = 0; i < 200; ++i) {
    brackets += i % 2 ? "(" : "[";
    lambdas += "lambda x" + std::to_string(i) + ": ";
  }
  for (int i = 199; i >= 0; --i) brackets += i % 2 ? ")" : "]";
  for (int i = 0; i < 60; ++i) {  // 60 nested functions (indentation grows quadratically)
    defs += std::string(static_cast<size_t>(i) * 4, ' ') + "def f" + std::to_string(i) + "(a):\n";
  }
  defs += std::string(240, ' ') + "return a\n";
  for (int i = 0; i < 50; ++i) {
    classes += "class C" + std::to_string(i) + "(C" + std::to_string(i ? i - 1 : 49) + ".m):\n" +
               "    def m(self): return super().m()\nC" + std::to_string(i) + ".m()\n";
  }
  std::ofstream(dir + "/gen_brackets.py", std::ios::binary) << "x = " << brackets << "\n";
  std::ofstream(dir + "/gen_lambdas.py", std::ios::binary) << "f = " << lambdas << "x0\n";
  std::ofstream(dir + "/gen_defs.py", std::ios::binary) << defs;
  std::ofstream(dir + "/gen_classes.py", std::ios::binary) << classes;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  anatomy::fuzz::HandleWriteSeeds(argc, argv, WriteSeeds);
  return 0;
}

// The repairs a re-parse applies (source_repairs.h) are in order and inside the text; a gap
// crosses a line break and holds only whitespace and comments, a star is one `*`. Repaired,
// the text keeps its size and every byte outside them.
void CheckSourceRepairs(std::string_view text) {
  const auto repairs = anatomy::extract::FindSourceRepairs(text);
  const std::string repaired = anatomy::extract::ApplySourceRepairs(text, repairs);
  if (repaired.size() != text.size()) Fail("source_repairs", "repaired text changed size");
  std::vector<bool> touched(text.size(), false);
  for (const auto* spans : {&repairs.gaps, &repairs.stars}) {
    int32_t end = 0;
    for (const auto& g : *spans) {
      if (g.bstart < end || g.bend <= g.bstart || static_cast<size_t>(g.bend) > text.size()) {
        Fail("source_repairs", "[" + std::to_string(g.bstart) + ", " + std::to_string(g.bend) +
                                   ") out of order or outside the text");
      }
      for (int32_t i = g.bstart; i < g.bend; ++i) touched[i] = true;
      end = g.bend;
    }
  }
  for (const auto& g : repairs.stars) {
    if (g.bend != g.bstart + 1 || text[g.bstart] != '*') Fail("source_repairs", "not a star");
  }
  for (const auto& g : repairs.gaps) {
    const std::string_view gap = text.substr(g.bstart, g.bend - g.bstart);
    if (gap.find('\n') == std::string_view::npos) {
      Fail("source_repairs", "a gap without a line break");
    }
    // Outside a comment, a gap holds whitespace and continuation backslashes only.
    bool comment = false;
    for (char c : gap) {
      if (c == '#') comment = true;
      if (c == '\n') comment = false;
      if (!comment && c != ' ' && c != '\t' && c != '\r' && c != '\f' && c != '\n' && c != '#' &&
          c != '\\') {
        Fail("source_repairs", "code inside the gap at " + std::to_string(g.bstart));
      }
    }
  }
  for (size_t i = 0; i < text.size(); ++i) {
    if (!touched[i] && repaired[i] != text[i]) {
      Fail("source_repairs", "byte " + std::to_string(i) + " outside the repairs changed");
    }
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto result = anatomy::extract::ExtractSource("fuzz/input.py", bytes);
  if (!result.ok()) Fail("ExtractSource", result.status().ToString());
  const ExtractionResult& r = *result;

  for (const auto& [name, table] : r.Tables()) {
    if (!table) Fail(name, "missing table");
    if (!table->schema()->Equals(*anatomy::extract::DatasetSchema(name))) Fail(name, "schema");
    if (auto st = table->ValidateFull(); !st.ok()) Fail(name, st.ToString());
  }
  if (r.files->num_rows() != 1) Fail("files", "not one row");
  int64_t limit = SpanLimit(r, static_cast<int64_t>(size));
  for (const auto& [name, table] : r.Tables()) {
    // errors index the raw input (NUL, invalid UTF-8, undecodable offsets), not the parsed text
    CheckSpans(table, name, "bstart", "bend", name == "errors" ? int64_t(size) : limit);
  }
  CheckSpans(r.definitions, "definitions", "name_bstart", "name_bend", limit);
  CheckSpans(r.call_sites, "call_sites", "callee_bstart", "callee_bend", limit);

  auto scopes = Ids(r.scopes, "scopes", "scope_id", true);
  auto bindings = Ids(r.bindings, "bindings", "binding_id", true);
  auto defs = Ids(r.definitions, "definitions", "def_id", true);
  auto params = Ids(r.parameters, "parameters", "param_id", true);
  auto calls = Ids(r.call_sites, "call_sites", "call_id", true);
  Ids(r.call_resolutions, "call_resolutions", "call_id", true);
  Ids(r.occurrences, "occurrences", "occurrence_id", true);
  Ids(r.imports, "imports", "import_id", true);
  Ids(r.references, "references", "ref_id", true);
  Ids(r.type_params, "type_params", "type_param_id", true);
  Ids(r.annotations, "annotations", "annotation_id", true);
  Ids(r.diagnostics, "diagnostics", "diag_id", true);

  CheckRefs(r.scopes, "scopes", "parent_scope_id", scopes, "scope");
  CheckRefs(r.scopes, "scopes", "def_id", defs, "definition");
  CheckRefs(r.bindings, "bindings", "scope_id", scopes, "scope");
  CheckRefs(r.bindings, "bindings", "resolved_binding_id", bindings, "binding");
  CheckRefs(r.occurrences, "occurrences", "binding_id", bindings, "binding");
  CheckRefs(r.occurrences, "occurrences", "scope_id", scopes, "scope");
  CheckRefs(r.definitions, "definitions", "scope_id", scopes, "scope");
  CheckRefs(r.definitions, "definitions", "body_scope_id", scopes, "scope");
  CheckRefs(r.definitions, "definitions", "binding_id", bindings, "binding");
  CheckRefs(r.parameters, "parameters", "def_id", defs, "definition");
  CheckRefs(r.parameters, "parameters", "binding_id", bindings, "binding");
  CheckRefs(r.call_sites, "call_sites", "scope_id", scopes, "scope");
  CheckRefs(r.call_sites, "call_sites", "enclosing_def_id", defs, "definition");
  CheckRefs(r.call_resolutions, "call_resolutions", "call_id", calls, "call site");
  CheckRefs(r.call_resolutions, "call_resolutions", "target_def_id", defs, "definition");
  CheckRefs(r.imports, "imports", "scope_id", scopes, "scope");
  CheckRefs(r.imports, "imports", "binding_id", bindings, "binding");
  CheckRefs(r.references, "references", "scope_id", scopes, "scope");
  CheckRefs(r.type_params, "type_params", "scope_id", scopes, "scope");
  CheckRefs(r.type_params, "type_params", "owner_def_id", defs, "definition");
  CheckRefs(r.type_params, "type_params", "binding_id", bindings, "binding");
  CheckRefs(r.annotations, "annotations", "scope_id", scopes, "scope");
  auto owners = params;  // an annotation's owner: a parameter, a function or a binding
  owners.insert(defs.begin(), defs.end());
  owners.insert(bindings.begin(), bindings.end());
  CheckRefs(r.annotations, "annotations", "owner_id", owners, "parameter, definition or binding");
  // The file may import itself (`from fuzz.input import x`): resolved ids stay in the file.
  CheckRefs(r.imports, "imports", "resolved_binding_id", bindings, "binding");
  CheckRefs(r.imports, "imports", "resolved_def_id", defs, "definition");
  if (r.call_resolutions->num_rows() != r.call_sites->num_rows()) {
    Fail("call_resolutions", "not one row per call site");
  }
  CheckSourceRepairs(bytes);
  return 0;
}
