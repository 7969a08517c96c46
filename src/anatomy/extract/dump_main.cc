// anatomy_extract_dump ROOT --out FOLDER [--jobs N] [--include GLOB]... [--exclude GLOB]...
// [--no-write] Extracts ROOT and writes each dataset to FOLDER/<dataset>.parquet; prints row
// counts.
#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "anatomy/extract/extract.h"

namespace {

arrow::Status Run(int argc, char** argv) {
  anatomy::extract::ExtractOptions opt;
  std::string out;
  bool write = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) return "";
      return argv[++i];
    };
    if (a == "--out")
      out = next();
    else if (a == "--jobs")
      opt.jobs = std::stoi(next());
    else if (a == "--include")
      opt.include.push_back(next());
    else if (a == "--exclude")
      opt.exclude.push_back(next());
    else if (a == "--no-write")
      write = false;
    else if (opt.repo_root.empty())
      opt.repo_root = a;
    else
      return arrow::Status::Invalid("unexpected argument '", a, "'");
  }
  if (opt.repo_root.empty() || out.empty()) {
    return arrow::Status::Invalid(
        "usage: anatomy_extract_dump ROOT --out FOLDER [--jobs N] "
        "[--include GLOB]... [--exclude GLOB]...");
  }
  ARROW_ASSIGN_OR_RAISE(auto result, anatomy::extract::ExtractRepository(opt));
  const auto& t = result.timings;
  std::cerr << "timings ms: scan " << t.scan_ms << ", parse+analyze " << t.parse_ms << ", resolve "
            << t.resolve_ms << ", tables " << t.tables_ms << "\n";
  if (!write) return arrow::Status::OK();
  std::error_code ec;
  std::filesystem::create_directories(out, ec);
  if (ec) return arrow::Status::IOError("cannot create '", out, "': ", ec.message());
  for (const auto& [name, table] : result.Tables()) {
    std::string path = out + "/" + name + ".parquet";
    ARROW_ASSIGN_OR_RAISE(auto stream, arrow::io::FileOutputStream::Open(path));
    ARROW_RETURN_NOT_OK(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), stream, int64_t{1} << 20));
    ARROW_RETURN_NOT_OK(stream->Close());
    std::cout << name << " " << table->num_rows() << "\n";
  }
  return arrow::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  arrow::Status st = Run(argc, argv);
  if (!st.ok()) {
    std::cerr << "anatomy_extract_dump: " << st.ToString() << "\n";
    return 1;
  }
  return 0;
}
