#include "anatomy/core/hash.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>

namespace anatomy::core {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kUnitSeparator = '\x1f';
constexpr std::string_view kNullPart = "__NULL__";

// Writes the lowercase hex of `bytes` at `out`; returns the end of what it wrote.
char* WriteHex(const unsigned char* bytes, size_t n, char* out) {
  for (size_t i = 0; i < n; ++i) {
    *out++ = kHexDigits[bytes[i] >> 4];
    *out++ = kHexDigits[bytes[i] & 0xF];
  }
  return out;
}

void EnsureSodium() {
  // sodium_init is thread-safe and idempotent; it returns 1 when already initialised.
  static const int rc = sodium_init();
  if (rc < 0) std::abort();
}

// BLAKE2b of `bytes` with an `n`-byte digest. libsodium's generichash is BLAKE2b; outlen goes
// into the parameter block, so a 16-byte digest is BLAKE2b-128 proper, not a truncated
// BLAKE2b-512.
void Blake2b(std::string_view bytes, unsigned char* digest, size_t n) {
  EnsureSodium();
  crypto_generichash(digest, n, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out(bytes.size() * 2, '0');
  WriteHex(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), out.data());
  return out;
}

std::string Sha256Hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  // EVP_Digest is a one-shot that cannot fail for sha256 on in-memory input.
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &len, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), len));
}

std::string Blake2bHex(std::string_view bytes, size_t digest_bytes) {
  std::array<unsigned char, crypto_generichash_BYTES_MAX> digest{};
  if (digest_bytes < 1 || digest_bytes > digest.size()) std::abort();
  Blake2b(bytes, digest.data(), digest_bytes);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), digest_bytes));
}

void StableIdInto(std::string_view prefix, std::span<const IdPart> parts, std::string& joined,
                  std::string& out) {
  joined.clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) joined.push_back(kUnitSeparator);
    joined.append(parts[i].has_value() ? *parts[i] : kNullPart);
  }
  constexpr size_t kDigestBytes = 16;
  std::array<unsigned char, kDigestBytes> digest{};
  Blake2b(joined, digest.data(), digest.size());
  out.resize(prefix.size() + 1 + 2 * kDigestBytes);
  char* p = out.data();
  p = std::copy(prefix.begin(), prefix.end(), p);
  *p++ = ':';
  WriteHex(digest.data(), digest.size(), p);
}

std::string StableId(std::string_view prefix, std::span<const IdPart> parts) {
  std::string joined, id;
  StableIdInto(prefix, parts, joined, id);
  return id;
}

std::string StableId(std::string_view prefix, std::initializer_list<IdPart> parts) {
  return StableId(prefix, std::span<const IdPart>(parts.begin(), parts.size()));
}

}  // namespace anatomy::core
