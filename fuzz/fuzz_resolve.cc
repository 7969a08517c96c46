// libFuzzer target: cross-file resolution (imports, re-exports, star imports and `__all__`,
// aliases, return annotations, bases) over a small repository the input spells: its parts,
// split at lines `#@`, are the files m0.py, m1.py, pkg/__init__.py and pkg/m2.py. Besides never
// crashing, leaking or hanging (circles of star imports or aliases included), every result must
// hold, else abort: one resolution per call, a definition target exactly for PY_CALLS_SYMBOL
// edges and naming a definition, and each file's rows the same when it is extracted alone
// (`only_paths`, as incremental builds do) as in the whole extraction.

#include <arrow/api.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "anatomy/extract/extract.h"
#include "seeds.h"

namespace {

namespace fs = std::filesystem;
using anatomy::extract::ExtractionResult;

constexpr const char* kPaths[] = {"m0.py", "m1.py", "pkg/__init__.py", "pkg/m2.py"};

// The repository the inputs are written to, removed when the fuzzer exits normally (a crash
// leaves it for the reproduction).
struct ScratchDir {
  explicit ScratchDir(fs::path p) : path(std::move(p)) {}
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path path;
};

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_resolve: %s\n", what.c_str());
  std::abort();
}

// Column `name` of `t` as text per row ("null" for null).
std::vector<std::string> Column(const arrow::Table& t, const std::string& name) {
  auto col = t.GetColumnByName(name);
  if (!col) Fail("no column " + name);
  std::vector<std::string> out;
  for (const auto& chunk : col->chunks()) {
    for (int64_t i = 0; i < chunk->length(); ++i) {
      out.push_back(chunk->IsNull(i) ? "null" : chunk->GetScalar(i).ValueOrDie()->ToString());
    }
  }
  return out;
}

// The rows of `t` whose path is `path`, each as one string, sorted.
std::multiset<std::string> RowsOf(const arrow::Table& t, const std::string& path) {
  std::vector<std::vector<std::string>> columns;
  for (const auto& f : t.schema()->fields()) columns.push_back(Column(t, f->name()));
  const auto paths = Column(t, "path");
  std::multiset<std::string> out;
  for (size_t r = 0; r < paths.size(); ++r) {
    if (paths[r] != path) continue;
    std::string row;
    for (const auto& c : columns) row += c[r] + "\x1f";
    out.insert(std::move(row));
  }
  return out;
}

ExtractionResult Extract(const fs::path& root, std::optional<std::set<std::string>> only) {
  anatomy::extract::ExtractOptions options;
  options.repo_root = root.string();
  options.jobs = 1;
  options.only_paths = std::move(only);
  auto r = anatomy::extract::ExtractRepository(options);
  if (!r.ok()) Fail("ExtractRepository: " + r.status().ToString());
  return std::move(*r);
}

// A generated seed: long chains of aliases and re-exports through all four modules, and a
// class hierarchy each module extends.
void WriteSeeds(const std::string& dir) {
  std::string parts[4];
  for (int m = 0; m < 4; ++m) {
    const std::string next = m == 3 ? "m0" : m == 1 ? "pkg" : m == 2 ? "pkg.m2" : "m1";
    parts[m] = "from " + next + " import *\n";
    for (int i = 0; i < 40; ++i) {
      parts[m] += "a" + std::to_string(m) + "_" + std::to_string(i) + " = a" + std::to_string(m) +
                  "_" + std::to_string(i + 1) + "\n";
    }
    parts[m] += "class C" + std::to_string(m) + "(C" + std::to_string((m + 3) % 4) +
                "):\n    def m(self) -> \"C" + std::to_string(m) + "\":\n        return self\n" +
                "C" + std::to_string(m) + "().m().m()\na" + std::to_string(m) + "_0()\n";
  }
  std::ofstream(dir + "/gen_chains.py", std::ios::binary) << parts[0] << "#@\n"
                                                          << parts[1] << "#@\n"
                                                          << parts[2] << "#@\n"
                                                          << parts[3];
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  anatomy::fuzz::HandleWriteSeeds(argc, argv, WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 64 * 1024) return -1;  // a small repository: resolution, not parsing, is fuzzed
  static const ScratchDir scratch(fs::temp_directory_path() /
                                  ("anatomy-fuzz-resolve-" + std::to_string(::getpid())));
  const fs::path& root = scratch.path;
  fs::remove_all(root);
  fs::create_directories(root / "pkg");
  std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const char* path : kPaths) {
    const size_t cut = input.find("\n#@\n");
    std::ofstream(root / path, std::ios::binary) << input.substr(0, cut);
    input = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 4);
  }

  const ExtractionResult whole = Extract(root, std::nullopt);
  const auto calls = Column(*whole.call_sites, "call_id");
  const auto resolved = Column(*whole.call_resolutions, "call_id");
  if (std::multiset<std::string>(calls.begin(), calls.end()) !=
      std::multiset<std::string>(resolved.begin(), resolved.end()))
    Fail("call_resolutions are not one per call");
  const auto def_ids = Column(*whole.definitions, "def_id");
  const std::set<std::string> defs(def_ids.begin(), def_ids.end());
  const auto kinds = Column(*whole.call_resolutions, "edge_kind");
  const auto targets = Column(*whole.call_resolutions, "target_def_id");
  for (size_t i = 0; i < kinds.size(); ++i) {
    if ((kinds[i] == "PY_CALLS_SYMBOL") != (targets[i] != "null"))
      Fail("edge kind " + kinds[i] + " with target " + targets[i]);
    if (targets[i] != "null" && !defs.count(targets[i])) Fail("target " + targets[i]);
  }
  for (const char* path : kPaths) {
    const ExtractionResult alone = Extract(root, std::set<std::string>{path});
    for (const auto& [name, table] : whole.Tables()) {
      const auto& part = alone.Tables();
      for (const auto& [part_name, part_table] : part) {
        if (part_name == name && RowsOf(*part_table, path) != RowsOf(*table, path))
          Fail(name + " of " + path + " differ when the file is extracted alone");
      }
    }
  }
  return 0;
}
