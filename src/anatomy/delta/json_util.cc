#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

using json = nlohmann::json;

Result<json> ParseJson(std::string_view text, const std::string& where) {
  // nlohmann reports errors with exceptions; this is the one place they are caught.
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    return Status::Invalid(where, ": malformed JSON: ", e.what());
  }
}

Status JsonReader::Error(std::string_view field, std::string_view what) const {
  if (field.empty()) return Status::Invalid(where_, ": ", what);
  return Status::Invalid(where_, ".", field, ": ", what);
}

const json* JsonReader::Find(const char* key) const {
  auto it = obj_->find(key);
  if (it == obj_->end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::string> JsonReader::String(const char* key) const {
  ARROW_ASSIGN_OR_RAISE(auto v, OptString(key));
  if (!v) return Error(key, "required string is missing");
  return std::move(*v);
}

Result<std::optional<std::string>> JsonReader::OptString(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_string()) return Error(key, "expected a string");
  return v->get_ref<const std::string&>();
}

Result<int64_t> JsonReader::Int(const char* key) const {
  ARROW_ASSIGN_OR_RAISE(auto v, OptInt(key));
  if (!v) return Error(key, "required integer is missing");
  return *v;
}

Result<std::optional<int64_t>> JsonReader::OptInt(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (v->is_number_integer()) {
    if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
      return Error(key, "integer out of range");
    }
    return v->get<int64_t>();
  }
  return Error(key, "expected an integer");
}

Result<std::optional<bool>> JsonReader::OptBool(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) return Error(key, "expected a boolean");
  return v->get<bool>();
}

Result<std::optional<JsonReader>> JsonReader::OptObject(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) return Error(key, "expected an object");
  return JsonReader(v, where_ + "." + key);
}

Result<std::optional<std::vector<std::string>>> JsonReader::OptStringList(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_array()) return Error(key, "expected an array of strings");
  std::vector<std::string> out;
  for (const auto& e : *v) {
    if (!e.is_string()) return Error(key, "expected an array of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::optional<StringMap>> JsonReader::OptStringMap(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) return Error(key, "expected an object of strings");
  StringMap out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_null()) continue;
    if (!it->is_string()) return Error(key, "value of '" + it.key() + "' is not a string");
    out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

Result<std::optional<PartitionValues>> JsonReader::OptPartitionValues(const char* key) const {
  const json* v = Find(key);
  if (!v) return std::nullopt;
  if (!v->is_object()) return Error(key, "expected an object");
  PartitionValues out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_null()) {
      out.emplace(it.key(), std::nullopt);
    } else if (it->is_string()) {
      out.emplace(it.key(), it->get<std::string>());
    } else {
      return Error(key, "value of '" + it.key() + "' is not a string or null");
    }
  }
  return out;
}

StringMap JsonReader::LooseStringMap(const char* key) const {
  StringMap out;
  const json* v = Find(key);
  if (!v || !v->is_object()) return out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    out.emplace(it.key(), it->is_string() ? it->get<std::string>() : SafeDump(*it));
  }
  return out;
}

StringMap JsonReader::TopLevelStrings(std::initializer_list<const char*> skip) const {
  StringMap out;
  for (auto it = obj_->begin(); it != obj_->end(); ++it) {
    if (!it->is_string()) continue;
    bool skipped = false;
    for (const char* s : skip) skipped = skipped || it.key() == s;
    if (!skipped) out.emplace(it.key(), it->get<std::string>());
  }
  return out;
}

std::string JsonReader::Dump() const { return SafeDump(*obj_); }

std::string SafeDump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace anatomy::delta
