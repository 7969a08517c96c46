#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace anatomy::serde {

/// \brief Appends msgpack to a string in the canonical form msgspec writes: the smallest
/// integer, string, bin, array and map encodings, and float64 for every double.
class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string* out) : out_(out) {}

  void Nil() { Byte(0xc0); }
  void Bool(bool v) { Byte(v ? 0xc3 : 0xc2); }

  void Int(int64_t v) {
    if (v >= 0) {
      auto u = static_cast<uint64_t>(v);
      if (u < 0x80) {
        Byte(static_cast<uint8_t>(u));
      } else if (u <= 0xff) {
        Byte(0xcc), Byte(static_cast<uint8_t>(u));
      } else if (u <= 0xffff) {
        Byte(0xcd), Be<uint16_t>(static_cast<uint16_t>(u));
      } else if (u <= 0xffffffffu) {
        Byte(0xce), Be<uint32_t>(static_cast<uint32_t>(u));
      } else {
        Byte(0xcf), Be<uint64_t>(u);
      }
    } else if (v >= -32) {
      Byte(static_cast<uint8_t>(static_cast<int8_t>(v)));
    } else if (v >= INT8_MIN) {
      Byte(0xd0), Byte(static_cast<uint8_t>(static_cast<int8_t>(v)));
    } else if (v >= INT16_MIN) {
      Byte(0xd1), Be<uint16_t>(static_cast<uint16_t>(static_cast<int16_t>(v)));
    } else if (v >= INT32_MIN) {
      Byte(0xd2), Be<uint32_t>(static_cast<uint32_t>(static_cast<int32_t>(v)));
    } else {
      Byte(0xd3), Be<uint64_t>(static_cast<uint64_t>(v));
    }
  }

  void Double(double v) { Byte(0xcb), Be<uint64_t>(std::bit_cast<uint64_t>(v)); }

  void Str(std::string_view s) {
    size_t n = s.size();
    if (n < 32) {
      Byte(static_cast<uint8_t>(0xa0 | n));
    } else if (n <= 0xff) {
      Byte(0xd9), Byte(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
      Byte(0xda), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(0xdb), Be<uint32_t>(static_cast<uint32_t>(n));
    }
    out_->append(s);
  }

  void Bin(std::string_view b) {
    size_t n = b.size();
    if (n <= 0xff) {
      Byte(0xc4), Byte(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
      Byte(0xc5), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(0xc6), Be<uint32_t>(static_cast<uint32_t>(n));
    }
    out_->append(b);
  }

  void ArrayHeader(size_t n) { Header(n, 0x90, 0xdc, 0xdd); }
  void MapHeader(size_t n) { Header(n, 0x80, 0xde, 0xdf); }
  /// A struct's map header: like msgspec, the header's width follows the number of fields the
  /// type declares (`declared`), not the number written after omitting defaults.
  void StructHeader(size_t n, size_t declared) {
    if (declared < 16) {
      Byte(static_cast<uint8_t>(0x80 | n));
    } else if (declared <= 0xffff) {
      Byte(0xde), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(0xdf), Be<uint32_t>(static_cast<uint32_t>(n));
    }
  }

 private:
  void Header(size_t n, uint8_t fix, uint8_t b16, uint8_t b32) {
    if (n < 16) {
      Byte(static_cast<uint8_t>(fix | n));
    } else if (n <= 0xffff) {
      Byte(b16), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(b32), Be<uint32_t>(static_cast<uint32_t>(n));
    }
  }
  void Byte(uint8_t b) { out_->push_back(static_cast<char>(b)); }
  template <typename U>
  void Be(U v) {
    if constexpr (std::endian::native == std::endian::little) v = ByteSwap(v);
    char buf[sizeof(U)];
    std::memcpy(buf, &v, sizeof(U));
    out_->append(buf, sizeof(U));
  }
  template <typename U>
  static U ByteSwap(U v) {
    if constexpr (sizeof(U) == 2) return static_cast<U>(__builtin_bswap16(v));
    if constexpr (sizeof(U) == 4) return static_cast<U>(__builtin_bswap32(v));
    if constexpr (sizeof(U) == 8) return static_cast<U>(__builtin_bswap64(v));
  }

  std::string* out_;
};

}  // namespace anatomy::serde
