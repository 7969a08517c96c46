#pragma once

// The one wall around nlohmann::json: parsing never throws out of here, and every accessor
// reports the file:line and field of a bad value.

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/delta/actions.h"

namespace anatomy::delta {

/// Parses one JSON document; errors name `where` (e.g. "_delta_log/0001.json:3").
Result<nlohmann::json> ParseJson(std::string_view text, const std::string& where);

/// Serialises without throwing (invalid UTF-8 is replaced).
std::string SafeDump(const nlohmann::json& value);

/// Typed, non-throwing access to the fields of one JSON object.
class JsonReader {
 public:
  JsonReader(const nlohmann::json* obj, std::string where) : obj_(obj), where_(std::move(where)) {}

  Status Error(std::string_view field, std::string_view what) const;
  Result<std::string> String(const char* key) const;
  Result<std::optional<std::string>> OptString(const char* key) const;
  Result<int64_t> Int(const char* key) const;
  Result<std::optional<int64_t>> OptInt(const char* key) const;
  Result<std::optional<bool>> OptBool(const char* key) const;
  Result<std::optional<JsonReader>> OptObject(const char* key) const;
  Result<std::optional<std::vector<std::string>>> OptStringList(const char* key) const;
  Result<std::optional<StringMap>> OptStringMap(const char* key) const;
  Result<std::optional<PartitionValues>> OptPartitionValues(const char* key) const;
  /// Object of scalars as strings (non-strings kept as their JSON text); missing → empty.
  StringMap LooseStringMap(const char* key) const;
  /// Top-level string fields except the listed ones and the well-known commitInfo fields.
  StringMap TopLevelStrings(std::initializer_list<const char*> skip) const;
  std::string Dump() const;
  const nlohmann::json& value() const { return *obj_; }

 private:
  const nlohmann::json* Find(const char* key) const;
  const nlohmann::json* obj_;
  std::string where_;
};

}  // namespace anatomy::delta
