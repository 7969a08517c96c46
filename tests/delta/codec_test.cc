// Z85, RoaringBitmapArray, filter parsing, partition values, Hive escaping.

#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/values.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

TEST(Z85Test, RoundTripsAndMatchesTheSpecExample) {
  // ZeroMQ RFC 32 test vector: 0x86 0x4F 0xD2 0x6F 0xB5 0x59 0xF7 0x5B → "HelloWorld".
  std::string bytes("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8);
  ASSERT_OK_AND_ASSIGN(text, Z85Encode(bytes));
  EXPECT_EQ(text, "HelloWorld");
  ASSERT_OK_AND_ASSIGN(back, Z85Decode(text));
  EXPECT_EQ(back, bytes);
  EXPECT_FALSE(Z85Decode("abcd").ok());
  EXPECT_FALSE(Z85Decode("abc\"d").ok());
}

TEST(RoaringTest, RoundTripsArrayAndBitmapContainersAcrossBuckets) {
  std::vector<uint64_t> rows = {0, 1, 9, 65535, 65536, (1ull << 32) + 7};
  for (uint64_t i = 100000; i < 110000; ++i) rows.push_back(i);  // > 4096 in one container: bitmap
  std::sort(rows.begin(), rows.end());
  auto enc = EncodeRoaringBitmapArray(rows);
  ASSERT_OK_AND_ASSIGN(dec, DecodeRoaringBitmapArray(enc));
  EXPECT_EQ(dec, rows);
}

TEST(RoaringTest, DecodesTheProtocolsExampleBytes) {
  // Bytes of a DV file written by Databricks (table-with-dv-small): rows 0 and 9 deleted.
  const unsigned char raw[] = {0xd1, 0xd3, 0x39, 0x64, 1,    0,    0, 0, 0, 0, 0, 0,
                               0,    0,    0,    0,    0x3a, 0x30, 0, 0, 1, 0, 0, 0,
                               0,    0,    1,    0,    0x10, 0,    0, 0, 0, 0, 9, 0};
  ASSERT_OK_AND_ASSIGN(
      rows, DecodeRoaringBitmapArray(std::string(reinterpret_cast<const char*>(raw), sizeof(raw))));
  EXPECT_EQ(rows, (std::vector<uint64_t>{0, 9}));
}

TEST(RoaringTest, TruncatedOrBadInputIsAnErrorNotACrash) {
  auto enc = EncodeRoaringBitmapArray({1, 2, 3, 70000});
  for (size_t n = 0; n < enc.size(); ++n)
    EXPECT_FALSE(DecodeRoaringBitmapArray(enc.substr(0, n)).ok()) << n;
  std::string bad = enc;
  bad[0] = 0;
  EXPECT_FALSE(DecodeRoaringBitmapArray(bad).ok());
}

TEST(FilterTest, ParsesTheCliGrammar) {
  ASSERT_OK_AND_ASSIGN(
      f, ParseFilter("letter = 'a' AND number > 3 and x IN (1, 2,3) AND y IS NOT NULL AND "
                     "\"odd col\" <= 'it''s' AND z is null AND w != 5 AND v >= -1.5"));
  ASSERT_EQ(f.size(), 8u);
  EXPECT_EQ(f[0].column, "letter");
  EXPECT_EQ(f[0].op, PredicateOp::kEq);
  EXPECT_EQ(f[0].values, std::vector<std::string>{"a"});
  EXPECT_EQ(f[1].op, PredicateOp::kGt);
  EXPECT_EQ(f[2].op, PredicateOp::kIn);
  EXPECT_EQ(f[2].values, (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(f[3].op, PredicateOp::kIsNotNull);
  EXPECT_EQ(f[4].column, "odd col");
  EXPECT_EQ(f[4].values[0], "it's");
  EXPECT_EQ(f[5].op, PredicateOp::kIsNull);
  EXPECT_EQ(f[6].op, PredicateOp::kNe);
  EXPECT_EQ(f[7].values[0], "-1.5");
  ASSERT_OK_AND_ASSIGN(empty, ParseFilter("   "));
  EXPECT_TRUE(empty.empty());
  for (const char* bad :
       {"a =", "a ~ 1", "a = 1 OR b = 2", "a IN (1", "'x' = 1 AND", "a = 'open"}) {
    auto r = ParseFilter(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_NE(r.status().message().find("offset"), std::string::npos) << r.status().ToString();
    }
  }
}

TEST(ValuesTest, PartitionValuesParseToDeclaredTypes) {
  ASSERT_OK_AND_ASSIGN(d, ParsePartitionValue(std::string("2021-03-04"), arrow::date32()));
  EXPECT_EQ(d->ToString(), "2021-03-04");
  ASSERT_OK_AND_ASSIGN(ts, ParsePartitionValue(std::string("1970-01-01 00:00:01.5"),
                                               arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  EXPECT_EQ(std::static_pointer_cast<arrow::TimestampScalar>(ts)->value, 1500000);
  ASSERT_OK_AND_ASSIGN(n, ParsePartitionValue(std::nullopt, arrow::int64()));
  EXPECT_FALSE(n->is_valid);
  ASSERT_OK_AND_ASSIGN(e, ParsePartitionValue(std::string(""), arrow::int32()));
  EXPECT_FALSE(e->is_valid);
  EXPECT_FALSE(ParsePartitionValue(std::string("x1"), arrow::int32()).ok());
}

TEST(ValuesTest, DecimalLiteralsAndStatsRescaleExactlyToTheColumnScale) {
  auto dec = arrow::decimal128(10, 2);
  auto unscaled = [](const std::shared_ptr<arrow::Scalar>& s) {
    return static_cast<const arrow::Decimal128Scalar&>(*s).value.ToIntegerString();
  };
  ASSERT_OK_AND_ASSIGN(ten, ParseValueText("10", dec));
  EXPECT_TRUE(ten->type->Equals(*dec));
  EXPECT_EQ(unscaled(ten), "1000");
  ASSERT_OK_AND_ASSIGN(a, ParseValueText("-1.250", dec));  // a trailing zero past the scale
  EXPECT_EQ(unscaled(a), "-125");
  ASSERT_OK_AND_ASSIGN(e, ParseValueText("1E+2", dec));
  EXPECT_EQ(unscaled(e), "10000");
  auto lossy = ParseValueText("1.255", dec);
  ASSERT_FALSE(lossy.ok());
  EXPECT_NE(lossy.status().message().find("decimal places"), std::string::npos);
  EXPECT_FALSE(ParseValueText("123456789.5", dec).ok());  // 11 digits at scale 2
  EXPECT_FALSE(ParseValueText("x", dec).ok());
  // Stats are JSON numbers: integers and (up to 15 digits) fractions are exact bounds.
  ASSERT_OK_AND_ASSIGN(s1, ParseStatsValue("100.01", dec));
  EXPECT_EQ(unscaled(s1), "10001");
  ASSERT_OK_AND_ASSIGN(s2, ParseStatsValue("-3", dec));
  EXPECT_EQ(unscaled(s2), "-300");
  // A fraction of a wider decimal went through a double: not trusted as a bound.
  EXPECT_FALSE(ParseStatsValue("1.5", arrow::decimal128(20, 2)).ok());
  ASSERT_OK_AND_ASSIGN(s3, ParseStatsValue("7", arrow::decimal128(20, 2)));
  EXPECT_EQ(unscaled(s3), "700");
}

TEST(ValuesTest, HiveSegmentsEscapeLikeHive) {
  EXPECT_EQ(HivePartitionSegment("x", std::string("A/A")), "x=A%2FA");
  EXPECT_EQ(HivePartitionSegment("x", std::string("B B")), "x=B B");
  EXPECT_EQ(HivePartitionSegment("x", std::string("a=b%")), "x=a%3Db%25");
  EXPECT_EQ(HivePartitionSegment("x", std::nullopt), "x=__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(UriEncodePath("x=A%2FA/part 1.parquet"), "x=A%252FA/part%201.parquet");
}

}  // namespace
}  // namespace anatomy::delta
