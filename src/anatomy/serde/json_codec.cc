#include "anatomy/serde/json_codec.h"

namespace anatomy::serde::internal {

std::string_view JsonTypeName(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return "boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
      return "integer";
    case nlohmann::json::value_t::number_float:
      return "float";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::object:
      return "object";
    default:
      return "invalid value";
  }
}

Status JsonTypeError(const Path& path, std::string_view expected, const nlohmann::json& j) {
  return PathError(path, std::string("expected ") + std::string(expected) + ", got " +
                             std::string(JsonTypeName(j)));
}

Status JsonReadInt(const nlohmann::json& j, const Path& path, int64_t min, int64_t max,
                   int64_t* out) {
  int64_t v;
  if (j.is_number_unsigned()) {
    auto u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(max)) {
      return PathError(
          path, "integer out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
    }
    v = static_cast<int64_t>(u);
  } else if (j.is_number_integer()) {
    v = j.get<int64_t>();
  } else {
    return JsonTypeError(path, "integer", j);
  }
  if (v < min || v > max) {
    return PathError(
        path, "integer out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = v;
  return Status::OK();
}

Status JsonReadDouble(const nlohmann::json& j, const Path& path, double* out) {
  if (!j.is_number()) return JsonTypeError(path, "number", j);
  double v = j.get<double>();
  if (!std::isfinite(v)) return PathError(path, "expected finite number, got inf");
  *out = v;
  return Status::OK();
}

Result<nlohmann::json> ParseJson(std::string_view text) {
  // The one wall around nlohmann's exceptions.
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    return Status::Invalid("$: invalid JSON: ", e.what());
  } catch (const std::exception& e) {
    return Status::Invalid("$: cannot parse JSON: ", e.what());
  }
}

}  // namespace anatomy::serde::internal
