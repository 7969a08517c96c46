#include "anatomy/extract/rows.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace anatomy::extract {
namespace {

TEST(OccurrenceWords, CodesNameTheirWords) {
  for (const char* word : {"use", "load", "def", "store", "except_unbind"}) {
    EXPECT_STREQ(OccurrenceWord(OccurrenceWordCode(word)), word);
  }
  // Equal words from different strings share a code.
  const std::string copy = "store";
  EXPECT_EQ(OccurrenceWordCode(copy.c_str()), OccurrenceWordCode("store"));
}

TEST(OccurrenceWords, AWordNotMetBeforeIsAddedOnceAcrossThreads) {
  static const char* const kNew = "a_context_the_analyzer_does_not_have_yet";
  std::vector<uint8_t> codes(8);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < codes.size(); ++i) {
    threads.emplace_back([&codes, i] { codes[i] = OccurrenceWordCode(kNew); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<uint8_t>(codes.begin(), codes.end()).size(), 1u);
  EXPECT_STREQ(OccurrenceWord(codes[0]), kNew);
  EXPECT_NE(codes[0], OccurrenceWordCode("use"));
}

TEST(OccurrenceWords, RowsStaySmall) {
  // A build holds a million occurrences until their batch: one-byte words keep a row at 32 bytes.
  EXPECT_LE(sizeof(OccurrenceRow), 32u);
}

}  // namespace
}  // namespace anatomy::extract
