#include "anatomy/delta/values.h"

#include <arrow/scalar.h>
#include <arrow/type.h>
#include <arrow/util/checked_cast.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "anatomy/delta/json_util.h"

namespace anatomy::delta {

namespace {

using arrow::internal::checked_cast;

/// Timestamps come as "YYYY-MM-DD HH:MM:SS[.ffffff]" or ISO 8601 with 'T'/'Z'.
std::string NormalizeTimestamp(std::string s) {
  if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
  return s;
}

/// A decimal literal ("1.25", "-3", "1E+2") as a value of the column's decimal type: rescaled
/// exactly to its scale ("10" is 10.00 in decimal(10,2)); refused when that would drop digits
/// or exceed its precision.
Result<std::shared_ptr<arrow::Scalar>> ParseDecimal(const std::string& text,
                                                    const arrow::Decimal128Type& dt,
                                                    const std::shared_ptr<arrow::DataType>& type) {
  arrow::Decimal128 value;
  int32_t precision = 0, scale = 0;
  ARROW_RETURN_NOT_OK(arrow::Decimal128::FromString(text, &value, &precision, &scale));
  if (scale > dt.scale()) {
    // Trailing zeros beyond the column's scale are harmless ("1.250" in decimal(10,2)).
    auto rescaled = value.Rescale(scale, dt.scale());
    if (!rescaled.ok()) {
      return Status::Invalid("'", text, "' has more than ", dt.scale(), " decimal places");
    }
    value = *rescaled;
  } else if (scale < dt.scale()) {
    ARROW_ASSIGN_OR_RAISE(value, value.Rescale(scale, dt.scale()));
  }
  if (!value.FitsInPrecision(dt.precision())) {
    return Status::Invalid("'", text, "' does not fit in ", dt.ToString());
  }
  return std::make_shared<arrow::Decimal128Scalar>(value, type);
}

Result<std::shared_ptr<arrow::Scalar>> ParseText(const std::string& text,
                                                 const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRING:
      return arrow::MakeScalar(text);
    case arrow::Type::BINARY:
      return std::make_shared<arrow::BinaryScalar>(arrow::Buffer::FromString(text));
    case arrow::Type::BOOL:
      if (text == "true") return arrow::MakeScalar(true);
      if (text == "false") return arrow::MakeScalar(false);
      return Status::Invalid("'", text, "' is not a boolean");
    case arrow::Type::TIMESTAMP: {
      std::string s = NormalizeTimestamp(text);
      const auto& ts = checked_cast<const arrow::TimestampType&>(*type);
      // Parse without zone, then reattach the column's zone (values are UTC instants).
      if (!s.empty() && s.back() == 'Z') s.pop_back();
      auto plus = s.find('+', 10);
      if (plus != std::string::npos) s = s.substr(0, plus);
      ARROW_ASSIGN_OR_RAISE(auto naive, arrow::Scalar::Parse(arrow::timestamp(ts.unit()), s));
      return std::make_shared<arrow::TimestampScalar>(
          checked_cast<const arrow::TimestampScalar&>(*naive).value, type);
    }
    case arrow::Type::DECIMAL128:
      return ParseDecimal(text, checked_cast<const arrow::Decimal128Type&>(*type), type);
    default:
      return arrow::Scalar::Parse(type, text);
  }
}

}  // namespace

Result<std::shared_ptr<arrow::Scalar>> ParseValueText(
    const std::string& text, const std::shared_ptr<arrow::DataType>& type) {
  return ParseText(text, type);
}

Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& text, const std::shared_ptr<arrow::DataType>& type) {
  if (!text || (text->empty() && type->id() != arrow::Type::BINARY) || (text->empty())) {
    return arrow::MakeNullScalar(type);
  }
  auto r = ParseText(*text, type);
  if (!r.ok()) {
    return Status::Invalid("partition value '", *text, "' is not a valid ", type->ToString(), ": ",
                           r.status().message());
  }
  return r;
}

Result<std::optional<std::string>> SerializePartitionValue(const arrow::Scalar& value) {
  if (!value.is_valid) return std::nullopt;
  switch (value.type->id()) {
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
      return std::string(checked_cast<const arrow::BaseBinaryScalar&>(value).view());
    case arrow::Type::TIMESTAMP: {
      const auto& ts = checked_cast<const arrow::TimestampType&>(*value.type);
      ARROW_ASSIGN_OR_RAISE(auto micro, value.CastTo(arrow::timestamp(arrow::TimeUnit::MICRO)));
      std::string s = micro->ToString();  // "YYYY-MM-DD HH:MM:SS[.ffffff]"
      if (s.find('.') == std::string::npos) s += ".000000";
      if (!ts.timezone().empty()) {
        std::replace(s.begin(), s.end(), ' ', 'T');
        s += "Z";
      }
      return s;
    }
    case arrow::Type::DOUBLE:
    case arrow::Type::FLOAT:
    case arrow::Type::BOOL:
    case arrow::Type::DATE32:
    case arrow::Type::DECIMAL128:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
      return value.ToString();
    default:
      return Status::NotImplemented("cannot partition by a column of type ",
                                    value.type->ToString());
  }
}

Result<std::shared_ptr<arrow::Scalar>> ParseStatsValue(
    const std::string& json_text, const std::shared_ptr<arrow::DataType>& type) {
  ARROW_ASSIGN_OR_RAISE(auto j, ParseJson(json_text, "stats value"));
  if (j.is_null()) return arrow::MakeNullScalar(type);
  if (j.is_string()) return ParseText(j.get<std::string>(), type);
  if (j.is_boolean()) return arrow::MakeScalar(j.get<bool>())->CastTo(type);
  if (type->id() == arrow::Type::DECIMAL128 && j.is_number()) {
    // Decimal stats are JSON numbers (PROTOCOL.md "Per-file Statistics"). A fractional one has
    // gone through a double: exact up to 15 significant digits, so for wider decimals it may not
    // be a true bound any more and is not used (the file is then kept, never wrongly pruned).
    if (j.is_number_float() && checked_cast<const arrow::Decimal128Type&>(*type).precision() > 15) {
      return Status::Invalid("stats value ", json_text, " of a ", type->ToString(),
                             " column may have lost digits");
    }
    return ParseText(json_text, type);
  }
  if (j.is_number_integer()) {
    auto s = arrow::MakeScalar(j.get<int64_t>());
    if (type->id() == arrow::Type::DATE32 || type->id() == arrow::Type::TIMESTAMP) {
      return Status::Invalid("stats value ", json_text, " is not a ", type->ToString());
    }
    return s->CastTo(type);
  }
  if (j.is_number_float()) {
    double d = j.get<double>();
    if (type->id() == arrow::Type::FLOAT) return arrow::MakeScalar(static_cast<float>(d));
    if (type->id() == arrow::Type::DOUBLE) return arrow::MakeScalar(d);
    return Status::Invalid("stats value ", json_text, " is not a ", type->ToString());
  }
  return Status::Invalid("stats value ", json_text, " is not a scalar");
}

std::string HivePartitionSegment(const std::string& column,
                                 const std::optional<std::string>& value) {
  auto escape = [](const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      // The character set Hive's FileUtils.escapePathName escapes.
      bool esc = c < 0x20 || c == 0x7F || std::strchr("\"#%'*/:=?\\{[]^", c) != nullptr;
      if (esc && c != 0) {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      } else if (c == 0) {
        out += "%00";
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    return out;
  };
  std::string v = (!value || value->empty()) ? std::string(kHiveDefaultPartition) : escape(*value);
  return escape(column) + "=" + v;
}

}  // namespace anatomy::delta
