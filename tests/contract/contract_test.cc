// Contract goldens for every registered type: JSON, msgpack (base64) and JSON Schema of a
// sample value, error messages, the registry export and schema_contract_hash.
// `UPDATE_GOLDENS=1` rewrites the goldens (and the fuzz seed corpus) instead of comparing.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "anatomy/artifacts/registry.h"
#include "anatomy/serde/api.h"

namespace anatomy::artifacts {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using serde::Format;
using serde::TypeEntry;

fs::path SourceDir() {
  const char* env = std::getenv("ANATOMY_SOURCE_DIR");
  return env != nullptr ? fs::path(env) : fs::path(ANATOMY_SOURCE_DIR);
}
fs::path GoldenDir() { return SourceDir() / "tests" / "contract" / "goldens"; }
bool Updating() {
  const char* env = std::getenv("UPDATE_GOLDENS");
  return env != nullptr && std::string(env) == "1";
}

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fs::path& path, const std::string& contents) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

/// Compare `actual` with the golden file, or rewrite it under UPDATE_GOLDENS=1.
void ExpectGolden(const fs::path& path, const std::string& actual) {
  if (Updating()) {
    WriteFile(path, actual);
    return;
  }
  auto expected = ReadFile(path);
  ASSERT_TRUE(expected.has_value())
      << "missing golden " << path << "; run with UPDATE_GOLDENS=1 to create it";
  EXPECT_EQ(*expected, actual) << "golden " << path
                               << " differs; if the change is intended, UPDATE_GOLDENS=1";
}

const serde::SchemaRegistry& Registry() { return ArtifactRegistry(); }

std::string SampleJson(const TypeEntry& e) {
  return *e.reencode(e.sample_msgpack(), Format::kMsgpack, Format::kJson);
}

TEST(Contract, EveryRegisteredTypeHasGoldens) {
  // Also fails for goldens of types no longer registered (a stale contract).
  std::set<std::string> registered;
  for (const auto& e : Registry().types()) registered.insert(e.name);
  std::set<std::string> golden;
  if (fs::exists(GoldenDir() / "types")) {
    for (const auto& f : fs::directory_iterator(GoldenDir() / "types")) {
      std::string name = f.path().filename().string();
      golden.insert(name.substr(0, name.find('.')));
    }
  }
  if (Updating()) return;
  EXPECT_EQ(golden, registered);
  for (const auto& name : registered) {
    for (const char* ext :
         {".json", ".msgpack.b64", ".schema.json", ".minimal.json", ".minimal.msgpack.b64"}) {
      EXPECT_TRUE(fs::exists(GoldenDir() / "types" / (name + ext))) << name << ext;
    }
  }
}

TEST(Contract, RegistersTheContractTypes) {
  for (const char* name : {"DeltaWritePolicy",
                           "ParquetWriterPolicy",
                           "DeltaSchemaPolicy",
                           "DeltaStatsDecision",
                           "DeltaProtocolSnapshot",
                           "DeltaFeatureGate",
                           "DeltaProtocolCompatibility",
                           "DeltaInputPin",
                           "OutputDescriptor",
                           "LineagePayload",
                           "ScanUnitPayload",
                           "PlanDetailsPayload",
                           "ViewSchemaDescribe",
                           "ViewSchemaProvenance",
                           "SchemaAbiPayload",
                           "plan_artifacts_v8",
                           "view_artifacts_v4",
                           "write_artifacts_v2",
                           "run_manifest_v2",
                           "normalize_outputs_v1",
                           "extract_errors_v1",
                           "delta_snapshots_v2",
                           "delta_mutations_v2",
                           "delta_scan_plans_v2",
                           "delta_maintenance_v2"}) {
    EXPECT_NE(Registry().Find(name), nullptr) << name;
  }
  EXPECT_EQ(Registry().Find("DeltaProtocolSnapshot")->strictness, serde::Strictness::kCompat);
  EXPECT_EQ(Registry().Find("plan_artifacts_v8")->version, 8);
}

TEST(Contract, TypeGoldensAndRoundTrips) {
  for (const auto& e : Registry().types()) {
    SCOPED_TRACE(e.name);
    std::string mp = e.sample_msgpack();
    std::string json = SampleJson(e);
    ExpectGolden(GoldenDir() / "types" / (e.name + ".json"), json + "\n");
    ExpectGolden(GoldenDir() / "types" / (e.name + ".msgpack.b64"), serde::Base64Encode(mp) + "\n");
    ExpectGolden(GoldenDir() / "types" / (e.name + ".schema.json"), e.json_schema().dump(2) + "\n");
    // The same for the smallest value (required fields only, defaults omitted).
    std::string min_mp = e.minimal_msgpack();
    ExpectGolden(GoldenDir() / "types" / (e.name + ".minimal.json"),
                 *e.reencode(min_mp, Format::kMsgpack, Format::kJson) + "\n");
    ExpectGolden(GoldenDir() / "types" / (e.name + ".minimal.msgpack.b64"),
                 serde::Base64Encode(min_mp) + "\n");
    // decode(encode(x)) == x through both formats.
    EXPECT_TRUE(e.check_round_trip(mp).ok()) << e.check_round_trip(mp).ToString();
    EXPECT_TRUE(e.check_round_trip(min_mp).ok()) << e.check_round_trip(min_mp).ToString();
    if (Updating()) continue;
    // The committed goldens decode and re-encode to themselves, across formats too.
    std::string b64 = ReadFile(GoldenDir() / "types" / (e.name + ".msgpack.b64")).value_or("");
    while (!b64.empty() && b64.back() == '\n') b64.pop_back();
    auto golden_mp = serde::Base64Decode(b64);
    ASSERT_TRUE(golden_mp.ok()) << golden_mp.status();
    EXPECT_EQ(*e.reencode(*golden_mp, Format::kMsgpack, Format::kMsgpack), *golden_mp);
    EXPECT_EQ(*e.reencode(json, Format::kJson, Format::kMsgpack), *golden_mp);
  }
}

// Error cases built from the sample value, in both formats (the messages must agree).
struct ErrorCase {
  std::string label;
  ordered_json value;
};

std::vector<ErrorCase> ErrorCases(const TypeEntry& e) {
  ordered_json sample = ordered_json::parse(SampleJson(e));
  nlohmann::json def = e.json_schema()["$defs"][e.name];
  std::vector<ErrorCase> cases;
  if (def.contains("required")) {
    ordered_json v = sample;
    v.erase(def["required"][0].get<std::string>());
    cases.push_back({"missing", v});
  }
  {
    ordered_json v = sample;
    v["no_such_field"] = 1;
    cases.push_back({"unknown", v});
  }
  {
    ordered_json v = sample;
    auto& first = v.begin().value();
    first = first.is_string() ? ordered_json(12345) : ordered_json("wrong");
    cases.push_back({"wrong_type", v});
  }
  for (const auto& [name, prop] : def["properties"].items()) {
    bool is_enum =
        prop.contains("enum") || (prop.contains("anyOf") && prop["anyOf"][0].contains("enum"));
    if (is_enum && sample.contains(name)) {
      ordered_json v = sample;
      v[name] = "not_a_literal";
      cases.push_back({"bad_enum", v});
      break;
    }
  }
  return cases;
}

// The msgpack of a JSON error case: bytes fields must stay msgpack bin, so the case is
// re-encoded from the sample's msgpack structure (nlohmann keeps bin as binary).
std::string CaseMsgpack(const TypeEntry& e, const ErrorCase& c) {
  std::string mp = e.sample_msgpack();
  ordered_json structured = ordered_json::from_msgpack(mp);
  ordered_json sample_json = ordered_json::parse(SampleJson(e));
  ordered_json out = ordered_json::object();
  for (const auto& [key, value] : c.value.items()) {
    bool unchanged = sample_json.contains(key) && sample_json[key] == value;
    out[key] = unchanged ? structured[key] : value;
  }
  auto bytes = ordered_json::to_msgpack(out);
  return std::string(bytes.begin(), bytes.end());
}

TEST(Contract, ErrorMessageGoldens) {
  std::string lines;
  for (const auto& e : Registry().types()) {
    for (const auto& c : ErrorCases(e)) {
      auto from_json = e.reencode(c.value.dump(), Format::kJson, Format::kMsgpack);
      auto from_msgpack = e.reencode(CaseMsgpack(e, c), Format::kMsgpack, Format::kMsgpack);
      std::string json_msg = from_json.ok() ? "ok" : from_json.status().message();
      std::string mp_msg = from_msgpack.ok() ? "ok" : from_msgpack.status().message();
      EXPECT_EQ(json_msg, mp_msg) << e.name << " " << c.label;
      if (c.label == "unknown") {
        EXPECT_EQ(json_msg == "ok", e.strictness == serde::Strictness::kCompat) << e.name;
      } else {
        EXPECT_NE(json_msg, "ok") << e.name << " " << c.label;
      }
      lines += e.name + " " + c.label + ": " + json_msg + "\n";
    }
  }
  ExpectGolden(GoldenDir() / "errors.txt", lines);
}

TEST(Contract, RegistryExportAndContractHash) {
  ExpectGolden(GoldenDir() / "schema_registry.json", Registry().ExportJson());
  ExpectGolden(GoldenDir() / "schema_contract_hash.txt", SchemaContractHash() + "\n");
  auto bytes = nlohmann::json::to_msgpack(nlohmann::json::parse(Registry().ExportJson()));
  EXPECT_EQ(SchemaContractHash(), core::Sha256Hex(std::string(bytes.begin(), bytes.end())));
}

TEST(Contract, NoNameEndsInJson) {
  auto ends_in_json = [](const std::string& s) {
    return s.size() >= 5 && s.compare(s.size() - 5, 5, "_json") == 0;
  };
  nlohmann::json exported = Registry().Export();
  for (const auto& [type, schema] : exported["components"]["schemas"].items()) {
    EXPECT_FALSE(ends_in_json(type)) << type;
    for (const auto& [field, _] : schema["properties"].items()) {
      EXPECT_FALSE(ends_in_json(field)) << type << "." << field;
    }
  }
  for (const auto& e : Registry().types()) {
    if (!e.arrow_schema) continue;
    for (const auto& f : e.arrow_schema->fields()) {
      EXPECT_FALSE(ends_in_json(f->name())) << e.name << "." << f->name();
    }
  }
}

TEST(Contract, RowSchemasCarryNameAndVersion) {
  for (const auto& e : Registry().types()) {
    if (e.kind != serde::TypeKind::kRow) continue;
    ASSERT_NE(e.arrow_schema, nullptr);
    auto md = e.arrow_schema->metadata();
    ASSERT_NE(md, nullptr) << e.name;
    EXPECT_EQ(md->Get("anatomy.schema_name").ValueOr(""), e.name);
    EXPECT_EQ(md->Get("anatomy.schema_version").ValueOr(""), std::to_string(e.version));
    EXPECT_EQ(e.name.substr(e.name.rfind("_v") + 2), std::to_string(e.version));
  }
}

// Seeds for fuzz/fuzz_serde.cc: byte 0 = 2 * (index of the type in the registry) + format.
TEST(Contract, FuzzSeedCorpus) {
  if (!Updating()) GTEST_SKIP() << "seeds are rewritten only with UPDATE_GOLDENS=1";
  fs::path dir = SourceDir() / "fuzz" / "corpus" / "fuzz_serde";
  fs::remove_all(dir);
  const auto& types = Registry().types();
  for (size_t i = 0; i < types.size(); ++i) {
    for (auto [suffix, mp] : {std::pair{"", types[i].sample_msgpack()},
                              std::pair{".minimal", types[i].minimal_msgpack()}}) {
      std::string base = types[i].name + suffix;
      WriteFile(dir / (base + ".msgpack"), std::string(1, static_cast<char>(2 * i)) + mp);
      WriteFile(dir / (base + ".json"),
                std::string(1, static_cast<char>(2 * i + 1)) +
                    *types[i].reencode(mp, Format::kMsgpack, Format::kJson));
    }
  }
}

}  // namespace
}  // namespace anatomy::artifacts
