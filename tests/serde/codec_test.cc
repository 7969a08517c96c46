#include <gtest/gtest.h>

#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "anatomy/core/hash.h"
#include "anatomy/serde/api.h"
#include "test_types.h"

namespace anatomy::serde::testing {
namespace {

std::string Hex(std::string_view s) { return core::HexEncode(s); }

// Encode JSON text to msgpack with nlohmann, an encoder independent of ours.
std::string ForeignMsgpack(const std::string& json_text) {
  auto bytes = nlohmann::json::to_msgpack(nlohmann::json::parse(json_text));
  return std::string(bytes.begin(), bytes.end());
}

template <typename T>
std::string ErrorOf(Result<T> r) {
  return r.ok() ? std::string("<ok>") : r.status().message();
}

TEST(Codec, DefaultsAreOmittedAndRequiredFieldsWritten) {
  Outer v{.name = "x"};
  EXPECT_EQ(EncodeJson(v), R"({"name":"x"})");
  // fixmap(1) fixstr(4) "name" fixstr(1) "x"
  EXPECT_EQ(Hex(EncodeMsgpack(v)), "81a46e616d65a178");
  Inner inner;  // required field equal to its default is still written
  EXPECT_EQ(EncodeJson(inner), R"({"delta_version":0})");
}

TEST(Codec, OptionalWithNonNullDefaultWritesNull) {
  Outer v{.name = "x", .size = std::nullopt};
  EXPECT_EQ(EncodeJson(v), R"({"name":"x","size":null})");
  auto back = DecodeMsgpack<Outer>(EncodeMsgpack(v));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, v);
  EXPECT_FALSE(back->size.has_value());
  auto missing = DecodeJson<Outer>(R"({"name":"x"})");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->size, 96);
}

TEST(Codec, FieldsInDeclarationOrderMapKeysSorted) {
  Outer v{.name = "n", .counts = {{"zeta", 1}, {"alpha", 2}, {"Mid", 3}}, .flag = true};
  EXPECT_EQ(EncodeJson(v), R"({"name":"n","counts":{"Mid":3,"alpha":2,"zeta":1},"flag":true})");
  // Our msgpack decodes with nlohmann to the same document as our JSON.
  auto from_msgpack = nlohmann::json::from_msgpack(EncodeMsgpack(v));
  EXPECT_EQ(from_msgpack, nlohmann::json::parse(EncodeJson(v)));
}

TEST(Codec, EqualValuesEncodeToEqualBytes) {
  Outer a = SampleValue<Outer>();
  Outer b = SampleValue<Outer>();
  b.counts.clear();  // rebuild the map in the other insertion order
  for (auto it = a.counts.rbegin(); it != a.counts.rend(); ++it) b.counts.emplace(*it);
  EXPECT_EQ(a, b);
  EXPECT_EQ(EncodeMsgpack(a), EncodeMsgpack(b));
  EXPECT_EQ(EncodeJson(a), EncodeJson(b));
  EXPECT_EQ(Fingerprint(a), core::Sha256Hex(EncodeMsgpack(a)));
  EXPECT_EQ(Fingerprint(a).size(), 64u);
}

TEST(Codec, SampleRoundTripsThroughBothFormats) {
  Outer v = SampleValue<Outer>();
  v.ratio = -1.5e-300;
  v.scan_units.push_back(Inner{.delta_version = INT64_MIN});
  v.scan_units.push_back(Inner{.delta_version = INT64_MAX, .note = "é \"q\"\n\x01"});
  auto m = DecodeMsgpack<Outer>(EncodeMsgpack(v));
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m, v);
  auto j = DecodeJson<Outer>(EncodeJson(v));
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(*j, v);
}

TEST(Codec, MsgpackParsesWithMsgpackCxx) {
  Outer v = SampleValue<Outer>();
  std::string bytes = EncodeMsgpack(v);
  msgpack::object_handle oh = msgpack::unpack(bytes.data(), bytes.size());
  const msgpack::object& obj = oh.get();
  ASSERT_EQ(obj.type, msgpack::type::MAP);
  // Keys come in declaration order.
  std::vector<std::string> keys;
  for (uint32_t i = 0; i < obj.via.map.size; ++i)
    keys.push_back(obj.via.map.ptr[i].key.as<std::string>());
  std::vector<std::string> expected = {"name",  "scan_units", "counts", "size", "mode", "blob",
                                       "ratio", "flag",       "small",  "ref",  "extra"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(obj.via.map.ptr[5].val.type, msgpack::type::BIN);
  EXPECT_EQ(obj.via.map.ptr[6].val.type, msgpack::type::FLOAT64);
}

TEST(Codec, SmallestIntegerEncodings) {
  auto enc = [](int64_t x) { return Hex(EncodeMsgpack(x)); };
  EXPECT_EQ(enc(0), "00");
  EXPECT_EQ(enc(127), "7f");
  EXPECT_EQ(enc(128), "cc80");
  EXPECT_EQ(enc(65535), "cdffff");
  EXPECT_EQ(enc(65536), "ce00010000");
  EXPECT_EQ(enc(int64_t{1} << 32), "cf0000000100000000");
  EXPECT_EQ(enc(-1), "ff");
  EXPECT_EQ(enc(-32), "e0");
  EXPECT_EQ(enc(-33), "d0df");
  EXPECT_EQ(enc(-129), "d1ff7f");
  EXPECT_EQ(enc(INT64_MIN), "d38000000000000000");
  // Non-canonical encodings from other writers decode too.
  EXPECT_EQ(*DecodeMsgpack<int64_t>(std::string("\xd3\0\0\0\0\0\0\0\x05", 9)), 5);
}

TEST(Codec, NestedPathErrors) {
  const std::string bad =
      R"({"name":"x","scan_units":[{"delta_version":1},{"delta_version":2},{"delta_version":3},{"delta_version":"7"}]})";
  const std::string want = "$.scan_units[3].delta_version: expected integer, got string";
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(bad)), want);
  EXPECT_EQ(ErrorOf(DecodeMsgpack<Outer>(ForeignMsgpack(bad))), want);
}

TEST(Codec, MissingRequiredField) {
  const std::string bad = R"({"name":"x","scan_units":[{"note":"n"}]})";
  const std::string want = "$.scan_units[0].delta_version: missing required field";
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(bad)), want);
  EXPECT_EQ(ErrorOf(DecodeMsgpack<Outer>(ForeignMsgpack(bad))), want);
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>("{}")), "$.name: missing required field");
}

TEST(Codec, StrictRejectsUnknownCompatIgnores) {
  const std::string extra = R"({"name":"x","bogus":{"deep":[1,2,{"a":null}]}})";
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(extra)), "$.bogus: unknown field");
  EXPECT_EQ(ErrorOf(DecodeMsgpack<Outer>(ForeignMsgpack(extra))), "$.bogus: unknown field");

  const std::string snap =
      R"({"min_reader_version":3,"future":{"x":[1.5,"s",true,null,{"y":[]}]},"reader_features":["deletionVectors"],"z":-7})";
  auto j = DecodeJson<Snapshot>(snap);
  auto m = DecodeMsgpack<Snapshot>(ForeignMsgpack(snap));
  ASSERT_TRUE(j.ok()) << j.status();
  ASSERT_TRUE(m.ok()) << m.status();
  Snapshot want{.min_reader_version = 3, .reader_features = {"deletionVectors"}};
  EXPECT_EQ(*j, want);
  EXPECT_EQ(*m, want);
}

TEST(Codec, EnumLiteralOutOfRange) {
  const std::string bad = R"({"name":"x","mode":"sometimes"})";
  const std::string want =
      R"($.mode: invalid enum literal "sometimes", expected one of "off", "explicit", "auto")";
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(bad)), want);
  EXPECT_EQ(ErrorOf(DecodeMsgpack<Outer>(ForeignMsgpack(bad))), want);
}

TEST(Codec, OtherErrorsNameThePath) {
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"({"name":"x","small":3000000000})")),
            "$.small: integer out of range [-2147483648, 2147483647]");
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"({"name":"x","counts":{"a":1.5}})")),
            R"($.counts["a"]: expected integer, got float)");
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"({"name":"x","ref":["a"]})")),
            "$.ref: expected array of 2 items, got 1");
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"({"name":"x","blob":"***"})")).substr(0, 7), "$.blob:");
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"([1])")), "$: expected object, got array");
  EXPECT_EQ(ErrorOf(DecodeJson<Outer>(R"({"name":)")).substr(0, 16), "$: invalid JSON:");
  EXPECT_EQ(ErrorOf(DecodeMsgpack<std::string>(std::string("\xa2\xc3\x28", 3))),
            "$: invalid UTF-8 in string");
  EXPECT_EQ(ErrorOf(DecodeMsgpack<double>(std::string("\xcb\x7f\xf8\0\0\0\0\0\0", 9))),
            "$: expected finite number, got nan");
  std::string two = EncodeMsgpack(int64_t{1}) + EncodeMsgpack(int64_t{2});
  EXPECT_EQ(ErrorOf(DecodeMsgpack<int64_t>(two)), "$: trailing bytes after value at byte 1");
}

TEST(Codec, EveryTruncationIsAnErrorNotACrash) {
  std::string bytes = EncodeMsgpack(SampleValue<Outer>());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto r = DecodeMsgpack<Outer>(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(r.ok()) << "prefix " << n;
  }
  // Same for a compat type, whose unknown fields go through Skip.
  std::string snap = ForeignMsgpack(R"({"min_reader_version":3,"x":{"y":[1,"s",2.5,{"z":null}]}})");
  for (size_t n = 0; n < snap.size(); ++n) {
    EXPECT_FALSE(DecodeMsgpack<Snapshot>(std::string_view(snap).substr(0, n)).ok()) << n;
  }
}

TEST(Codec, BytesAreBase64InJson) {
  Outer v{.name = "b", .blob = Bytes{std::string("\0\1\2\xff", 4)}};
  EXPECT_EQ(EncodeJson(v), R"({"name":"b","blob":"AAEC/w=="})");
  auto back = DecodeJson<Outer>(EncodeJson(v));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->blob, v.blob);
}

TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(plain), encoded);
    EXPECT_EQ(*Base64Decode(encoded), plain);
  }
  EXPECT_FALSE(Base64Decode("Zg=").ok());
  EXPECT_FALSE(Base64Decode("Zh==").ok());  // non-canonical trailing bits
}

}  // namespace
}  // namespace anatomy::serde::testing
