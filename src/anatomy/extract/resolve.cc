#include "anatomy/extract/resolve.h"

#include <map>
#include <set>
#include <string>

namespace anatomy::extract {
namespace {

struct ModuleIndex {
  std::map<std::string, size_t> modules;  // dotted name -> file index
  std::set<std::string> namespace_packages;
  std::map<std::string, std::string> namespace_dirs;

  explicit ModuleIndex(const std::vector<FileOutput>& files) {
    std::set<std::string> regular_packages;
    for (size_t i = 0; i < files.size(); ++i) {
      const auto& f = files[i].file;
      if (!f.is_python || f.module_name.empty()) continue;
      modules.emplace(f.module_name, i);
      if (f.path.size() >= 11 && f.path.substr(f.path.size() - 11) == "__init__.py") {
        regular_packages.insert(f.module_name);
      }
    }
    for (size_t i = 0; i < files.size(); ++i) {
      const auto& f = files[i].file;
      if (!f.is_python) continue;
      std::string dir = f.path;
      for (size_t slash = dir.rfind('/'); slash != std::string::npos; slash = dir.rfind('/')) {
        dir.resize(slash);
        std::string dotted = dir;
        for (auto& c : dotted) c = c == '/' ? '.' : c;
        if (regular_packages.count(dotted) == 0) {
          namespace_packages.insert(dotted);
          namespace_dirs.emplace(dotted, dir);
        }
      }
    }
  }
};

void ResolveImport(ImportRow& r, const ModuleIndex& idx, const std::vector<FileOutput>& files) {
  auto set_module = [&](const std::string& name) {
    auto it = idx.modules.find(name);
    if (it != idx.modules.end()) {
      const auto& f = files[it->second].file;
      bool pkg = f.path.size() >= 11 && f.path.substr(f.path.size() - 11) == "__init__.py";
      r.resolved_kind = pkg ? "package" : "module";
      r.resolved_path = f.path;
      r.resolved_file_id = f.file_id;
      return true;
    }
    if (idx.namespace_packages.count(name)) {
      r.resolved_kind = "namespace_package";
      r.resolved_path = idx.namespace_dirs.at(name);
      return true;
    }
    return false;
  };
  if (!r.is_from || r.is_star) {
    set_module(r.module);
    return;
  }
  std::string sub = r.module.empty() ? *r.imported_name : r.module + "." + *r.imported_name;
  if (set_module(sub)) return;
  if (set_module(r.module)) {
    if (r.resolved_kind != "namespace_package") r.resolved_kind = "symbol";
  }
}

}  // namespace

void ResolveAcrossFiles(std::vector<FileOutput>& files) {
  ModuleIndex idx(files);
  for (auto& f : files) {
    for (auto& imp : f.imports) ResolveImport(imp, idx, files);
  }
  for (auto& f : files) {
    for (const auto& c : f.calls) {
      CallResolutionRow r;
      r.call_id = c.call_id;
      r.span = c.span;
      r.target_qualified_name = c.callee_text;
      r.resolution_method = "unresolved";
      r.origin = "callee_text";
      r.score = 0.1;
      f.call_resolutions.push_back(std::move(r));
    }
  }
}

}  // namespace anatomy::extract
