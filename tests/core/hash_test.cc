#include "anatomy/core/hash.h"

#include <gtest/gtest.h>

#include <vector>

namespace anatomy::core {
namespace {

// FIPS 180-2, Appendix B.
TEST(Sha256, PublishedVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// RFC 7693, Appendix A: BLAKE2b-512("abc").
TEST(Blake2b, Rfc7693Vector) {
  EXPECT_EQ(Blake2bHex("abc", 64),
            "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
            "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
}

// BLAKE2b-128 vectors from CPython's hashlib.blake2b(digest_size=16), an independent
// implementation (the reference code vendored by CPython, not libsodium).
TEST(Blake2b, Blake2b128MatchesHashlib) {
  EXPECT_EQ(Blake2b128Hex(""), "cae66941d9efbd404e4d88758ea67670");
  EXPECT_EQ(Blake2b128Hex("abc"), "cf4ab791c62b8d2b2109c90275287816");
}

TEST(StableId, JoinsPartsWithUnitSeparatorAndMarksNulls) {
  EXPECT_EQ(StableId("node", {"a", "b"}), "node:065ab5741cdfad44687cf119c1eb4ec9");
  EXPECT_EQ(StableId("node", {std::nullopt, "x"}), "node:db717705de7e2dd4459ccac22aacb494");
  // The prefix is not hashed.
  EXPECT_EQ(StableId("edge", {"a", "b"}).substr(5), StableId("node", {"a", "b"}).substr(5));
  // Part boundaries matter.
  EXPECT_NE(StableId("n", {"ab", "c"}), StableId("n", {"a", "bc"}));
}

// The buffers kept from row to row never leak one id into the next: a long id, then shorter
// ones, then a longer prefix, each equal to the hashlib-checked ids above.
TEST(StableId, IntoReusedBuffersGivesTheSameIds) {
  std::string joined, id;
  const std::string long_part(300, 'x');
  const std::vector<std::pair<std::string, std::vector<IdPart>>> cases = {
      {"node", {long_part, "b", std::nullopt}},
      {"node", {"a", "b"}},
      {"node", {std::nullopt, "x"}},
      {"py_binding", {"a", "b"}},
      {"e", {}}};
  for (const auto& [prefix, parts] : cases) {
    StableIdInto(prefix, parts, joined, id);
    EXPECT_EQ(id, StableId(prefix, parts)) << prefix;
  }
  StableIdInto("node", std::vector<IdPart>{"a", "b"}, joined, id);
  EXPECT_EQ(id, "node:065ab5741cdfad44687cf119c1eb4ec9");
}

TEST(HexEncode, Bytes) { EXPECT_EQ(HexEncode(std::string("\x00\xff\x10", 3)), "00ff10"); }

}  // namespace
}  // namespace anatomy::core
