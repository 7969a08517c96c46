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

// Adds each (qualified_name, uses) row of `table`, times `sign`, to `uses`.
Status AddUses(const arrow::Table& table, int64_t sign, std::map<std::string, int64_t>* uses) {
  ARROW_ASSIGN_OR_RAISE(auto batch, table.CombineChunksToBatch());
  auto names = batch->GetColumnByName("qualified_name");
  auto counts = batch->GetColumnByName("uses");
  if (!names || !counts || names->type_id() != arrow::Type::STRING ||
      counts->type_id() != arrow::Type::INT64) {
    return Status::Invalid("qualified name uses need qualified_name (string) and uses (int64)");
  }
  const auto& n = static_cast<const arrow::StringArray&>(*names);
  const auto& c = static_cast<const arrow::Int64Array&>(*counts);
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    if (n.IsValid(i)) (*uses)[n.GetString(i)] += sign * c.Value(i);
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Table>> UsesTable(const std::shared_ptr<arrow::Schema>& schema,
                                                const std::map<std::string, int64_t>& uses) {
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

Result<NameUseChanges> UpdateNameUses(const arrow::Table& before, const arrow::Table& old_uses,
                                      const arrow::Table& new_uses) {
  std::map<std::string, int64_t> now, known;  // std::map: name order, as the view sorts
  ARROW_RETURN_NOT_OK(AddUses(before, 1, &now));
  for (const auto& [name, n] : now) known.emplace(name, n);
  ARROW_RETURN_NOT_OK(AddUses(old_uses, -1, &now));
  ARROW_RETURN_NOT_OK(AddUses(new_uses, 1, &now));
  NameUseChanges out;
  std::map<std::string, int64_t> added;
  for (auto it = now.begin(); it != now.end();) {
    if (it->second < 0) {
      return Status::Invalid("qualified name '", it->first, "' has ", it->second,
                             " uses: state/qualified_names does not match the extraction tables");
    }
    if (it->second == 0) {
      if (known.count(it->first)) out.removed.push_back(it->first);
      it = now.erase(it);
      continue;
    }
    if (!known.count(it->first)) added.emplace(it->first, it->second);
    ++it;
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
