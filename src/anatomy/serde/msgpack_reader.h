#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "anatomy/core/status.h"
#include "anatomy/serde/path.h"

namespace anatomy::serde {

/// \brief A bounds-checked cursor over msgpack bytes. Every read checks the type byte and the
/// remaining length; on failure it returns false and keeps `<path>: <problem>` in error()
/// (reads return bool rather than Status to keep the hot path free of Status traffic).
/// Nothing is allocated. Accepts every valid encoding, not only the canonical one.
class MsgpackReader {
 public:
  explicit MsgpackReader(std::string_view data)
      : p_(reinterpret_cast<const uint8_t*>(data.data())), begin_(p_), end_(p_ + data.size()) {}

  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  bool AtEnd() const { return p_ == end_; }

  /// \brief The error of the first failed read (OK if none failed).
  const Status& error() const { return error_; }
  /// \brief Record an error found by the caller; returns false.
  [[gnu::cold]] bool Fail(Status st) {
    error_ = std::move(st);
    return false;
  }

  /// \brief The JSON-ish name of the next value's type: null, boolean, integer, float, string,
  /// bytes, array, object, extension; or "end of input" / "invalid byte 0xc1".
  std::string TypeNameAhead() const;

  bool NextIsNil() const { return p_ < end_ && *p_ == 0xc0; }
  void SkipNil() { ++p_; }

  bool ReadBool(const Path& path, bool* out) {
    if (p_ < end_ && (*p_ == 0xc2 || *p_ == 0xc3)) {
      *out = *p_++ == 0xc3;
      return true;
    }
    return TypeError(path, "boolean");
  }

  /// \brief An integer in [min, max].
  bool ReadInt(const Path& path, int64_t min, int64_t max, int64_t* out) {
    if (p_ >= end_) return TypeError(path, "integer");
    uint8_t b = *p_;
    if (b < 0x80) {
      ++p_;
      *out = b;
    } else if (b >= 0xe0) {
      ++p_;
      *out = static_cast<int8_t>(b);
    } else if (b >= 0xcc && b <= 0xd3) {
      static constexpr uint8_t kSizes[] = {1, 2, 4, 8, 1, 2, 4, 8};
      size_t n = kSizes[b - 0xcc];
      if (remaining() < n + 1) return Truncated(path);
      uint64_t u = LoadBe(p_ + 1, n);
      p_ += n + 1;
      if (b <= 0xcf) {
        if (u > static_cast<uint64_t>(INT64_MAX)) return RangeError(path, min, max);
        *out = static_cast<int64_t>(u);
      } else {
        // Sign-extend the n-byte two's complement value.
        int shift = static_cast<int>(64 - 8 * n);
        *out = static_cast<int64_t>(u << shift) >> shift;
      }
    } else {
      return TypeError(path, "integer");
    }
    if (*out < min || *out > max) return RangeError(path, min, max);
    return true;
  }

  /// \brief A finite float64 (integers are accepted, as msgspec does).
  bool ReadDouble(const Path& path, double* out);

  /// \brief A str, validated as UTF-8. The view points into the input.
  bool ReadStr(const Path& path, std::string_view* out) { return ReadStrImpl<true>(path, out); }
  /// \brief A str not yet validated (a struct key: compared with the field names first).
  bool ReadKey(const Path& path, std::string_view* out) { return ReadStrImpl<false>(path, out); }

 private:
  template <bool kValidate>
  bool ReadStrImpl(const Path& path, std::string_view* out) {
    if (p_ < end_) {
      uint8_t b = *p_;
      size_t n;
      size_t h;
      if ((b & 0xe0) == 0xa0) {
        n = b & 0x1f, h = 1;
      } else if (b == 0xd9 || b == 0xda || b == 0xdb) {
        h = size_t{1} << (b - 0xd9);
        if (remaining() < h + 1) return Truncated(path);
        n = LoadBe(p_ + 1, h);
        h += 1;
      } else {
        return TypeError(path, "string");
      }
      if (remaining() - h < n) return Truncated(path);
      std::string_view s(reinterpret_cast<const char*>(p_ + h), n);
      if (kValidate && !IsAscii(s) && !IsValidUtf8(s)) {
        return PathFail(path, "invalid UTF-8 in string");
      }
      p_ += h + n;
      *out = s;
      return true;
    }
    return TypeError(path, "string");
  }

 public:
  bool ReadBin(const Path& path, std::string_view* out);
  bool ReadArrayHeader(const Path& path, uint32_t* n) {
    if (p_ < end_ && (*p_ & 0xf0) == 0x90) {
      *n = *p_++ & 0x0f;
      return true;
    }
    return ReadLongHeader(path, 0xdc, "array", n);
  }
  bool ReadMapHeader(const Path& path, uint32_t* n) {
    if (p_ < end_ && (*p_ & 0xf0) == 0x80) {
      *n = *p_++ & 0x0f;
      return true;
    }
    return ReadLongHeader(path, 0xde, "object", n);
  }

  /// \brief Skip one whole value of any type, without recursion.
  bool Skip(const Path& path);

  /// \brief `<path>: expected <expected>, got <type ahead>`.
  [[gnu::cold]] bool TypeError(const Path& path, std::string_view expected);
  [[gnu::cold]] bool Truncated(const Path& path);
  [[gnu::cold]] bool RangeError(const Path& path, int64_t min, int64_t max);
  [[gnu::cold]] bool PathFail(const Path& path, std::string_view problem) {
    return Fail(PathError(path, problem));
  }

  static bool IsValidUtf8(std::string_view s);

 private:
  static bool IsAscii(std::string_view s) {
    const char* p = s.data();
    size_t n = s.size();
    uint64_t acc = 0;
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      acc |= w;
    }
    for (; n > 0; ++p, --n) acc |= static_cast<uint8_t>(*p);
    return (acc & 0x8080808080808080ull) == 0;
  }
  /// Big-endian unsigned of the n (1..8) bytes at p.
  static uint64_t LoadBe(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
    return v;
  }
  bool ReadLongHeader(const Path& path, uint8_t b16, std::string_view expected, uint32_t* n);

  const uint8_t* p_;
  const uint8_t* begin_;
  const uint8_t* end_;
  Status error_;
};

}  // namespace anatomy::serde
