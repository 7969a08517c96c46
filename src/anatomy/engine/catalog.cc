#include "anatomy/engine/catalog.h"

#include <sstream>

namespace anatomy::engine {

Status Catalog::Put(const std::string& name, InMemoryTable table, bool replace) {
  auto it = tables_.find(name);
  if (it != tables_.end()) {
    if (!replace) {
      return Status::AlreadyExists(
          "table '", name, "' is already in the session; ingest with replace=true to swap it");
    }
    table.generation = it->second->generation + 1;
  }
  tables_[name] = std::make_shared<const InMemoryTable>(std::move(table));
  return Status::OK();
}

Result<std::shared_ptr<const InMemoryTable>> Catalog::Get(const std::string& name) const {
  auto it = tables_.find(name);
  if (it != tables_.end()) return it->second;
  std::ostringstream known;
  for (const auto& [n, _] : tables_) known << (known.tellp() > 0 ? ", " : "") << n;
  return Status::KeyError("no table '", name,
                          "' in the session (tables: ", known.str().empty() ? "none" : known.str(),
                          ")");
}

std::vector<std::string> Catalog::Names() const {
  std::vector<std::string> names;
  names.reserve(tables_.size());
  for (const auto& [n, _] : tables_) names.push_back(n);
  return names;
}

}  // namespace anatomy::engine
