#include "anatomy/serde/path.h"

#include <vector>

#include "anatomy/serde/json_writer.h"

namespace anatomy::serde {

std::string RenderPath(const Path& path) {
  std::vector<const Path*> chain;
  for (const Path* p = &path; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out = "$";
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const Path& p = **it;
    switch (p.kind) {
      case Path::Kind::kRoot:
        break;
      case Path::Kind::kField:
        out += '.';
        out += p.name;
        break;
      case Path::Kind::kIndex:
        out += '[';
        out += std::to_string(p.index);
        out += ']';
        break;
      case Path::Kind::kKey:
        out += '[';
        JsonWriter::AppendString(&out, p.name);
        out += ']';
        break;
    }
  }
  return out;
}

Status PathError(const Path& path, std::string_view problem) {
  return Status::Invalid(RenderPath(path), ": ", problem);
}

Status EnumError(const Path& path, std::string_view got,
                 std::span<const std::string_view> allowed) {
  std::string msg = "invalid enum literal ";
  JsonWriter::AppendString(&msg, got);
  msg += ", expected one of ";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i > 0) msg += ", ";
    JsonWriter::AppendString(&msg, allowed[i]);
  }
  return PathError(path, msg);
}

}  // namespace anatomy::serde
