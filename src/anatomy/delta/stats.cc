#include "anatomy/delta/stats.h"

#include <arrow/scalar.h>
#include <arrow/type.h>

#include <nlohmann/json.hpp>

#include "anatomy/delta/json_util.h"
#include "anatomy/delta/values.h"

namespace anatomy::delta {

std::optional<int64_t> NumRecordsFromStats(const std::string& stats_json) {
  auto j = ParseJson(stats_json, "stats");
  if (!j.ok() || !j->is_object()) return std::nullopt;
  auto it = j->find("numRecords");
  if (it == j->end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

Result<FileStats> ParseFileStats(
    const std::string& stats_json,
    const std::map<std::string, std::shared_ptr<arrow::DataType>>& columns) {
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJson(stats_json, "stats"));
  FileStats out;
  if (!j.is_object()) return Status::Invalid("stats: not a JSON object");
  if (auto it = j.find("numRecords"); it != j.end() && it->is_number_integer()) {
    out.num_records = it->get<int64_t>();
  }
  if (auto it = j.find("tightBounds"); it != j.end() && it->is_boolean()) {
    out.tight_bounds = it->get<bool>();
  }
  auto section = [&](const char* name) -> const nlohmann::json* {
    auto it = j.find(name);
    return it != j.end() && it->is_object() ? &*it : nullptr;
  };
  const auto* mins = section("minValues");
  const auto* maxs = section("maxValues");
  const auto* nulls = section("nullCount");
  for (const auto& entry : columns) {
    const std::string& name = entry.first;
    const std::shared_ptr<arrow::DataType>& type = entry.second;
    ColumnStats cs;
    auto value = [&](const nlohmann::json* sec) -> std::shared_ptr<arrow::Scalar> {
      if (!sec) return nullptr;
      auto it = sec->find(name);
      if (it == sec->end() || it->is_null() || it->is_object() || it->is_array()) return nullptr;
      auto s = ParseStatsValue(SafeDump(*it), type);
      return s.ok() && (*s)->is_valid ? *s : nullptr;
    };
    cs.min = value(mins);
    cs.max = value(maxs);
    if (cs.max && type->id() == arrow::Type::TIMESTAMP) {
      // Timestamp stats are truncated to milliseconds (PROTOCOL.md): the true maximum can be up
      // to 999 microseconds later, so widen the bound to stay an upper bound.
      const auto& unit = static_cast<const arrow::TimestampType&>(*type).unit();
      int64_t slack = unit == arrow::TimeUnit::MICRO  ? 999
                      : unit == arrow::TimeUnit::NANO ? 999999
                                                      : 0;
      auto& ts = static_cast<arrow::TimestampScalar&>(*cs.max);
      cs.max = std::make_shared<arrow::TimestampScalar>(ts.value + slack, type);
    }
    if (nulls) {
      auto it = nulls->find(name);
      if (it != nulls->end() && it->is_number_integer()) cs.null_count = it->get<int64_t>();
    }
    if (cs.min || cs.max || cs.null_count) out.columns.emplace(name, std::move(cs));
  }
  return out;
}

}  // namespace anatomy::delta
