#include "anatomy/extract/utf8.h"

#include <iconv.h>
#include <utf8proc.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace anatomy::extract {

int64_t FirstInvalidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size(), i = 0;
  while (i < n) {
    // ASCII, eight bytes at a time: source text and ids are nearly all of it.
    for (uint64_t word; i + 8 <= n; i += 8) {
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
    }
    if (i == n) break;
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + len > n) return static_cast<int64_t>(i);
    if (p[i + 1] < lo || p[i + 1] > hi) return static_cast<int64_t>(i);
    for (size_t k = 2; k < len; ++k) {
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return static_cast<int64_t>(i);
    }
    i += len;
  }
  return -1;
}

std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  while (!s.empty()) {
    int64_t bad = FirstInvalidUtf8(s);
    if (bad < 0) {
      out.append(s);
      break;
    }
    out.append(s.substr(0, static_cast<size_t>(bad)));
    out.append("\xEF\xBF\xBD");
    s.remove_prefix(static_cast<size_t>(bad) + 1);
  }
  return out;
}

bool TranscodeToUtf8(const std::string& encoding, std::string_view in, std::string& out,
                     std::string& error, int64_t& error_offset) {
  error_offset = 0;
  iconv_t cd = iconv_open("UTF-8", encoding.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    error = "unknown source encoding '" + encoding + "'";
    return false;
  }
  out.assign(in.size() * 2 + 16, '\0');
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  bool ok = true;
  while (src_left > 0) {
    if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) {
      size_t used = out.size() - dst_left;
      out.resize(out.size() * 2);
      dst = out.data() + used;
      dst_left = out.size() - used;
      continue;
    }
    ok = false;
    error_offset = static_cast<int64_t>(in.size() - src_left);
    error =
        "bytes not valid in encoding '" + encoding + "' at offset " + std::to_string(error_offset);
    break;
  }
  out.resize(out.size() - dst_left);
  iconv_close(cd);
  return ok;
}

std::string NormalizeIdentifier(std::string_view name) {
  if (std::all_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    return std::string(name);
  }
  // utf8proc_NFKC needs a NUL-terminated string and returns a malloc'ed one (or null).
  std::string input(name);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> normalized(
      utf8proc_NFKC(reinterpret_cast<const utf8proc_uint8_t*>(input.c_str())), &std::free);
  if (!normalized) return input;
  return std::string(reinterpret_cast<const char*>(normalized.get()));
}

}  // namespace anatomy::extract
