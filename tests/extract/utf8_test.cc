#include "anatomy/extract/utf8.h"

#include <arrow/util/utf8.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace anatomy::extract {
namespace {

// Held against Arrow's own validator: a string is valid exactly when no offset is returned,
// and the bytes before the returned offset are valid while those up to the next lead byte are
// not. Strings are long ASCII runs (the word-at-a-time path) with a few other bytes put
// anywhere, at every position relative to an 8-byte word.
TEST(FirstInvalidUtf8, AgreesWithArrowsValidator) {
  arrow::util::InitializeUTF8();
  const std::string pieces[] = {"\xC3\xA9",
                                "\xE2\x82\xAC",
                                "\xF0\x9F\x98\x80",  // valid
                                "\xFF",
                                "\xC3",
                                "\xE0\x80\x80",
                                "\xED\xA0\x80",  // ill-formed
                                "\xF4\x90\x80\x80",
                                "\x80",
                                "\xC0\xAF"};
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    std::string s(std::uniform_int_distribution<int>(0, 40)(rng), 'a');
    for (int k = std::uniform_int_distribution<int>(0, 3)(rng); k > 0; --k) {
      const auto& piece = pieces[std::uniform_int_distribution<size_t>(0, 9)(rng)];
      s.insert(std::uniform_int_distribution<size_t>(0, s.size())(rng), piece);
    }
    const auto* bytes = reinterpret_cast<const uint8_t*>(s.data());
    const int64_t bad = FirstInvalidUtf8(s);
    ASSERT_EQ(bad < 0, arrow::util::ValidateUTF8(bytes, static_cast<int64_t>(s.size())))
        << "round " << round;
    if (bad >= 0) {
      ASSERT_TRUE(arrow::util::ValidateUTF8(bytes, bad)) << "round " << round;
      ASSERT_EQ(SanitizeUtf8(s).find('\xFF'), std::string::npos);
      ASSERT_TRUE(arrow::util::ValidateUTF8(SanitizeUtf8(s)));
    }
  }
}

TEST(FirstInvalidUtf8, NamesTheOffsetPastLongAsciiRuns) {
  EXPECT_EQ(FirstInvalidUtf8(std::string(8, 'x')), -1);
  EXPECT_EQ(FirstInvalidUtf8(std::string(8, 'x') + "\xFF"), 8);
  EXPECT_EQ(FirstInvalidUtf8(std::string(13, 'x') + "\xC3\xA9" + std::string(20, 'y') + "\x80"),
            35);
  EXPECT_EQ(FirstInvalidUtf8(std::string(7, 'x') + "\xE2\x82"), 7);  // cut short at the end
}

}  // namespace
}  // namespace anatomy::extract
