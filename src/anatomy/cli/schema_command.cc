#include <arrow/util/key_value_metadata.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "anatomy/artifacts/registry.h"
#include "anatomy/cli/commands.h"

namespace anatomy::cli {

namespace {

// The Arrow schema of one artifact table as a JSON document for people and tools.
nlohmann::ordered_json SchemaDocument(const std::string& table, const arrow::Schema& schema) {
  nlohmann::ordered_json doc;
  doc["table"] = table;
  auto columns = nlohmann::ordered_json::array();
  for (const auto& f : schema.fields()) {
    columns.push_back(
        {{"name", f->name()}, {"type", f->type()->ToString()}, {"nullable", f->nullable()}});
  }
  doc["columns"] = columns;
  nlohmann::ordered_json metadata = nlohmann::ordered_json::object();
  if (schema.metadata()) {
    for (int64_t i = 0; i < schema.metadata()->size(); ++i) {
      metadata[schema.metadata()->key(i)] = schema.metadata()->value(i);
    }
  }
  doc["metadata"] = metadata;
  return doc;
}

Status Export(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create '", dir, "': ", ec.message());
  const auto& registry = artifacts::ArtifactRegistry();
  std::ofstream(fs::path(dir) / "schema_registry.json") << registry.ExportJson();
  std::ofstream(fs::path(dir) / "schema_contract_hash") << artifacts::SchemaContractHash() << "\n";
  int tables = 0;
  for (const auto& entry : registry.types()) {
    if (!entry.arrow_schema) continue;
    std::ofstream(fs::path(dir) / (entry.name + ".arrow_schema.json"))
        << SchemaDocument(entry.name, *entry.arrow_schema).dump(2) << "\n";
    ++tables;
  }
  std::cout << "wrote schema_registry.json, schema_contract_hash and " << tables
            << " artifact table schemas to " << dir << "\n";
  return Status::OK();
}

}  // namespace

void AddSchemaCommand(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* schema = app.add_subcommand("schema", "The schema registry of artifact types");
  schema->require_subcommand(1);
  auto* cmd = schema->add_subcommand(
      "export", "Write the registry, its contract hash and every artifact table schema");
  cmd->add_option("dir", *dir, "Output folder")->required();
  cmd->callback([dir] {
    auto st = Export(*dir);
    if (!st.ok()) {
      std::cerr << "anatomy schema export: " << st.ToString() << "\n";
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace anatomy::cli
