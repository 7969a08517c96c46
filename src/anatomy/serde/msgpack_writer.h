#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace anatomy::serde {

/// \brief Appends msgpack to a string in the canonical form msgspec writes: the smallest
/// integer, string, bin, array and map encodings, and float64 for every double.
/// Writes straight into the string's buffer (grown geometrically, trimmed on destruction):
/// per-byte std::string::push_back/append calls dominated encoding time.
class MsgpackWriter {
 public:
  explicit MsgpackWriter(std::string* out) : out_(out), pos_(out->size()) {}
  ~MsgpackWriter() { out_->resize(pos_); }
  MsgpackWriter(const MsgpackWriter&) = delete;
  MsgpackWriter& operator=(const MsgpackWriter&) = delete;

  void Nil() {
    Ensure(1);
    Byte(0xc0);
  }
  void Bool(bool v) {
    Ensure(1);
    Byte(v ? 0xc3 : 0xc2);
  }

  void Int(int64_t v) {
    Ensure(9);
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

  void Double(double v) {
    Ensure(9);
    Byte(0xcb), Be<uint64_t>(std::bit_cast<uint64_t>(v));
  }

  void Str(std::string_view s) {
    size_t n = s.size();
    Ensure(n + 5);
    if (n < 32) {
      Byte(static_cast<uint8_t>(0xa0 | n));
    } else if (n <= 0xff) {
      Byte(0xd9), Byte(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
      Byte(0xda), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(0xdb), Be<uint32_t>(static_cast<uint32_t>(n));
    }
    Raw(s);
  }

  /// A struct field name: inlined so that, with the name a compile-time constant, the header
  /// folds away and the copy becomes a few moves.
  [[gnu::always_inline]] void Key(std::string_view name) {
    if (name.size() < 32) {
      Ensure(name.size() + 1);
      Byte(static_cast<uint8_t>(0xa0 | name.size()));
      Raw(name);
    } else {
      Str(name);
    }
  }

  void Bin(std::string_view b) {
    size_t n = b.size();
    Ensure(n + 5);
    if (n <= 0xff) {
      Byte(0xc4), Byte(static_cast<uint8_t>(n));
    } else if (n <= 0xffff) {
      Byte(0xc5), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(0xc6), Be<uint32_t>(static_cast<uint32_t>(n));
    }
    Raw(b);
  }

  void ArrayHeader(size_t n) { Header(n, 0x90, 0xdc, 0xdd); }
  void MapHeader(size_t n) { Header(n, 0x80, 0xde, 0xdf); }
  /// A struct's map header: like msgspec, the header's width follows the number of fields the
  /// type declares (`declared`), not the number written after omitting defaults.
  void StructHeader(size_t n, size_t declared) {
    Ensure(5);
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
    Ensure(5);
    if (n < 16) {
      Byte(static_cast<uint8_t>(fix | n));
    } else if (n <= 0xffff) {
      Byte(b16), Be<uint16_t>(static_cast<uint16_t>(n));
    } else {
      Byte(b32), Be<uint32_t>(static_cast<uint32_t>(n));
    }
  }
  /// Room for n more bytes; every write below assumes its Ensure.
  void Ensure(size_t n) {
    if (out_->size() - pos_ < n) [[unlikely]] {
      out_->resize(std::max(out_->size() * 2, pos_ + n + 256));
    }
  }
  void Byte(uint8_t b) { (*out_)[pos_++] = static_cast<char>(b); }
  void Raw(std::string_view s) {
    if (!s.empty()) std::memcpy(out_->data() + pos_, s.data(), s.size());
    pos_ += s.size();
  }
  template <typename U>
  void Be(U v) {
    if constexpr (std::endian::native == std::endian::little) v = ByteSwap(v);
    std::memcpy(out_->data() + pos_, &v, sizeof(U));
    pos_ += sizeof(U);
  }
  template <typename U>
  static U ByteSwap(U v) {
    if constexpr (sizeof(U) == 2) return static_cast<U>(__builtin_bswap16(v));
    if constexpr (sizeof(U) == 4) return static_cast<U>(__builtin_bswap32(v));
    if constexpr (sizeof(U) == 8) return static_cast<U>(__builtin_bswap64(v));
  }

  std::string* out_;
  size_t pos_;
};

}  // namespace anatomy::serde
