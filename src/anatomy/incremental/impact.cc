#include "anatomy/incremental/impact.h"

#include <arrow/api.h>

#include <deque>
#include <set>

#include "anatomy/extract/scan.h"

namespace anatomy::incremental {

namespace {

bool IsPython(const std::string& path) {
  return path.size() > 3 && path.substr(path.size() - 3) == ".py";
}

// Whether an import naming `target` may resolve differently when module `changed` changes:
// the same module, a package above it, or a module under it.
bool DependsOn(const std::string& target, const std::string& changed) {
  if (target.empty() || changed.empty()) return false;
  auto under = [](const std::string& a, const std::string& b) {
    return a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '.';
  };
  return target == changed || under(target, changed) || under(changed, target);
}

}  // namespace

Result<std::vector<artifacts::ImpactedFile>> ImpactOf(
    const std::vector<artifacts::FileChange>& changes, const arrow::Table& imports,
    const std::vector<std::string>& current_paths) {
  std::map<std::string, std::string> impacted;  // path -> reason
  std::deque<std::string> frontier;             // modules whose rows change
  std::set<std::string> queued;
  auto changed_module = [&](const std::string& path) {
    if (!IsPython(path)) return;
    std::string m = extract::ModuleNameForPath(path);
    if (queued.insert(m).second) frontier.push_back(m);
  };
  for (const auto& c : changes) {
    if (c.change != "deleted") impacted.emplace(c.path, c.change);
    if (c.change == "touched") continue;  // same content: nothing else can change
    changed_module(c.path);
    if (c.old_path) changed_module(*c.old_path);
  }

  // Each import row as (importing path, the module names it reads).
  ARROW_ASSIGN_OR_RAISE(auto batch, imports.CombineChunksToBatch());
  auto str = [&](const char* name) {
    return std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName(name));
  };
  auto flag = [&](const char* name) {
    return std::static_pointer_cast<arrow::BooleanArray>(batch->GetColumnByName(name));
  };
  auto path = str("path"), module = str("module"), name = str("imported_name");
  auto is_from = flag("is_from"), is_star = flag("is_star");
  if (!path || !module || !name || !is_from || !is_star) {
    return Status::Invalid(
        "the imports table lacks path, module, imported_name, is_from or is_star");
  }
  const std::set<std::string> present(current_paths.begin(), current_paths.end());
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    std::vector<std::string> targets{module->GetString(i)};
    if (is_from->Value(i) && !is_star->Value(i) && !name->IsNull(i)) {
      targets.push_back(targets[0].empty() ? name->GetString(i)
                                           : targets[0] + "." + name->GetString(i));
    }
    rows.emplace_back(path->GetString(i), std::move(targets));
  }
  while (!frontier.empty()) {
    const std::string m = frontier.front();
    frontier.pop_front();
    for (const auto& [importer, targets] : rows) {
      if (impacted.count(importer) || !present.count(importer)) continue;
      for (const auto& t : targets) {
        if (!DependsOn(t, m)) continue;
        impacted.emplace(importer, "imports " + m);
        changed_module(importer);
        break;
      }
    }
  }
  std::vector<artifacts::ImpactedFile> out;
  for (auto& [p, reason] : impacted) out.push_back({p, std::move(reason)});
  return out;
}

}  // namespace anatomy::incremental
