#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace anatomy::serde {

/// \brief Appends compact JSON tokens to a string. Output is deterministic: strings escape only
/// `"`, `\` and control characters (non-ASCII stays UTF-8), doubles use the shortest form that
/// reads back exactly, always with a `.` or exponent so they stay floats.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void Null() { out_->append("null"); }
  void Bool(bool v) { out_->append(v ? "true" : "false"); }
  void Int(int64_t v);
  void Double(double v);
  void Str(std::string_view s) { AppendString(out_, s); }
  /// Bytes as a standard base64 string (what msgspec writes for bytes).
  void Bytes(std::string_view b);
  void Raw(char c) { out_->push_back(c); }

  /// \brief Append `s` as a quoted, escaped JSON string.
  static void AppendString(std::string* out, std::string_view s);

 private:
  std::string* out_;
};

}  // namespace anatomy::serde
