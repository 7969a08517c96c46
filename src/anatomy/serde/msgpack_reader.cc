#include "anatomy/serde/msgpack_reader.h"

#include <cmath>
#include <string>

namespace anatomy::serde {

std::string MsgpackReader::TypeNameAhead() const {
  if (p_ >= end_) return "end of input";
  uint8_t b = *p_;
  if (b < 0x80 || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) return "integer";
  if (b <= 0x8f || b == 0xde || b == 0xdf) return "object";
  if (b <= 0x9f || b == 0xdc || b == 0xdd) return "array";
  if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) return "string";
  switch (b) {
    case 0xc0:
      return "null";
    case 0xc2:
    case 0xc3:
      return "boolean";
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return "bytes";
    case 0xca:
    case 0xcb:
      return "float";
    case 0xc1: {
      return "invalid byte 0xc1";
    }
    default:
      return "extension";  // 0xc7-0xc9, 0xd4-0xd8
  }
}

bool MsgpackReader::TypeError(const Path& path, std::string_view expected) {
  std::string got = TypeNameAhead();
  return PathFail(path, std::string("expected ") + std::string(expected) + ", got " + got);
}

bool MsgpackReader::Truncated(const Path& path) {
  return PathFail(path, "unexpected end of input at byte " + std::to_string(offset()));
}

bool MsgpackReader::RangeError(const Path& path, int64_t min, int64_t max) {
  return PathFail(
      path, "integer out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
}

bool MsgpackReader::ReadDouble(const Path& path, double* out) {
  if (p_ >= end_) return TypeError(path, "number");
  uint8_t b = *p_;
  if (b == 0xcb || b == 0xca) {
    size_t n = b == 0xcb ? 8 : 4;
    if (remaining() < n + 1) return Truncated(path);
    uint64_t u = LoadBe(p_ + 1, n);
    double v = n == 8 ? std::bit_cast<double>(u)
                      : static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(u)));
    if (!std::isfinite(v)) {
      return PathFail(
          path, std::string("expected finite number, got ") + (std::isnan(v) ? "nan" : "inf"));
    }
    p_ += n + 1;
    *out = v;
    return true;
  }
  if (b < 0x80 || b >= 0xe0 || (b >= 0xcc && b <= 0xd3)) {
    int64_t i = 0;
    if (b == 0xcf && remaining() >= 9 && LoadBe(p_ + 1, 8) > static_cast<uint64_t>(INT64_MAX)) {
      *out = static_cast<double>(LoadBe(p_ + 1, 8));
      p_ += 9;
      return true;
    }
    if (!ReadInt(path, INT64_MIN, INT64_MAX, &i)) return false;
    *out = static_cast<double>(i);
    return true;
  }
  return TypeError(path, "number");
}

bool MsgpackReader::ReadBin(const Path& path, std::string_view* out) {
  if (p_ >= end_ || *p_ < 0xc4 || *p_ > 0xc6) return TypeError(path, "bytes");
  size_t h = size_t{1} << (*p_ - 0xc4);
  if (remaining() < h + 1) return Truncated(path);
  uint64_t n = LoadBe(p_ + 1, h);
  if (remaining() - h - 1 < n) return Truncated(path);
  *out = std::string_view(reinterpret_cast<const char*>(p_ + h + 1), n);
  p_ += h + 1 + n;
  return true;
}

bool MsgpackReader::ReadLongHeader(const Path& path, uint8_t b16, std::string_view expected,
                                   uint32_t* n) {
  if (p_ >= end_ || (*p_ != b16 && *p_ != b16 + 1)) return TypeError(path, expected);
  size_t h = *p_ == b16 ? 2 : 4;
  if (remaining() < h + 1) return Truncated(path);
  *n = static_cast<uint32_t>(LoadBe(p_ + 1, h));
  p_ += h + 1;
  // Each element takes at least one byte: reject impossible counts before anyone reserves.
  if (*n > remaining()) return Truncated(path);
  return true;
}

bool MsgpackReader::Skip(const Path& path) {
  uint64_t pending = 1;
  while (pending > 0) {
    --pending;
    if (p_ >= end_) return Truncated(path);
    uint8_t b = *p_;
    uint64_t payload = 0;  // bytes after the header
    size_t header = 1;
    if (b < 0x80 || b >= 0xe0 || b == 0xc0 || b == 0xc2 || b == 0xc3) {
      // single byte
    } else if (b <= 0x8f) {
      pending += 2ull * (b & 0x0f);
    } else if (b <= 0x9f) {
      pending += b & 0x0f;
    } else if (b <= 0xbf) {
      payload = b & 0x1f;
    } else if (b == 0xc1) {
      return PathFail(path, "invalid msgpack byte 0xc1 at byte " + std::to_string(offset()));
    } else if (b >= 0xc4 && b <= 0xc6) {
      header = 1 + (size_t{1} << (b - 0xc4));
    } else if (b >= 0xc7 && b <= 0xc9) {
      header = 2 + (size_t{1} << (b - 0xc7));  // length then the ext type byte
    } else if (b == 0xca || b == 0xcb) {
      payload = b == 0xca ? 4 : 8;
    } else if (b >= 0xcc && b <= 0xd3) {
      payload = size_t{1} << ((b - 0xcc) & 3);
    } else if (b >= 0xd4 && b <= 0xd8) {
      payload = 1 + (size_t{1} << (b - 0xd4));
    } else if (b >= 0xd9 && b <= 0xdb) {
      header = 1 + (size_t{1} << (b - 0xd9));
    } else {  // 0xdc..0xdf
      header = (b & 1) ? 5 : 3;
    }
    if (remaining() < header) return Truncated(path);
    if (header > 1) {
      size_t len_bytes = header - 1;
      if (b >= 0xc7 && b <= 0xc9) len_bytes -= 1;
      uint64_t n = LoadBe(p_ + 1, len_bytes);
      if (b >= 0xdc && b <= 0xdd) {
        pending += n;
      } else if (b >= 0xde) {
        pending += 2 * n;
      } else {
        payload = n;
      }
    }
    if (remaining() - header < payload) return Truncated(path);
    p_ += header + payload;
    if (pending > remaining()) return Truncated(path);
  }
  return true;
}

bool MsgpackReader::IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    uint8_t c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) <= n) return false;
    for (size_t i = 1; i <= n; ++i) {
      if ((p[i] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    // Reject overlong forms, surrogates and values beyond U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    p += n + 1;
  }
  return true;
}

}  // namespace anatomy::serde
