#include "anatomy/incremental/patch.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <set>

#include "anatomy/cpg/nest.h"
#include "anatomy/incremental/state.h"

namespace anatomy::incremental {

namespace cp = arrow::compute;

namespace {

// A name's uses in the state before, and the change the rebuilt files bring.
struct NameUses {
  int64_t before = 0, change = 0;
};

// Calls `add(name, uses)` for each row of `table` (qualified_name, uses) with a name.
template <typename Add>
Status ForEachUse(const arrow::Table& table, Add&& add) {
  ARROW_ASSIGN_OR_RAISE(auto batch, table.CombineChunksToBatch());
  auto names_column = batch->GetColumnByName("qualified_name");
  auto counts = batch->GetColumnByName("uses");
  if (!names_column || !counts || names_column->type_id() != arrow::Type::STRING ||
      counts->type_id() != arrow::Type::INT64) {
    return Status::Invalid("qualified name uses need qualified_name (string) and uses (int64)");
  }
  const auto& n = static_cast<const arrow::StringArray&>(*names_column);
  const auto& c = static_cast<const arrow::Int64Array&>(*counts);
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    if (n.IsValid(i)) add(n.GetView(i), c.Value(i));
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Table>> UsesTable(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::pair<std::string, int64_t>>& uses) {
  arrow::StringBuilder names;
  arrow::Int64Builder counts;
  for (const auto& [name, n] : uses) {
    ARROW_RETURN_NOT_OK(names.Append(name));
    ARROW_RETURN_NOT_OK(counts.Append(n));
  }
  ARROW_ASSIGN_OR_RAISE(auto n, names.Finish());
  ARROW_ASSIGN_OR_RAISE(auto c, counts.Finish());
  return arrow::Table::Make(schema, {n, c}, static_cast<int64_t>(uses.size()));
}

}  // namespace

Result<std::vector<std::string>> NamesUsed(const arrow::Table& old_uses,
                                           const arrow::Table& new_uses) {
  std::set<std::string, std::less<>> names;
  auto add = [&](std::string_view name, int64_t) { names.emplace(name); };
  ARROW_RETURN_NOT_OK(ForEachUse(old_uses, add));
  ARROW_RETURN_NOT_OK(ForEachUse(new_uses, add));
  return std::vector<std::string>(names.begin(), names.end());
}

Result<NameUseChanges> UpdateNameUses(const arrow::Table& before, const arrow::Table& old_uses,
                                      const arrow::Table& new_uses) {
  // Only the names the rebuilt files use change: the state's other rows are not looked at.
  std::map<std::string, NameUses, std::less<>> names;  // name order, as the view sorts
  ARROW_RETURN_NOT_OK(ForEachUse(
      old_uses, [&](std::string_view name, int64_t n) { names[std::string(name)].change -= n; }));
  ARROW_RETURN_NOT_OK(ForEachUse(
      new_uses, [&](std::string_view name, int64_t n) { names[std::string(name)].change += n; }));
  ARROW_RETURN_NOT_OK(ForEachUse(before, [&](std::string_view name, int64_t n) {
    if (auto it = names.find(name); it != names.end()) it->second.before += n;
  }));
  NameUseChanges out;
  std::vector<std::pair<std::string, int64_t>> now, added;
  for (const auto& [name, uses] : names) {
    out.changed.push_back(name);
    const int64_t count = uses.before + uses.change;
    if (count < 0) {
      return Status::Invalid("qualified name '", name, "' has ", count,
                             " uses: state/qualified_names does not match the extraction tables");
    }
    if (count == 0) {
      if (uses.before > 0) out.removed.push_back(name);
      continue;
    }
    now.emplace_back(name, count);
    if (uses.before == 0) added.emplace_back(name, count);
  }
  ARROW_ASSIGN_OR_RAISE(out.uses, UsesTable(new_uses.schema(), now));
  ARROW_ASSIGN_OR_RAISE(out.added, UsesTable(new_uses.schema(), added));
  return out;
}

Result<std::shared_ptr<arrow::Table>> EdgesInto(const arrow::Table& old_lists,
                                                const std::vector<std::string>& rebuilt_files,
                                                const arrow::Table& new_edges) {
  const auto& schema = new_edges.schema();
  ARROW_ASSIGN_OR_RAISE(auto fresh, new_edges.CombineChunks());
  if (old_lists.num_rows() == 0) return fresh;
  arrow::StringBuilder rebuilt_builder;
  ARROW_RETURN_NOT_OK(rebuilt_builder.AppendValues(rebuilt_files));
  ARROW_ASSIGN_OR_RAISE(auto rebuilt, rebuilt_builder.Finish());
  ARROW_ASSIGN_OR_RAISE(auto flat, cpg::UnnestRuns(old_lists, "edges"));
  ARROW_ASSIGN_OR_RAISE(auto rebuilt_mask,
                        cp::IsIn(flat->GetColumnByName("file_id"), cp::SetLookupOptions(rebuilt)));
  ARROW_ASSIGN_OR_RAISE(auto kept_mask, cp::Invert(rebuilt_mask));
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(flat, kept_mask));
  // As cpg_edges rows: its columns, in its order and types.
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (const auto& f : schema->fields()) {
    auto column = kept.table()->GetColumnByName(f->name());
    if (!column) return Status::Invalid("cpg_edges_by_dst lists have no edge column ", f->name());
    ARROW_ASSIGN_OR_RAISE(auto cast, cp::Cast(column, f->type()));
    columns.push_back(cast.chunked_array());
  }
  ARROW_ASSIGN_OR_RAISE(auto previous, arrow::Table::Make(schema, columns)->CombineChunks());
  return arrow::ConcatenateTables({fresh, previous});
}

}  // namespace anatomy::incremental
