#include "anatomy/incremental/patch.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "anatomy/cpg/nest.h"
#include "anatomy/incremental/state.h"

namespace anatomy::incremental {

namespace cp = arrow::compute;

Result<std::pair<std::vector<std::string>, std::vector<std::string>>> QualifiedNameChanges(
    const arrow::Table& nodes, const std::vector<std::string>& old_ids) {
  ARROW_ASSIGN_OR_RAISE(auto kinds, Strings(nodes, "node_kind"));
  ARROW_ASSIGN_OR_RAISE(auto ids, Strings(nodes, "node_id"));
  if (kinds.size() != ids.size()) return Status::Invalid("cpg_nodes rows without kind or id");
  std::set<std::string> now;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (kinds[i] == "PY_QUALIFIED_NAME") now.insert(ids[i]);
  }
  const std::set<std::string> before(old_ids.begin(), old_ids.end());
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                      std::back_inserter(out.first));
  std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                      std::back_inserter(out.second));
  return out;
}

Result<std::shared_ptr<arrow::Table>> WithoutOldQualifiedNames(
    const std::shared_ptr<arrow::Table>& table, const std::string& id_column,
    const std::vector<std::string>& added) {
  arrow::StringBuilder b;
  ARROW_RETURN_NOT_OK(b.AppendValues(added));
  ARROW_ASSIGN_OR_RAISE(auto added_array, b.Finish());
  ARROW_ASSIGN_OR_RAISE(auto has_file,
                        cp::CallFunction("is_valid", {table->GetColumnByName("file_id")}));
  ARROW_ASSIGN_OR_RAISE(auto is_added, cp::IsIn(table->GetColumnByName(id_column),
                                                cp::SetLookupOptions(added_array)));
  ARROW_ASSIGN_OR_RAISE(auto keep, cp::Or(has_file, is_added));
  ARROW_ASSIGN_OR_RAISE(auto kept, cp::Filter(table, keep));
  return kept.table();
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
