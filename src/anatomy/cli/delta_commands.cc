// `anatomy delta ...`: read, snapshot, history, checkpoint, vacuum.

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/writer.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "anatomy/cli/commands.h"
#include "anatomy/delta/api.h"

namespace anatomy::cli {

namespace {

namespace dl = anatomy::delta;

[[noreturn]] void Fail(const arrow::Status& st) {
  std::string msg = st.message();
  for (auto& c : msg) {
    if (c == '\n') c = ' ';
  }
  std::cerr << "anatomy delta: " << msg << "\n";
  throw CLI::RuntimeError(1);
}

template <typename T>
T Check(arrow::Result<T> r) {
  if (!r.ok()) Fail(r.status());
  return std::move(r).ValueOrDie();
}

void Check(const arrow::Status& st) {
  if (!st.ok()) Fail(st);
}

/// Parses "2024-01-31T12:00:00Z", "2024-01-31 12:00:00", "2024-01-31" or epoch milliseconds.
int64_t ParseTimestampMs(const std::string& text) {
  bool digits = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (digits) return std::stoll(text);
  std::string s = text;
  if (s.size() == 10) s += "T00:00:00";
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  if (!s.empty() && s.back() == 'Z') s.pop_back();
  auto scalar = arrow::Scalar::Parse(arrow::timestamp(arrow::TimeUnit::MILLI), s);
  if (!scalar.ok()) Fail(arrow::Status::Invalid("cannot parse timestamp '", text, "'"));
  return std::static_pointer_cast<arrow::TimestampScalar>(*scalar)->value;
}

dl::SnapshotOptions SnapOpts(int64_t version, const std::string& timestamp) {
  dl::SnapshotOptions o;
  if (version >= 0) o.version = version;
  if (!timestamp.empty()) o.timestamp_ms = ParseTimestampMs(timestamp);
  return o;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size() && !s.empty()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string part = s.substr(start, end - start);
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

void WriteParquet(const std::shared_ptr<arrow::Table>& table, const std::string& path) {
  auto out = Check(arrow::io::FileOutputStream::Open(path));
  auto props = parquet::WriterProperties::Builder().compression(arrow::Compression::ZSTD)->build();
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  Check(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 64 * 1024, props, arrow_props));
  Check(out->Close());
}

nlohmann::ordered_json SnapshotJson(const dl::Snapshot& s) {
  nlohmann::ordered_json j;
  j["version"] = s.version;
  j["timestamp_ms"] = s.timestamp_ms;
  j["min_reader_version"] = s.protocol.min_reader_version;
  j["min_writer_version"] = s.protocol.min_writer_version;
  j["reader_features"] = s.protocol.reader_features.value_or(std::vector<std::string>{});
  j["writer_features"] = s.protocol.writer_features.value_or(std::vector<std::string>{});
  j["table_id"] = s.metadata.id;
  j["schema"] = nlohmann::ordered_json::parse(s.metadata.schema_string, nullptr, false);
  j["partition_columns"] = s.metadata.partition_columns;
  j["properties"] = s.metadata.configuration;
  j["num_files"] = s.files.size();
  auto rows = s.NumRecords();
  j["num_rows"] = rows ? nlohmann::ordered_json(*rows) : nlohmann::ordered_json(nullptr);
  int64_t bytes = 0;
  for (const auto& f : s.files) bytes += f.size;
  j["size_bytes"] = bytes;
  if (s.checkpoint_version) j["checkpoint_version"] = *s.checkpoint_version;
  return j;
}

}  // namespace

void AddDeltaCommands(CLI::App& app) {
  auto* delta = app.add_subcommand("delta", "Delta Lake tables: read, inspect, maintain");
  delta->require_subcommand(1);

  {
    auto* cmd = delta->add_subcommand("read", "Write a table's content at a version as one Parquet file");
    auto table = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto columns = std::make_shared<std::string>();
    auto filter = std::make_shared<std::string>();
    auto timestamp = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    cmd->add_option("table", *table, "Table path")->required();
    auto* vopt = cmd->add_option("--version", *version, "Table version");
    cmd->add_option("--timestamp", *timestamp, "Latest version at or before this time")->excludes(vopt);
    cmd->add_option("--columns", *columns, "Comma-separated columns");
    cmd->add_option("--filter", *filter, "Filter, e.g. \"letter = 'a' AND number > 3\"");
    cmd->add_option("--out", *out, "Output Parquet file")->required();
    auto plan = std::make_shared<bool>(false);
    cmd->add_flag("--plan", *plan, "Print the file pruning result as JSON on stdout");
    cmd->callback([=] {
      auto snap = Check(dl::LoadSnapshot(*table, SnapOpts(*version, *timestamp)));
      dl::ScanOptions opts;
      opts.columns = SplitComma(*columns);
      opts.filters = Check(dl::ParseFilter(*filter));
      if (*plan) {
        auto pruned = Check(dl::PruneFiles(*snap, opts.filters));
        nlohmann::ordered_json j;
        j["version"] = snap->version;
        j["total_files"] = pruned.total_files;
        j["candidate_files"] = pruned.candidate_files;
        j["pruned_files"] = pruned.pruned_files;
        j["pruned_by_partition"] = pruned.pruned_by_partition;
        j["pruned_by_stats"] = pruned.pruned_by_stats;
        j["candidates"] = nlohmann::ordered_json::array();
        for (const auto& f : pruned.candidates) j["candidates"].push_back(f.path);
        std::cout << j.dump() << "\n";
      }
      auto result = Check(dl::ScanToTable(*snap, opts));
      WriteParquet(result, *out);
    });
  }
  {
    auto* cmd = delta->add_subcommand("snapshot", "Print a table's version, protocol, schema and counts");
    auto table = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("text");
    auto version = std::make_shared<int64_t>(-1);
    cmd->add_option("table", *table, "Table path")->required();
    cmd->add_option("--version", *version, "Table version");
    cmd->add_option("--format", *format, "text or json")->check(CLI::IsMember({"text", "json"}));
    cmd->callback([=] {
      auto snap = Check(dl::LoadSnapshot(*table, SnapOpts(*version, "")));
      auto j = SnapshotJson(*snap);
      if (*format == "json") {
        std::cout << j.dump(2) << "\n";
        return;
      }
      for (auto it = j.begin(); it != j.end(); ++it) {
        std::cout << it.key() << ": " << (it->is_string() ? it->get<std::string>() : it->dump()) << "\n";
      }
    });
  }
  {
    auto* cmd = delta->add_subcommand("history", "List the commits of a table, newest first");
    auto table = std::make_shared<std::string>();
    auto limit = std::make_shared<int64_t>(0);
    cmd->add_option("table", *table, "Table path")->required();
    cmd->add_option("--limit", *limit, "At most this many commits");
    cmd->callback([=] {
      auto storage = Check(dl::OpenLocalStorage(*table));
      auto hist = Check(dl::History(*storage, *limit));
      if (hist.empty()) Fail(arrow::Status::Invalid(*table, ": not a Delta table (no commits)"));
      for (const auto& c : hist) {
        std::cout << c.version << "\t" << c.timestamp_ms << "\t"
                  << (c.info && c.info->operation ? *c.info->operation : "") << "\tadd=" << c.num_add
                  << " remove=" << c.num_remove << "\n";
      }
    });
  }
}

}  // namespace anatomy::cli
