// `anatomy delta ...`: read, snapshot, history, write, delete, checkpoint, vacuum, optimize,
// changes.

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
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
  Check(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out, 64 * 1024, props,
                                   arrow_props));
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

std::shared_ptr<arrow::Table> ReadParquetFile(const std::string& path) {
  auto in = Check(arrow::io::ReadableFile::Open(path));
  auto reader = Check(parquet::arrow::OpenFile(in, arrow::default_memory_pool()));
  return Check(reader->ReadTable());
}

dl::StringMap ParsePairs(const std::vector<std::string>& pairs) {
  dl::StringMap out;
  for (const auto& p : pairs) {
    auto eq = p.find('=');
    if (eq == std::string::npos) Fail(arrow::Status::Invalid("expected KEY=VALUE, got '", p, "'"));
    out[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return out;
}

void PrintResult(const dl::WriteResult& r) {
  nlohmann::ordered_json j;
  j["version"] = r.version;
  j["committed"] = r.committed;
  j["files_added"] = r.files_added;
  j["files_removed"] = r.files_removed;
  j["rows_written"] = r.rows_written;
  j["attempts"] = r.attempts;
  std::cout << j.dump() << "\n";
}

}  // namespace

void AddDeltaCommands(CLI::App& app) {
  auto* delta = app.add_subcommand("delta", "Delta Lake tables: read, inspect, maintain");
  delta->require_subcommand(1);

  {
    auto* cmd =
        delta->add_subcommand("read", "Write a table's content at a version as one Parquet file");
    auto table = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto columns = std::make_shared<std::string>();
    auto filter = std::make_shared<std::string>();
    auto timestamp = std::make_shared<std::string>();
    auto version = std::make_shared<int64_t>(-1);
    cmd->add_option("table", *table, "Table path")->required();
    auto* vopt = cmd->add_option("--version", *version, "Table version");
    cmd->add_option("--timestamp", *timestamp, "Latest version at or before this time")
        ->excludes(vopt);
    cmd->add_option("--columns", *columns, "Comma-separated columns");
    cmd->add_option("--filter", *filter, "Filter, e.g. \"letter = 'a' AND number > 3\"");
    cmd->add_option("--out", *out, "Output Parquet file")->required();
    auto plan = std::make_shared<bool>(false);
    cmd->add_flag("--plan", *plan, "Print the file and row-group pruning result as JSON on stdout");
    cmd->callback([=] {
      auto snap = Check(dl::LoadSnapshot(*table, SnapOpts(*version, *timestamp)));
      dl::ScanOptions opts;
      opts.columns = SplitComma(*columns);
      opts.filters = Check(dl::ParseFilter(*filter));
      if (*plan) opts.metrics = std::make_shared<dl::ScanMetrics>();
      auto result = Check(dl::ScanToTable(*snap, opts));
      if (*plan) {
        auto pruned = Check(dl::PruneFiles(*snap, opts.filters));
        nlohmann::ordered_json j;
        j["version"] = snap->version;
        j["total_files"] = pruned.total_files;
        j["candidate_files"] = pruned.candidate_files;
        j["pruned_files"] = pruned.pruned_files;
        j["pruned_by_partition"] = pruned.pruned_by_partition;
        j["pruned_by_stats"] = pruned.pruned_by_stats;
        // Within the files read: the Parquet row groups decoded, of those they hold.
        j["row_groups_total"] = opts.metrics->row_groups_total;
        j["row_groups_read"] = opts.metrics->row_groups_read;
        j["candidates"] = nlohmann::ordered_json::array();
        for (const auto& f : pruned.candidates) j["candidates"].push_back(f.path);
        std::cout << j.dump() << "\n";
      }
      WriteParquet(result, *out);
    });
  }
  {
    auto* cmd =
        delta->add_subcommand("snapshot", "Print a table's version, protocol, schema and counts");
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
        std::cout << it.key() << ": " << (it->is_string() ? it->get<std::string>() : it->dump())
                  << "\n";
      }
    });
  }
  {
    auto* cmd = delta->add_subcommand(
        "write", "Write a Parquet file's rows into a table (created when absent)");
    struct Args {
      std::string table, input, mode = "append", partition_by, replace_where, replace_rows_where,
                                schema_mode = "strict", app_id;
      std::vector<std::string> properties, features, metadata;
      int64_t app_version = 0, target_file_size = 128ll << 20, row_group_rows = 1 << 20;
      int max_retries = 10;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("table", a->table, "Table path")->required();
    cmd->add_option("--input", a->input, "Input Parquet file")->required();
    cmd->add_option("--mode", a->mode, "append|overwrite|error|ignore")
        ->check(CLI::IsMember({"append", "overwrite", "error", "ignore"}));
    cmd->add_option("--partition-by", a->partition_by,
                    "Comma-separated partition columns (on create)");
    cmd->add_option("--replace-where", a->replace_where,
                    "Overwrite only partitions matching this filter");
    cmd->add_option("--replace-rows-where", a->replace_rows_where,
                    "Overwrite only the rows matching this filter (any columns)");
    cmd->add_option("--schema-mode", a->schema_mode, "strict|merge|overwrite")
        ->check(CLI::IsMember({"strict", "merge", "overwrite"}));
    cmd->add_option("--property", a->properties, "Table property KEY=VALUE (on create)");
    cmd->add_option(
        "--feature", a->features,
        "Table feature to enable (on create; deletionVectors also on an existing table)");
    cmd->add_option("--metadata", a->metadata, "Commit metadata KEY=VALUE");
    cmd->add_option("--app-id", a->app_id, "Application id for an idempotent write");
    cmd->add_option("--app-version", a->app_version, "Application transaction version");
    cmd->add_option("--target-file-size", a->target_file_size, "Target data file size in bytes");
    cmd->add_option("--row-group-rows", a->row_group_rows, "Rows per Parquet row group");
    cmd->add_option("--max-retries", a->max_retries, "Commit retries after lost races");
    cmd->callback([a] {
      dl::WriteOptions o;
      o.mode = a->mode == "overwrite" ? dl::WriteMode::kOverwrite
               : a->mode == "error"   ? dl::WriteMode::kErrorIfExists
               : a->mode == "ignore"  ? dl::WriteMode::kIgnore
                                      : dl::WriteMode::kAppend;
      o.schema_mode = a->schema_mode == "merge"       ? dl::SchemaMode::kMerge
                      : a->schema_mode == "overwrite" ? dl::SchemaMode::kOverwrite
                                                      : dl::SchemaMode::kStrict;
      o.partition_columns = SplitComma(a->partition_by);
      o.replace_where = Check(dl::ParseFilter(a->replace_where));
      if (auto rows = Check(dl::ParseFilter(a->replace_rows_where)); !rows.empty()) {
        o.replace_rows_where = {rows};
      }
      o.properties = ParsePairs(a->properties);
      o.features = a->features;
      o.commit_metadata = ParsePairs(a->metadata);
      if (!a->app_id.empty()) {
        o.app_id = a->app_id;
        o.app_version = a->app_version;
      }
      o.files.target_file_size = a->target_file_size;
      o.files.row_group_rows = a->row_group_rows;
      o.max_retries = a->max_retries;
      PrintResult(Check(dl::WriteTable(a->table, ReadParquetFile(a->input), o)));
    });
  }
  {
    auto* cmd = delta->add_subcommand("delete", "Delete the rows matching a filter");
    auto table = std::make_shared<std::string>();
    auto where = std::make_shared<std::string>();
    cmd->add_option("table", *table, "Table path")->required();
    cmd->add_option("--where", *where, "Filter, e.g. \"p = 'a' AND v > 3\"")->required();
    cmd->callback([=] {
      auto storage = Check(dl::OpenLocalStorage(*table));
      PrintResult(Check(dl::DeleteWhere(storage, Check(dl::ParseFilter(*where)))));
    });
  }
  {
    auto* cmd = delta->add_subcommand("checkpoint", "Write a checkpoint of the latest version");
    auto table = std::make_shared<std::string>();
    cmd->add_option("table", *table, "Table path")->required();
    cmd->callback([=] {
      auto storage = Check(dl::OpenLocalStorage(*table));
      auto info = Check(dl::CheckpointLatest(storage));
      std::cout << "checkpoint at version " << info.version << ": " << info.num_actions
                << " actions, " << info.num_add_files << " files, " << info.size_in_bytes
                << " bytes\n";
    });
  }
  {
    auto* cmd =
        delta->add_subcommand("vacuum", "Delete unreferenced data files past the retention period");
    auto table = std::make_shared<std::string>();
    auto dry = std::make_shared<bool>(false);
    auto log = std::make_shared<bool>(false);
    auto unsafe = std::make_shared<bool>(false);
    auto hours = std::make_shared<double>(-1);
    cmd->add_option("table", *table, "Table path")->required();
    cmd->add_flag("--dry-run", *dry, "Only list what would be deleted");
    cmd->add_option("--retention-hours", *hours, "Override delta.deletedFileRetentionDuration");
    cmd->add_flag("--no-retention-check", *unsafe, "Allow a retention shorter than the table's");
    cmd->add_flag("--log", *log, "Also clean up log files past delta.logRetentionDuration");
    cmd->callback([=] {
      auto storage = Check(dl::OpenLocalStorage(*table));
      dl::VacuumOptions o;
      o.dry_run = *dry;
      o.enforce_retention = !*unsafe;
      if (*hours >= 0) o.retention_ms = static_cast<int64_t>(*hours * 3600 * 1000);
      auto r = Check(dl::Vacuum(storage, o));
      for (const auto& p : r.deleted)
        std::cout << (*dry ? "would delete " : "deleted ") << p << "\n";
      if (*log) {
        dl::LogCleanupOptions lo;
        lo.dry_run = *dry;
        for (const auto& p : Check(dl::CleanupLog(storage, lo))) {
          std::cout << (*dry ? "would delete " : "deleted ") << p << "\n";
        }
      }
    });
  }
  {
    auto* cmd = delta->add_subcommand(
        "optimize", "Compact each partition's small data files (content unchanged)");
    struct Args {
      std::string table, where, order_by;
      int64_t target_file_size = 128ll << 20, min_file_size = -1, row_group_rows = 1 << 20;
      int min_files = 2;
    };
    auto a = std::make_shared<Args>();
    cmd->add_option("table", a->table, "Table path")->required();
    cmd->add_option("--where", a->where, "Only partitions matching this partition filter");
    cmd->add_option("--order-by", a->order_by,
                    "Comma-separated columns to order rewritten rows by");
    cmd->add_option("--target-file-size", a->target_file_size, "Target data file size in bytes");
    cmd->add_option("--min-file-size", a->min_file_size,
                    "Files below this size are compacted (default: half the target)");
    cmd->add_option("--min-files", a->min_files, "Small files a partition needs to be compacted");
    cmd->add_option("--row-group-rows", a->row_group_rows, "Rows per Parquet row group");
    cmd->callback([a] {
      dl::OptimizeOptions o;
      o.partition_filters = Check(dl::ParseFilter(a->where));
      o.order_by = SplitComma(a->order_by);
      o.files.target_file_size = a->target_file_size;
      o.files.row_group_rows = a->row_group_rows;
      if (a->min_file_size >= 0) o.min_file_size = a->min_file_size;
      o.min_files = a->min_files;
      auto r = Check(dl::Optimize(Check(dl::OpenLocalStorage(a->table)), o));
      std::cout << (r.committed ? "optimized" : "nothing to optimize") << ": version " << r.version
                << ", " << r.partitions << " partitions, " << r.files_removed << " files ("
                << r.bytes_removed << " bytes) -> " << r.files_added << " files (" << r.bytes_added
                << " bytes)\n";
    });
  }
  {
    auto* cmd =
        delta->add_subcommand("changes", "Write the change data feed between versions as Parquet");
    auto table = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto from = std::make_shared<int64_t>(0);
    auto to = std::make_shared<int64_t>(-1);
    cmd->add_option("table", *table, "Table path")->required();
    cmd->add_option("--from", *from, "First version (inclusive)");
    cmd->add_option("--to", *to, "Last version (inclusive; default latest)");
    cmd->add_option("--out", *out, "Output Parquet file")->required();
    cmd->callback([=] {
      auto storage = Check(dl::OpenLocalStorage(*table));
      std::optional<int64_t> end;
      if (*to >= 0) end = *to;
      WriteParquet(Check(dl::ReadChangeDataFeed(storage, *from, end)), *out);
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
                  << (c.info && c.info->operation ? *c.info->operation : "")
                  << "\tadd=" << c.num_add << " remove=" << c.num_remove << "\n";
      }
    });
  }
}

}  // namespace anatomy::cli
