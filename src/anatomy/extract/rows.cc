#include "anatomy/extract/rows.h"

#include <array>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "anatomy/core/hash.h"

namespace anatomy::extract {

namespace {

// Words are appended under the mutex and published by the count, so readers scan without it.
struct OccurrenceWords {
  // The words the analyzer uses, most frequent first (a lookup scans from the start).
  OccurrenceWords() {
    int known = 0;
    for (const char* w :
         {"use", "load", "def", "store", "param", "import", "decl", "global", "nonlocal", "del",
          "capture", "walrus", "annotated", "type_param", "type_alias", "except_unbind"}) {
      words[known++] = w;
    }
    count.store(known, std::memory_order_release);
  }
  int Find(const char* word, int from, int to) const {
    for (int i = from; i < to; ++i) {
      if (std::strcmp(words[i], word) == 0) return i;
    }
    return -1;
  }
  std::array<const char*, 256> words{};
  std::atomic<int> count{0};
  std::mutex mu;
};

OccurrenceWords& Words() {
  static OccurrenceWords words;
  return words;
}

}  // namespace

const char* ReboundName(DefinitionRow::Rebound r) {
  switch (r) {
    case DefinitionRow::Rebound::kSite:
      return "binding";
    case DefinitionRow::Rebound::kStar:
      return "star_import";
    case DefinitionRow::Rebound::kNo:
      break;
  }
  return "no";
}

std::string JoinDots(const std::vector<std::string>& parts) {
  std::string dotted;
  for (const auto& part : parts) dotted += (dotted.empty() ? "" : ".") + part;
  return dotted;
}

std::vector<std::string> SplitDots(std::string_view dotted) {
  std::vector<std::string> parts;
  for (size_t pos = 0;;) {
    const size_t dot = dotted.find('.', pos);
    parts.emplace_back(dotted.substr(pos, dot == std::string_view::npos ? dotted.npos : dot - pos));
    if (dot == std::string_view::npos) return parts;
    pos = dot + 1;
  }
}

uint8_t OccurrenceWordCode(const char* word) {
  OccurrenceWords& w = Words();
  const int seen = w.count.load(std::memory_order_acquire);
  if (int i = w.Find(word, 0, seen); i >= 0) return static_cast<uint8_t>(i);
  std::lock_guard<std::mutex> lock(w.mu);
  const int now = w.count.load(std::memory_order_relaxed);
  if (int i = w.Find(word, seen, now); i >= 0) return static_cast<uint8_t>(i);
  if (now == static_cast<int>(w.words.size())) {
    // Words are string literals of the analyzer, a few dozen: more is a bug, not input.
    std::fprintf(stderr, "anatomy: more than %zu occurrence words\n", w.words.size());
    std::abort();
  }
  w.words[now] = word;  // a string literal: lives as long as the program
  w.count.store(now + 1, std::memory_order_release);
  return static_cast<uint8_t>(now);
}

const char* OccurrenceWord(uint8_t code) {
  OccurrenceWords& w = Words();
  return code < w.count.load(std::memory_order_acquire) ? w.words[code] : "";
}

std::string OwnedId(std::string_view prefix, const std::string& owner, const std::string& name,
                    uint32_t ordinal) {
  if (ordinal == 0) return core::StableId(prefix, {owner, name});
  return core::StableId(prefix, {owner, name, std::to_string(ordinal)});
}

std::string ParameterId(const std::string& def_id, const ParameterRow& p) {
  return OwnedId("py_param", def_id, p.name, p.ordinal);
}

}  // namespace anatomy::extract
