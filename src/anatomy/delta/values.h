#pragma once

// Textual values of the log: partition values (PROTOCOL.md "Partition Value Serialization"),
// stats values, and Hive-style partition folder names.

#include <arrow/type_fwd.h>

#include <memory>
#include <optional>
#include <string>

#include "anatomy/core/status.h"

namespace anatomy::delta {

/// A partition value string as a typed scalar (null/empty → null scalar of `type`).
Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& text, const std::shared_ptr<arrow::DataType>& type);
/// A value's text (a partition value or a filter literal) as a scalar of `type`; the empty
/// string is an empty value, not null.
Result<std::shared_ptr<arrow::Scalar>> ParseValueText(const std::string& text,
                                                      const std::shared_ptr<arrow::DataType>& type);
/// A scalar as a partition value string (nullopt for null).
Result<std::optional<std::string>> SerializePartitionValue(const arrow::Scalar& value);

/// A JSON stats value as a typed scalar (numbers cast, strings parsed as dates/timestamps/...).
Result<std::shared_ptr<arrow::Scalar>> ParseStatsValue(
    const std::string& json_text, const std::shared_ptr<arrow::DataType>& type);

/// Hive folder escaping of a partition value ("a/b" → "a%2Fb"); null → __HIVE_DEFAULT_PARTITION__.
std::string HivePartitionSegment(const std::string& column,
                                 const std::optional<std::string>& value);

inline constexpr const char* kHiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

}  // namespace anatomy::delta
