#include "anatomy/delta/deletion_vector.h"

#include <arrow/buffer.h>
#include <arrow/util/crc32.h>

#include <algorithm>
#include <cstring>

#include "anatomy/delta/data_writer.h"

namespace anatomy::delta {

namespace {

constexpr char kZ85Chars[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kMagic = 1681511377;
constexpr uint32_t kSerialCookieNoRun = 12346;
constexpr uint32_t kSerialCookie = 12347;

/// Bounds-checked little-endian reader.
class Cursor {
 public:
  Cursor(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  Result<uint64_t> Le(int bytes) {
    if (pos_ + bytes > data_.size()) {
      return Status::Invalid(what_, ": truncated at offset ", pos_, " (need ", bytes, " bytes)");
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += bytes;
    return v;
  }
  Status Seek(size_t pos) {
    if (pos > data_.size()) return Status::Invalid(what_, ": offset ", pos, " past the end");
    pos_ = pos;
    return Status::OK();
  }
  size_t pos() const { return pos_; }
  const std::string& what() const { return what_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  std::string what_;
};

/// One 32-bit Roaring bitmap in the portable format (RoaringFormatSpec); values get `high` << 32.
Status DecodeRoaring32(Cursor& c, uint64_t high, std::vector<uint64_t>* out) {
  size_t start = c.pos();
  ARROW_ASSIGN_OR_RAISE(uint64_t cookie, c.Le(4));
  uint32_t size = 0;
  std::vector<uint8_t> run_flags;
  bool has_offsets = true;
  if ((cookie & 0xFFFF) == kSerialCookie) {
    size = static_cast<uint32_t>(cookie >> 16) + 1;
    run_flags.resize((size + 7) / 8);
    for (auto& b : run_flags) {
      ARROW_ASSIGN_OR_RAISE(uint64_t v, c.Le(1));
      b = static_cast<uint8_t>(v);
    }
    has_offsets = size >= 4;
  } else if (cookie == kSerialCookieNoRun) {
    ARROW_ASSIGN_OR_RAISE(uint64_t n, c.Le(4));
    size = static_cast<uint32_t>(n);
  } else {
    return Status::Invalid(c.what(), ": bad Roaring cookie ", cookie, " at offset ", start);
  }
  if (size > 65536) return Status::Invalid(c.what(), ": ", size, " containers exceed 65536");
  std::vector<uint16_t> keys(size);
  std::vector<uint32_t> cards(size);
  for (uint32_t i = 0; i < size; ++i) {
    ARROW_ASSIGN_OR_RAISE(uint64_t k, c.Le(2));
    ARROW_ASSIGN_OR_RAISE(uint64_t card, c.Le(2));
    keys[i] = static_cast<uint16_t>(k);
    cards[i] = static_cast<uint32_t>(card) + 1;
  }
  if (has_offsets) {
    for (uint32_t i = 0; i < size; ++i)
      ARROW_RETURN_NOT_OK(c.Le(4).status());  // offsets: sequential anyway
  }
  for (uint32_t i = 0; i < size; ++i) {
    uint64_t base = (high << 32) | (static_cast<uint64_t>(keys[i]) << 16);
    bool is_run = !run_flags.empty() && (run_flags[i / 8] >> (i % 8)) & 1;
    if (is_run) {
      ARROW_ASSIGN_OR_RAISE(uint64_t runs, c.Le(2));
      for (uint64_t r = 0; r < runs; ++r) {
        ARROW_ASSIGN_OR_RAISE(uint64_t s, c.Le(2));
        ARROW_ASSIGN_OR_RAISE(uint64_t len, c.Le(2));
        if (s + len > 0xFFFF) return Status::Invalid(c.what(), ": run past the container end");
        for (uint64_t v = s; v <= s + len; ++v) out->push_back(base | v);
      }
    } else if (cards[i] <= 4096) {
      for (uint32_t j = 0; j < cards[i]; ++j) {
        ARROW_ASSIGN_OR_RAISE(uint64_t v, c.Le(2));
        out->push_back(base | v);
      }
    } else {
      for (uint64_t w = 0; w < 1024; ++w) {
        ARROW_ASSIGN_OR_RAISE(uint64_t word, c.Le(8));
        while (word) {
          int bit = __builtin_ctzll(word);
          out->push_back(base | (w * 64 + bit));
          word &= word - 1;
        }
      }
    }
  }
  return Status::OK();
}

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

}  // namespace

Result<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0)
    return Status::Invalid("Z85 text length ", text.size(), " is not a multiple of 5");
  int8_t table[256];
  std::memset(table, -1, sizeof(table));
  for (int i = 0; i < 85; ++i) table[static_cast<uint8_t>(kZ85Chars[i])] = static_cast<int8_t>(i);
  std::string out;
  out.reserve(text.size() / 5 * 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    uint64_t v = 0;
    for (size_t j = 0; j < 5; ++j) {
      int8_t d = table[static_cast<uint8_t>(text[i + j])];
      if (d < 0) return Status::Invalid("invalid Z85 character at offset ", i + j);
      v = v * 85 + static_cast<uint64_t>(d);
    }
    if (v > 0xFFFFFFFFull) return Status::Invalid("Z85 group at offset ", i, " overflows");
    for (int k = 3; k >= 0; --k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  }
  return out;
}

Result<std::string> Z85Encode(std::string_view bytes) {
  if (bytes.size() % 4 != 0)
    return Status::Invalid("Z85 input length ", bytes.size(), " is not a multiple of 4");
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 4) {
    uint64_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<uint8_t>(bytes[i + k]);
    char buf[5];
    for (int k = 4; k >= 0; --k) {
      buf[k] = kZ85Chars[v % 85];
      v /= 85;
    }
    out.append(buf, 5);
  }
  return out;
}

Result<std::vector<uint64_t>> DecodeRoaringBitmapArray(std::string_view bytes) {
  Cursor c(bytes, "deletion vector bitmap");
  ARROW_ASSIGN_OR_RAISE(uint64_t magic, c.Le(4));
  if (magic != kMagic) return Status::Invalid("deletion vector bitmap: bad magic number ", magic);
  ARROW_ASSIGN_OR_RAISE(uint64_t buckets, c.Le(8));
  if (buckets > bytes.size())
    return Status::Invalid("deletion vector bitmap: ", buckets, " buckets in ", bytes.size(),
                           " bytes");
  std::vector<uint64_t> out;
  for (uint64_t b = 0; b < buckets; ++b) {
    ARROW_ASSIGN_OR_RAISE(uint64_t key, c.Le(4));
    ARROW_RETURN_NOT_OK(DecodeRoaring32(c, key, &out));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string EncodeRoaringBitmapArray(const std::vector<uint64_t>& rows) {
  // Group by high 32 bits, then by 16-bit container key.
  std::string out;
  PutLe(&out, kMagic, 4);
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> buckets;
  for (uint64_t r : rows) {
    uint32_t hi = static_cast<uint32_t>(r >> 32);
    if (buckets.empty() || buckets.back().first != hi) buckets.push_back({hi, {}});
    buckets.back().second.push_back(static_cast<uint32_t>(r));
  }
  PutLe(&out, buckets.size(), 8);
  for (const auto& [hi, values] : buckets) {
    PutLe(&out, hi, 4);
    std::vector<std::pair<uint16_t, std::vector<uint16_t>>> containers;
    for (uint32_t v : values) {
      uint16_t key = static_cast<uint16_t>(v >> 16);
      if (containers.empty() || containers.back().first != key) containers.push_back({key, {}});
      containers.back().second.push_back(static_cast<uint16_t>(v));
    }
    PutLe(&out, kSerialCookieNoRun, 4);
    PutLe(&out, containers.size(), 4);
    for (const auto& [key, vals] : containers) {
      PutLe(&out, key, 2);
      PutLe(&out, vals.size() - 1, 2);
    }
    uint32_t offset = 8 + 8 * static_cast<uint32_t>(containers.size());
    for (const auto& [key, vals] : containers) {
      PutLe(&out, offset, 4);
      offset += vals.size() <= 4096 ? 2 * static_cast<uint32_t>(vals.size()) : 8192;
    }
    for (const auto& [key, vals] : containers) {
      if (vals.size() <= 4096) {
        for (uint16_t v : vals) PutLe(&out, v, 2);
      } else {
        std::vector<uint64_t> words(1024, 0);
        for (uint16_t v : vals) words[v / 64] |= 1ull << (v % 64);
        for (uint64_t w : words) PutLe(&out, w, 8);
      }
    }
  }
  return out;
}

Result<std::string> DeletionVectorRelativePath(const DeletionVectorDescriptor& dv) {
  const std::string& p = dv.path_or_inline_dv;
  if (p.size() < 20)
    return Status::Invalid("deletion vector '", p, "': path shorter than a Z85 UUID");
  std::string prefix = p.substr(0, p.size() - 20);
  ARROW_ASSIGN_OR_RAISE(auto uuid, Z85Decode(std::string_view(p).substr(p.size() - 20)));
  static const char* kHex = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < uuid.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    auto b = static_cast<uint8_t>(uuid[i]);
    text.push_back(kHex[b >> 4]);
    text.push_back(kHex[b & 15]);
  }
  if (prefix.find("..") != std::string::npos || (!prefix.empty() && prefix[0] == '/')) {
    return Status::Invalid("deletion vector '", p, "': prefix escapes the table root");
  }
  return (prefix.empty() ? "" : prefix + "/") + "deletion_vector_" + text + ".bin";
}

Result<std::vector<uint64_t>> LoadDeletionVector(Storage& storage,
                                                 const DeletionVectorDescriptor& dv) {
  if (dv.storage_type == "i") {
    ARROW_ASSIGN_OR_RAISE(auto bytes, Z85Decode(dv.path_or_inline_dv));
    if (dv.size_in_bytes < 0 || static_cast<size_t>(dv.size_in_bytes) > bytes.size()) {
      return Status::Invalid("inline deletion vector: sizeInBytes ", dv.size_in_bytes,
                             " exceeds its data");
    }
    bytes.resize(static_cast<size_t>(dv.size_in_bytes));
    return DecodeRoaringBitmapArray(bytes);
  }
  std::string path;
  if (dv.storage_type == "u") {
    ARROW_ASSIGN_OR_RAISE(path, DeletionVectorRelativePath(dv));
  } else if (dv.storage_type == "p") {
    ARROW_ASSIGN_OR_RAISE(path, ResolveLogPath(storage, dv.path_or_inline_dv, "deletion vector"));
  } else {
    return Status::Invalid("deletion vector: unknown storageType '", dv.storage_type, "'");
  }
  ARROW_ASSIGN_OR_RAISE(auto buf, storage.Read(path));
  std::string_view data(reinterpret_cast<const char*>(buf->data()),
                        static_cast<size_t>(buf->size()));
  int64_t offset = dv.offset.value_or(1);
  if (data.empty() || data[0] != 1)
    return Status::Invalid(path, ": unsupported deletion vector file version");
  if (offset < 1 || static_cast<size_t>(offset) + 4 > data.size()) {
    return Status::Invalid(path, ": deletion vector offset ", offset, " out of range");
  }
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data[at + i]);
    return v;
  };
  uint32_t size = be32(static_cast<size_t>(offset));
  if (static_cast<int64_t>(size) != dv.size_in_bytes) {
    return Status::Invalid(path, ": deletion vector at offset ", offset, " has size ", size,
                           ", log says ", dv.size_in_bytes);
  }
  size_t begin = static_cast<size_t>(offset) + 4;
  if (begin + size + 4 > data.size()) return Status::Invalid(path, ": deletion vector truncated");
  std::string_view bitmap = data.substr(begin, size);
  uint32_t crc = arrow::internal::crc32(0, bitmap.data(), bitmap.size());
  if (crc != be32(begin + size))
    return Status::Invalid(path, ": deletion vector checksum mismatch");
  auto rows = DecodeRoaringBitmapArray(bitmap);
  if (!rows.ok()) return Status::Invalid(path, ": ", rows.status().message());
  return rows;
}

Result<std::vector<DeletionVectorDescriptor>> WriteDeletionVectors(
    Storage& storage, const std::vector<std::vector<uint64_t>>& vectors) {
  std::string hex = NewUuid();  // a fresh UUID's 16 bytes name the file
  std::erase(hex, '-');
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>((nibble(hex[i]) << 4) | nibble(hex[i + 1])));
  }
  DeletionVectorDescriptor named;
  named.storage_type = "u";
  ARROW_ASSIGN_OR_RAISE(named.path_or_inline_dv, Z85Encode(bytes));
  ARROW_ASSIGN_OR_RAISE(auto path, DeletionVectorRelativePath(named));
  auto put_be32 = [](std::string* out, uint32_t v) {
    for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  };
  std::string file(1, '\1');  // format version 1, then per DV: size, bitmap, CRC-32
  std::vector<DeletionVectorDescriptor> out;
  for (const auto& rows : vectors) {
    const std::string bitmap = EncodeRoaringBitmapArray(rows);
    DeletionVectorDescriptor dv = named;
    dv.offset = static_cast<int32_t>(file.size());
    dv.size_in_bytes = static_cast<int32_t>(bitmap.size());
    dv.cardinality = static_cast<int64_t>(rows.size());
    put_be32(&file, static_cast<uint32_t>(bitmap.size()));
    file += bitmap;
    put_be32(&file, arrow::internal::crc32(0, bitmap.data(), bitmap.size()));
    out.push_back(std::move(dv));
  }
  ARROW_RETURN_NOT_OK(storage.PutIfAbsent(path, file));
  return out;
}

}  // namespace anatomy::delta
