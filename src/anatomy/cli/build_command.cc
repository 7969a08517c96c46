#include <arrow/util/thread_pool.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "anatomy/cli/commands.h"
#include "anatomy/incremental/build.h"
#include "anatomy/pipeline/build.h"

namespace anatomy::cli {

namespace {

struct BuildArgs {
  pipeline::BuildOptions options;
  bool incremental = false;
};

// A one-line progress bar on a terminal; plain lines otherwise (logs, CI). The parse reports
// every file, from the parser threads one at a time: the bar is redrawn at most every 50 ms.
class Progress {
 public:
  Progress() : tty_(isatty(fileno(stderr)) != 0) {}
  void operator()(const std::string& stage, int64_t done, int64_t total) {
    if (tty_) {
      const auto now = std::chrono::steady_clock::now();
      if (stage == last_stage_ && done != total && now - last_draw_ < std::chrono::milliseconds(50))
        return;
      last_draw_ = now;
      const int width = 30;
      const int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
      std::cerr << "\r" << std::left << std::setw(8) << stage << " [" << std::string(filled, '#')
                << std::string(width - filled, ' ') << "] " << done << "/" << total << std::flush;
      if (done == total) std::cerr << "\n";
    } else if (done == total || stage != last_stage_) {
      std::cerr << stage << ": " << done << "/" << total << "\n";
    }
    last_stage_ = stage;
  }

 private:
  bool tty_;
  std::string last_stage_;
  std::chrono::steady_clock::time_point last_draw_;
};

void PrintSummary(const incremental::IncrementalSummary& r) {
  const pipeline::BuildSummary& s = r.build;
  if (r.mode != "full") {
    std::cout << "anatomy build: " << r.mode << " (" << r.reason << ") in " << std::fixed
              << std::setprecision(2) << s.seconds << " s\n";
    std::cout << "  run " << s.run_id << "\n";
    for (const auto& c : r.changes) {
      std::cout << "  " << c.change << " " << c.path
                << (c.old_path ? " (was " + *c.old_path + ")" : "") << "\n";
    }
    if (!r.impacted.empty()) {
      std::cout << "  " << r.impacted.size() << " files rebuilt, " << s.errors
                << " extraction errors, " << s.diagnostics << " syntax diagnostics among them\n";
    }
    if (!s.stage_seconds.empty()) {
      std::cout << "  seconds:";
      for (const auto& [k, v] : s.stage_seconds) std::cout << " " << k << "=" << v;
      std::cout << "\n";
    }
    std::cout << "  output: " << s.out << "\n";
    return;
  }
  const int threads = arrow::GetCpuThreadPoolCapacity();  // --jobs, or all cores
  std::cout << "anatomy build: " << s.files << " files (" << s.python_files << " Python), "
            << s.lines << " lines in " << std::fixed << std::setprecision(2) << s.seconds
            << " s on " << threads << (threads == 1 ? " thread\n" : " threads\n");
  std::cout << "  run " << s.run_id << " (full build: " << r.reason << ")\n";
  std::cout << "  errors: " << s.errors << " extraction errors, " << s.diagnostics
            << " syntax diagnostics\n";
  std::cout << "  nodes:";
  for (const auto& [k, n] : s.nodes_by_kind) std::cout << " " << k << "=" << n;
  std::cout << "\n  edges:";
  for (const auto& [k, n] : s.edges_by_kind) std::cout << " " << k << "=" << n;
  std::cout << "\n  tables:";
  for (const auto& [k, n] : s.rows_by_output) std::cout << " " << k << "=" << n;
  std::cout << "\n  seconds:";
  for (const auto& [k, v] : s.stage_seconds) std::cout << " " << k << "=" << v;
  std::cout << "\n  output: " << s.out << "\n";
}

}  // namespace

void AddBuildCommand(CLI::App& app) {
  auto args = std::make_shared<BuildArgs>();
  auto* cmd = app.add_subcommand(
      "build", "Build the Code Property Graph of a Python repository as Delta tables");
  cmd->add_option("repo", args->options.repo, "Repository folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  args->options.out = "anatomy-out";
  cmd->add_option("--out", args->options.out, "Output folder (Delta tables)")
      ->capture_default_str();
  cmd->add_option("--jobs", args->options.jobs,
                  "Parallelism of the build: parser threads, Arrow's CPU pool (plans, Parquet "
                  "encoding) and table writes at once (0 = all cores)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--profile", args->options.profile, "Runtime profile name")
      ->capture_default_str();
  cmd->add_option("--include", args->options.include, "Only paths matching these globs");
  cmd->add_option("--exclude", args->options.exclude, "Skip paths matching these globs");
  cmd->add_option("--batch-bytes", args->options.batch_bytes,
                  "Full builds: source bytes of the files whose views run together (memory "
                  "grows with it)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--compact-after", args->options.compact_after,
                  "Incremental builds: compact a table partition once it holds this many small "
                  "files (0 = never)")
      ->capture_default_str();
  cmd->add_flag(
      "--incremental", args->incremental,
      "Rebuild only the files changed since the previous build in --out (and the files that "
      "import them); a full build when that is not sound, with the reason");
  cmd->callback([args] {
    // Arrow's CPU pool runs the plans and encodes the Parquet columns; the build's own
    // threads (parsing, concurrent writes, file splits) follow its capacity.
    if (args->options.jobs > 0) {
      if (auto st = arrow::SetCpuThreadPoolCapacity(args->options.jobs); !st.ok()) {
        std::cerr << "anatomy build: --jobs " << args->options.jobs << ": " << st.ToString()
                  << "\n";
        throw CLI::RuntimeError(1);
      }
    }
    Progress progress;
    auto summary = incremental::Build(args->options, args->incremental, std::ref(progress));
    if (!summary.ok()) {
      std::cerr << "anatomy build: " << summary.status().ToString() << "\n";
      throw CLI::RuntimeError(1);
    }
    PrintSummary(*summary);
  });
}

}  // namespace anatomy::cli
