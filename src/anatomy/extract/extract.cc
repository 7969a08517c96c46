#include "anatomy/extract/extract.h"

#include <arrow/api.h>
#include <arrow/util/thread_pool.h>
#include <tree_sitter/api.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>

#include "anatomy/core/clock.h"
#include "anatomy/core/hash.h"
#include "anatomy/extract/analyzer.h"
#include "anatomy/extract/analyzer_internal.h"
#include "anatomy/extract/node_kinds.h"
#include "anatomy/extract/resolve.h"
#include "anatomy/extract/scan.h"
#include "anatomy/extract/schemas.h"
#include "anatomy/extract/source_repairs.h"
#include "anatomy/extract/table_builder.h"
#include "anatomy/extract/utf8.h"

namespace anatomy::extract {
namespace {

struct ParserDeleter {
  void operator()(TSParser* p) const { ts_parser_delete(p); }
};
struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

TreePtr Parse(TSParser* parser, std::string_view text) {
  TreePtr tree(
      ts_parser_parse_string(parser, nullptr, text.data(), static_cast<uint32_t>(text.size())));
  ts_parser_reset(parser);
  return tree;
}

bool ReadAll(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  auto size = in.tellg();
  if (size < 0) return false;
  out.resize(static_cast<size_t>(size));
  in.seekg(0);
  in.read(out.data(), size);
  return static_cast<bool>(in) || in.gcount() == size;
}

// The per-file pipeline on the file's bytes: hashing, decoding, parse, scope analysis and
// rows. `out.file` already holds path, file_id, mtime_ms and is_python.
void AnalyzeBytes(std::string bytes, const ExtractOptions& opt, TSParser* parser, FileOutput& out) {
  FileRow& f = out.file;
  auto error = [&](const char* stage, const char* code, std::string msg, int64_t b, int64_t e) {
    out.errors.push_back({f.path, stage, code, std::move(msg), b, e});
  };
  f.size = static_cast<int64_t>(bytes.size());
  f.sha256 = core::Sha256Hex(bytes);
  int64_t lines = 0;
  for (char c : bytes) lines += c == '\n';
  if (!bytes.empty() && bytes.back() != '\n') ++lines;
  f.line_count = lines;
  if (!f.is_python) return;
  f.module_name = ModuleNameForPath(f.path);
  f.encoding = DetectEncoding(bytes);
  // Spans are 32-bit (rows.h): no file over 2 GiB is parsed, whatever the option says.
  const int64_t max_bytes = std::min<int64_t>(opt.max_file_bytes, INT32_MAX);
  if (f.size > max_bytes) {
    error("parse", "FILE_TOO_LARGE",
          "'" + f.path + "' has " + std::to_string(f.size) + " bytes, over the limit of " +
              std::to_string(max_bytes),
          0, f.size);
    return;
  }
  if (size_t nul = bytes.find('\0'); nul != std::string::npos) {
    error("decode", "NUL_BYTE",
          "'" + f.path + "' contains a NUL byte at offset " + std::to_string(nul),
          static_cast<int64_t>(nul), static_cast<int64_t>(nul) + 1);
    return;
  }
  if (f.encoding == "utf-8" || f.encoding == "utf-8-sig") {
    if (int64_t bad = FirstInvalidUtf8(bytes); bad >= 0) {
      error("decode", "INVALID_UTF8",
            "'" + f.path + "' is not valid UTF-8 at byte offset " + std::to_string(bad), bad,
            bad + 1);
    }
  } else if (FirstInvalidUtf8(bytes) >= 0) {
    // Declared non-UTF-8 source (PEP 263): parse its UTF-8 transcoding; spans then index that text.
    std::string utf8, msg;
    int64_t at = 0;
    if (TranscodeToUtf8(f.encoding, bytes, utf8, msg, at)) {
      bytes.swap(utf8);
    } else {
      error("decode", "UNDECODABLE", "'" + f.path + "': " + msg, at, at + 1);
    }
  }
  if (f.encoding == "utf-8-sig") bytes.replace(0, 3, "   ");  // keep byte offsets
  TreePtr tree = Parse(parser, bytes);
  if (!tree) {
    error("parse", "PARSE_FAILED", "tree-sitter could not parse '" + f.path + "'", 0, f.size);
    return;
  }
  f.parsed = true;
  // Text tree-sitter-python misreads (source_repairs.h): parse again with it repaired, and
  // keep that tree when it has fewer errors. Files without errors never pay.
  std::optional<LineIndex> line_index;
  if (ts_node_has_error(ts_tree_root_node(tree.get()))) {
    if (SourceRepairs repairs = FindSourceRepairs(bytes); !repairs.empty()) {
      TreePtr repaired = Parse(parser, ApplySourceRepairs(bytes, repairs));
      if (repaired && internal::CountErrorNodes(ts_tree_root_node(repaired.get())) <
                          internal::CountErrorNodes(ts_tree_root_node(tree.get()))) {
        tree = std::move(repaired);
        line_index.emplace(bytes);
      }
    }
  }
  AnalyzeFile(ts_tree_root_node(tree.get()), bytes, line_index ? &*line_index : nullptr, out);
  f.has_syntax_errors = !out.diagnostics.empty();
}

void ExtractOne(const ScannedFile& sf, const ExtractOptions& opt, TSParser* parser,
                FileOutput& out) {
  FileRow& f = out.file;
  f.path = sf.path;
  f.file_id = core::StableId("file", {sf.path});
  f.size = sf.size;
  f.mtime_ms = sf.mtime_ms;
  f.is_python = sf.is_python;
  std::string bytes;
  if (!ReadAll(sf.abs_path, bytes)) {
    f.sha256 = core::Sha256Hex("");
    out.errors.push_back({f.path, "read", "READ_FAILED", "cannot read '" + sf.path + "'", 0, 0});
    return;
  }
  AnalyzeBytes(std::move(bytes), opt, parser, out);
}

std::unique_ptr<TSParser, ParserDeleter> NewPythonParser() {
  std::unique_ptr<TSParser, ParserDeleter> parser(ts_parser_new());
  ts_parser_set_language(parser.get(), tree_sitter_python());
  return parser;
}

ExtractionResult FromTables(std::map<std::string, std::shared_ptr<arrow::Table>>& tables,
                            const ExtractTimings& timings) {
  ExtractionResult r;
  r.timings = timings;
  r.files = tables["files"];
  r.scopes = tables["scopes"];
  r.bindings = tables["bindings"];
  r.occurrences = tables["occurrences"];
  r.definitions = tables["definitions"];
  r.parameters = tables["parameters"];
  r.call_sites = tables["call_sites"];
  r.call_resolutions = tables["call_resolutions"];
  r.imports = tables["imports"];
  r.references = tables["references"];
  r.type_params = tables["type_params"];
  r.annotations = tables["annotations"];
  r.diagnostics = tables["diagnostics"];
  r.errors = tables["errors"];
  return r;
}

}  // namespace

std::vector<std::pair<std::string, std::shared_ptr<arrow::Table>>> ExtractionResult::Tables()
    const {
  return {{"files", files},
          {"scopes", scopes},
          {"bindings", bindings},
          {"occurrences", occurrences},
          {"definitions", definitions},
          {"parameters", parameters},
          {"call_sites", call_sites},
          {"call_resolutions", call_resolutions},
          {"imports", imports},
          {"references", references},
          {"type_params", type_params},
          {"annotations", annotations},
          {"diagnostics", diagnostics},
          {"errors", errors}};
}

namespace {

// Files parsed so far, reported through ExtractOptions::on_parsed one call at a time.
class ParseProgress {
 public:
  explicit ParseProgress(const ExtractOptions& options) : on_parsed_(options.on_parsed) {}
  void AddToParse(size_t n) { total_ += static_cast<int64_t>(n); }
  void Parsed() {
    if (!on_parsed_) return;
    std::lock_guard<std::mutex> lock(mu_);
    on_parsed_(++done_, total_);
  }

 private:
  const std::function<void(int64_t, int64_t)>& on_parsed_;
  std::mutex mu_;
  int64_t done_ = 0, total_ = 0;
};

// Runs `extract(i)` for every index on `jobs` threads, each with its own parser.
template <typename Fn>
void ParallelParse(const std::vector<size_t>& indices, int jobs, ParseProgress& progress,
                   Fn&& extract) {
  jobs = std::max(1, std::min<int>(jobs, static_cast<int>(std::max<size_t>(1, indices.size()))));
  progress.AddToParse(indices.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    auto parser = NewPythonParser();
    for (size_t k = next++; k < indices.size(); k = next++) {
      extract(indices[k], parser.get());
      progress.Parsed();
    }
  };
  if (jobs == 1) return worker();
  std::vector<std::thread> threads;
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
}

using Clock = std::chrono::steady_clock;

int64_t MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

int JobsOf(const ExtractOptions& options) {
  return std::max(1, options.jobs > 0 ? options.jobs : arrow::GetCpuThreadPoolCapacity());
}

// Parses the scanned files (all, or with `only_paths` those and the modules their resolution
// looks into) and resolves across them. `emit[i]`: whether file i gets rows.
std::vector<FileOutput> AnalyzeScanned(const ScanResult& scan, const ExtractOptions& options,
                                       std::vector<bool>& emit, ExtractTimings& timings) {
  auto t0 = Clock::now();
  std::vector<FileOutput> outputs(scan.files.size());
  const int jobs = JobsOf(options);
  (void)PyFields();  // resolve the grammar tables once, before threads start
  ParseProgress progress(options);
  auto extract = [&](size_t i, TSParser* parser) {
    ExtractOne(scan.files[i], options, parser, outputs[i]);
  };
  emit.assign(scan.files.size(), !options.only_paths);
  if (!options.only_paths) {
    std::vector<size_t> all(scan.files.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    ParallelParse(all, jobs, progress, extract);
    timings.parse_ms = MsSince(t0);
    t0 = Clock::now();
    ResolveAcrossFiles(outputs, jobs);
    timings.resolve_ms = MsSince(t0);
    return outputs;
  }
  // Parse the requested files; every other file is a stub that only names its module for the
  // module index. Resolution enters another file only through a module's names: the modules
  // it looked into unparsed are parsed and it runs again, until it asks for none. Its result is
  // then the one a pass over every file gives, from the few modules it reads.
  std::map<std::string, std::vector<size_t>> by_module;
  std::vector<size_t> wave;
  std::vector<bool> parsed(scan.files.size(), false);
  for (size_t i = 0; i < scan.files.size(); ++i) {
    const auto& sf = scan.files[i];
    FileRow& f = outputs[i].file;
    f.path = sf.path;
    f.file_id = core::StableId("file", {sf.path});
    f.is_python = sf.is_python;
    if (sf.is_python) {
      f.module_name = ModuleNameForPath(sf.path);
      by_module[f.module_name].push_back(i);
    }
    if (options.only_paths->count(sf.path)) {
      emit[i] = parsed[i] = true;
      wave.push_back(i);
    }
  }
  int64_t resolve_ms = 0;
  while (!wave.empty()) {
    ParallelParse(wave, jobs, progress, extract);
    auto r0 = Clock::now();
    const auto missing = ResolveAcrossFiles(outputs, jobs, &emit);
    resolve_ms += MsSince(r0);
    wave.clear();
    for (const auto& module : missing) {
      auto it = by_module.find(module);
      if (it == by_module.end()) continue;
      for (size_t i : it->second) {
        if (!parsed[i]) wave.push_back(i);
        parsed[i] = true;
      }
    }
  }
  timings.resolve_ms = resolve_ms;
  timings.parse_ms = MsSince(t0) - resolve_ms;
  return outputs;
}

std::vector<std::string> FileIds(const std::vector<FileOutput>& outputs) {
  std::vector<std::string> ids;
  ids.reserve(outputs.size());
  for (const auto& f : outputs) ids.push_back(f.file.file_id);
  return ids;
}

std::vector<ErrorRow> ScanErrors(const ScanResult& scan) {
  std::vector<ErrorRow> out;
  for (const auto& p : scan.problems) out.push_back({p.path, "scan", p.code, p.message, 0, 0});
  return out;
}

}  // namespace

arrow::Result<ExtractionResult> ExtractScanned(const ScanResult& scan,
                                               const ExtractOptions& options) {
  ExtractTimings timings;
  std::vector<bool> emit;
  std::vector<FileOutput> outputs = AnalyzeScanned(scan, options, emit, timings);
  auto t0 = Clock::now();
  const auto file_ids = FileIds(outputs);
  if (options.only_paths) {
    std::vector<FileOutput> emitted;
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (emit[i]) emitted.push_back(std::move(outputs[i]));
    }
    outputs.swap(emitted);
  }
  ARROW_ASSIGN_OR_RAISE(auto tables,
                        BuildTables(outputs, file_ids, ScanErrors(scan), JobsOf(options)));
  timings.tables_ms = MsSince(t0);
  return FromTables(tables, timings);
}

struct BatchedExtraction::Impl {
  std::vector<FileOutput> outputs;
  std::vector<size_t> order;          // indices into outputs, by file_id
  std::vector<std::string> file_ids;  // of outputs
  size_t next = 0;
  bool started = false;
  std::vector<ErrorRow> scan_errors;
  std::vector<std::string> called_from_other_files;
  ExtractTimings timings;
  int jobs = 1;
};

BatchedExtraction::BatchedExtraction() : impl_(std::make_unique<Impl>()) {}
BatchedExtraction::~BatchedExtraction() = default;

arrow::Result<std::unique_ptr<BatchedExtraction>> BatchedExtraction::Make(
    const ScanResult& scan, const ExtractOptions& options) {
  if (options.only_paths) return arrow::Status::Invalid("a batched extraction takes every file");
  std::unique_ptr<BatchedExtraction> out(new BatchedExtraction());
  Impl& im = *out->impl_;
  std::vector<bool> emit;
  im.outputs = AnalyzeScanned(scan, options, emit, im.timings);
  im.order.resize(im.outputs.size());
  for (size_t i = 0; i < im.order.size(); ++i) im.order[i] = i;
  std::sort(im.order.begin(), im.order.end(), [&](size_t a, size_t b) {
    return im.outputs[a].file.file_id < im.outputs[b].file.file_id;
  });
  for (size_t i = 0; i < im.outputs.size(); ++i) {
    auto& f = im.outputs[i];
    std::vector<CallChain>().swap(f.call_chains);  // resolved: held until its batch otherwise
    std::vector<InstanceBinding>().swap(f.instance_bindings);
    std::vector<InstanceAttribute>().swap(f.instance_attributes);
    std::vector<ReturnedValue>().swap(f.returned_values);
    std::vector<ReachedValue>().swap(f.reached_values);
    for (const auto& r : f.call_resolutions) {
      if (r.target_def_id && r.target_file >= 0 && static_cast<size_t>(r.target_file) != i)
        im.called_from_other_files.push_back(*r.target_def_id);
    }
  }
  std::sort(im.called_from_other_files.begin(), im.called_from_other_files.end());
  im.called_from_other_files.erase(
      std::unique(im.called_from_other_files.begin(), im.called_from_other_files.end()),
      im.called_from_other_files.end());
  im.file_ids = FileIds(im.outputs);
  im.scan_errors = ScanErrors(scan);
  im.jobs = JobsOf(options);
  return out;
}

int64_t BatchedExtraction::num_files() const { return static_cast<int64_t>(impl_->outputs.size()); }

const std::vector<std::string>& BatchedExtraction::called_from_other_files() const {
  return impl_->called_from_other_files;
}

arrow::Result<std::optional<ExtractionResult>> BatchedExtraction::Next(int64_t max_bytes) {
  Impl& im = *impl_;
  if (im.started && im.next >= im.order.size()) return std::nullopt;
  const bool first = !im.started;  // the first batch is there even without files
  im.started = true;
  auto t0 = Clock::now();
  std::vector<FileOutput> batch;
  for (int64_t bytes = 0; im.next < im.order.size() && (batch.empty() || bytes < max_bytes);
       ++im.next) {
    FileOutput& f = im.outputs[im.order[im.next]];
    bytes += f.file.size;
    batch.push_back(std::move(f));
    f = FileOutput{};  // frees the file's rows
  }
  ARROW_ASSIGN_OR_RAISE(
      auto tables,
      BuildTables(batch, im.file_ids, first ? im.scan_errors : std::vector<ErrorRow>{}, im.jobs));
  im.timings.tables_ms += MsSince(t0);
  return FromTables(tables, im.timings);
}

arrow::Result<ExtractionResult> ExtractRepository(const ExtractOptions& options) {
  const double start = core::MonotonicMs();
  ScanOptions so{options.repo_root, options.include, options.exclude};
  ARROW_ASSIGN_OR_RAISE(ScanResult scan, ScanRepository(so));
  const int64_t scan_ms = static_cast<int64_t>(core::MonotonicMs() - start);
  ARROW_ASSIGN_OR_RAISE(auto result, ExtractScanned(scan, options));
  result.timings.scan_ms = scan_ms;
  return result;
}

arrow::Result<ExtractionResult> ExtractSource(std::string_view path, std::string_view bytes,
                                              const ExtractOptions& options) {
  std::vector<FileOutput> outputs(1);
  FileRow& f = outputs[0].file;
  f.path = std::string(path);
  f.file_id = core::StableId("file", {f.path});
  std::string_view name = path.substr(path.rfind('/') + 1);                // npos + 1 == 0
  f.is_python = name.size() > 3 && name.substr(name.size() - 3) == ".py";  // as the scan
  auto parser = NewPythonParser();
  AnalyzeBytes(std::string(bytes), options, parser.get(), outputs[0]);
  ResolveAcrossFiles(outputs, 1);
  ARROW_ASSIGN_OR_RAISE(auto tables, BuildTables(outputs, {f.file_id}, {}, 1));
  return FromTables(tables, ExtractTimings{});
}

}  // namespace anatomy::extract
