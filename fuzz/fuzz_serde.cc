// libFuzzer target: msgpack and JSON decoding of every registered contract type.
// Byte 0 selects the type (byte / 2, modulo the number of types, in registry order) and the
// format (even: msgpack, odd: JSON); the rest is the encoded value. Whatever decodes must
// re-encode to a fixed point and agree across formats; anything else aborts.
// `fuzz_serde --write-seeds DIR` writes one seed per type and format (the goldens' samples).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>

#include "anatomy/artifacts/registry.h"
#include "seeds.h"

namespace {

using anatomy::serde::Format;

[[noreturn]] void Fail(const std::string& type, const char* what) {
  std::fprintf(stderr, "fuzz_serde: %s: %s\n", type.c_str(), what);
  std::abort();
}

void WriteSeed(const std::string& path, char selector, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << selector << bytes;
}

void WriteSeeds(const std::string& dir) {
  const auto& types = anatomy::artifacts::ArtifactRegistry().types();
  for (size_t i = 0; i < types.size(); ++i) {
    std::string base = dir + "/" + types[i].name;
    for (auto [suffix, mp] : {std::pair{"", types[i].sample_msgpack()},
                              std::pair{".minimal", types[i].minimal_msgpack()}}) {
      auto json = types[i].reencode(mp, Format::kMsgpack, Format::kJson);
      WriteSeed(base + suffix + ".msgpack", static_cast<char>(2 * i), mp);
      WriteSeed(base + suffix + ".json", static_cast<char>(2 * i + 1), *json);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  anatomy::fuzz::HandleWriteSeeds(argc, argv, WriteSeeds);
  (void)anatomy::artifacts::ArtifactRegistry();  // build once, outside the timed runs
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& types = anatomy::artifacts::ArtifactRegistry().types();
  const auto& type = types[(data[0] / 2) % types.size()];
  Format format = data[0] % 2 == 0 ? Format::kMsgpack : Format::kJson;
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

  auto first = type.reencode(input, format, format);
  if (!first.ok()) return 0;  // rejected with an error: fine
  auto second = type.reencode(*first, format, format);
  if (!second.ok()) Fail(type.name, "own encoding does not decode");
  if (*second != *first) Fail(type.name, "re-encoding is not a fixed point");

  // The same value through the other format gives the same canonical msgpack.
  auto msgpack = type.reencode(input, format, Format::kMsgpack);
  if (!msgpack.ok()) Fail(type.name, "decoded value does not encode to msgpack");
  auto json = type.reencode(*msgpack, Format::kMsgpack, Format::kJson);
  if (!json.ok()) Fail(type.name, "canonical msgpack does not decode");
  auto back = type.reencode(*json, Format::kJson, Format::kMsgpack);
  if (!back.ok()) Fail(type.name, "JSON encoding does not decode");
  if (*back != *msgpack) Fail(type.name, "msgpack and JSON disagree");
  if (!type.check_round_trip(*msgpack).ok()) Fail(type.name, "typed round trip differs");
  return 0;
}
