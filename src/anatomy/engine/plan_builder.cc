#include "anatomy/engine/plan_builder.h"

#include <arrow/acero/options.h>
#include <arrow/compute/api_aggregate.h>
#include <arrow/util/iterator.h>

#include <algorithm>

#include "anatomy/engine/session.h"

namespace anatomy::engine {

namespace ac = arrow::acero;
namespace cp = arrow::compute;

namespace {

const char* JoinKindName(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner:
      return "inner";
    case JoinKind::kLeftOuter:
      return "left_outer";
    case JoinKind::kRightOuter:
      return "right_outer";
    case JoinKind::kFullOuter:
      return "full_outer";
    case JoinKind::kLeftSemi:
      return "left_semi";
    case JoinKind::kLeftAnti:
      return "left_anti";
  }
  return "inner";
}

ac::JoinType ToAceroJoin(JoinKind kind) {
  switch (kind) {
    case JoinKind::kInner:
      return ac::JoinType::INNER;
    case JoinKind::kLeftOuter:
      return ac::JoinType::LEFT_OUTER;
    case JoinKind::kRightOuter:
      return ac::JoinType::RIGHT_OUTER;
    case JoinKind::kFullOuter:
      return ac::JoinType::FULL_OUTER;
    case JoinKind::kLeftSemi:
      return ac::JoinType::LEFT_SEMI;
    case JoinKind::kLeftAnti:
      return ac::JoinType::LEFT_ANTI;
  }
  return ac::JoinType::INNER;
}

// Field names and function names an expression references, found by walking the expression
// object itself (not its text).
void Walk(const cp::Expression& expr, std::set<std::string>* fields,
          std::set<std::string>* functions) {
  if (const auto* call = expr.call()) {
    functions->insert(call->function_name);
    for (const auto& arg : call->arguments) Walk(arg, fields, functions);
  } else if (const auto* ref = expr.field_ref()) {
    fields->insert(ref->name() ? *ref->name() : ref->ToString());
  }
}

PlanTreeNode Node(std::string kind) {
  PlanTreeNode node;
  node.kind = std::move(kind);
  return node;
}

template <typename T>
std::vector<T> SortedUnique(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

}  // namespace

void PlanBuilder::Fail(Status status) {
  if (status_.ok()) status_ = std::move(status);
}

std::set<ColumnRef> PlanBuilder::OriginsOf(const std::string& column) {
  if (plan_.output_schema) {
    const int i = plan_.output_schema->GetFieldIndex(column);
    if (i >= 0 && static_cast<size_t>(i) < origins_.size()) return origins_[i];
  }
  return {};
}

void PlanBuilder::AddNode(PlanTreeNode node, ac::Declaration decl) {
  if (node.inputs.empty() && !plan_.nodes.empty()) {
    node.inputs.push_back(static_cast<int32_t>(plan_.nodes.size() - 1));
  }
  plan_.nodes.push_back(std::move(node));
  plan_.declaration = std::move(decl);
}

Result<std::shared_ptr<arrow::Schema>> PlanBuilder::RootSchema(
    const std::vector<std::shared_ptr<arrow::Schema>>& inputs) const {
  if (inputs.empty()) return ac::DeclarationToSchema(plan_.declaration);
  ac::Declaration root = plan_.declaration;
  root.inputs.clear();
  for (const auto& input : inputs) {
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(input));
    root.inputs.emplace_back(
        ac::Declaration("table_source", ac::TableSourceNodeOptions(std::move(empty))));
  }
  return ac::DeclarationToSchema(root);
}

void PlanBuilder::RefreshSchema(std::vector<std::set<ColumnRef>> origins,
                                const std::vector<std::shared_ptr<arrow::Schema>>& inputs) {
  auto schema = RootSchema(inputs);
  if (!schema.ok()) {
    Fail(schema.status().WithMessage("plan node '", plan_.nodes.back().kind,
                                     "': ", schema.status().message()));
    return;
  }
  plan_.output_schema = *schema;
  origins_ = std::move(origins);
  origins_.resize(plan_.output_schema->num_fields());
}

void PlanBuilder::RecordExpr(const std::string& kind, const cp::Expression& expr) {
  std::set<std::string> fields, functions;
  Walk(expr, &fields, &functions);
  artifacts::LineageExpr lineage{kind, {}, {functions.begin(), functions.end()}, expr.ToString()};
  std::set<ColumnRef> refs;
  for (const auto& f : fields) {
    auto o = OriginsOf(f);
    refs.insert(o.begin(), o.end());
  }
  lineage.referenced_columns.assign(refs.begin(), refs.end());
  functions_.insert(functions.begin(), functions.end());
  plan_.lineage.exprs.push_back(std::move(lineage));
}

PlanBuilder PlanBuilder::Scan(const Session& session, const std::string& table,
                              std::vector<std::string> columns,
                              std::optional<cp::Expression> filter) {
  PlanBuilder b;
  auto found = session.Table(table);
  if (!found.ok()) {
    b.Fail(found.status());
    return b;
  }
  const auto& source = **found;
  if (columns.empty()) {
    for (const auto& f : source.schema->fields()) columns.push_back(f->name());
  }
  std::vector<std::set<ColumnRef>> origins;
  for (const auto& f : source.schema->fields()) origins.push_back({{table, f->name()}});
  b.plan_.output_schema = source.schema;
  b.origins_ = origins;

  auto batches = source.batches;
  ac::Declaration decl{"record_batch_source",
                       ac::RecordBatchSourceNodeOptions(source.schema, [batches] {
                         return arrow::MakeVectorIterator(batches);
                       })};
  PlanTreeNode node = Node("scan");
  node.dataset = table;
  node.columns = columns;
  artifacts::LineageScan scan{table, columns, {}};
  std::vector<std::string> required = columns;
  if (filter) {
    auto bound = filter->Bind(*source.schema);
    if (!bound.ok()) {
      b.Fail(bound.status().WithMessage("scan of '", table, "': ", bound.status().message()));
      return b;
    }
    b.RecordExpr("scan", *filter);
    std::set<std::string> fields, functions;
    Walk(*filter, &fields, &functions);
    required.insert(required.end(), fields.begin(), fields.end());
    node.exprs.push_back(filter->ToString());
    scan.pushed_filters.push_back(filter->ToString());
    b.plan_.lineage.filters.push_back(filter->ToString());
    decl = ac::Declaration("filter", {std::move(decl)}, ac::FilterNodeOptions(*filter));
  }
  std::vector<cp::Expression> refs;
  std::vector<std::set<ColumnRef>> projected;
  for (const auto& c : columns) {
    if (source.schema->GetFieldIndex(c) < 0) {
      b.Fail(Status::KeyError("scan of '", table, "': no column '", c,
                              "' (schema: ", source.schema->ToString(), ")"));
      return b;
    }
    refs.push_back(cp::field_ref(c));
    projected.push_back({{table, c}});
  }
  decl = ac::Declaration("project", {std::move(decl)}, ac::ProjectNodeOptions(refs, columns));
  b.plan_.lineage.scans.push_back(std::move(scan));
  auto& req = b.plan_.lineage.required_columns_by_dataset[table];
  req.insert(req.end(), required.begin(), required.end());
  b.AddNode(std::move(node), std::move(decl));
  b.RefreshSchema(std::move(projected));
  return b;
}

PlanBuilder& PlanBuilder::Filter(cp::Expression predicate) {
  if (!status_.ok()) return *this;
  if (auto bound = predicate.Bind(*plan_.output_schema); !bound.ok()) {
    Fail(bound.status().WithMessage("filter: ", bound.status().message()));
    return *this;
  }
  RecordExpr("filter", predicate);
  plan_.lineage.filters.push_back(predicate.ToString());
  PlanTreeNode node = Node("filter");
  node.exprs = {predicate.ToString()};
  const auto input = plan_.output_schema;
  AddNode(std::move(node),
          ac::Declaration("filter", {plan_.declaration}, ac::FilterNodeOptions(predicate)));
  RefreshSchema(origins_, {input});
  return *this;
}

PlanBuilder& PlanBuilder::Project(std::vector<NamedExpr> exprs) {
  if (!status_.ok()) return *this;
  PlanTreeNode node = Node("project");
  std::vector<cp::Expression> es;
  std::vector<std::string> names;
  std::vector<std::set<ColumnRef>> origins;
  for (auto& e : exprs) {
    if (auto bound = e.expr.Bind(*plan_.output_schema); !bound.ok()) {
      Fail(bound.status().WithMessage("project '", e.name, "': ", bound.status().message()));
      return *this;
    }
    RecordExpr("project", e.expr);
    std::set<std::string> fields, functions;
    Walk(e.expr, &fields, &functions);
    std::set<ColumnRef> o;
    for (const auto& f : fields) {
      auto fo = OriginsOf(f);
      o.insert(fo.begin(), fo.end());
    }
    origins.push_back(std::move(o));
    node.columns.push_back(e.name);
    node.exprs.push_back(e.expr.ToString());
    es.push_back(e.expr);
    names.push_back(e.name);
  }
  const auto input = plan_.output_schema;
  AddNode(std::move(node),
          ac::Declaration("project", {plan_.declaration}, ac::ProjectNodeOptions(es, names)));
  RefreshSchema(std::move(origins), {input});
  return *this;
}

PlanBuilder& PlanBuilder::Select(const std::vector<std::string>& columns) {
  std::vector<NamedExpr> exprs;
  for (const auto& c : columns) exprs.push_back({cp::field_ref(c), c});
  return Project(std::move(exprs));
}

void PlanBuilder::Merge(const PlanBuilder& other) {
  const auto offset = static_cast<int32_t>(plan_.nodes.size());
  for (PlanTreeNode n : other.plan_.nodes) {
    for (auto& i : n.inputs) i += offset;
    plan_.nodes.push_back(std::move(n));
  }
  auto& l = plan_.lineage;
  const auto& r = other.plan_.lineage;
  l.scans.insert(l.scans.end(), r.scans.begin(), r.scans.end());
  l.joins.insert(l.joins.end(), r.joins.begin(), r.joins.end());
  l.exprs.insert(l.exprs.end(), r.exprs.begin(), r.exprs.end());
  l.filters.insert(l.filters.end(), r.filters.begin(), r.filters.end());
  l.aggregations.insert(l.aggregations.end(), r.aggregations.begin(), r.aggregations.end());
  for (const auto& [ds, cols] : r.required_columns_by_dataset) {
    auto& req = l.required_columns_by_dataset[ds];
    req.insert(req.end(), cols.begin(), cols.end());
  }
  functions_.insert(other.functions_.begin(), other.functions_.end());
  plan_.delta_scans.insert(plan_.delta_scans.end(), other.plan_.delta_scans.begin(),
                           other.plan_.delta_scans.end());
}

PlanBuilder& PlanBuilder::Join(const PlanBuilder& right, JoinKind kind,
                               std::vector<std::string> left_keys,
                               std::vector<std::string> right_keys) {
  if (!status_.ok()) return *this;
  if (!right.status_.ok()) {
    Fail(right.status_);
    return *this;
  }
  if (left_keys.empty() || left_keys.size() != right_keys.size()) {
    Fail(Status::Invalid("join: needs as many left keys as right keys, and at least one (got ",
                         left_keys.size(), " and ", right_keys.size(), ")"));
    return *this;
  }
  std::vector<std::set<ColumnRef>> origins = origins_;
  if (kind != JoinKind::kLeftSemi && kind != JoinKind::kLeftAnti) {
    origins.insert(origins.end(), right.origins_.begin(), right.origins_.end());
  }
  artifacts::LineageExpr keys_lineage;
  keys_lineage.kind = "join";
  std::set<ColumnRef> key_refs;
  std::vector<arrow::FieldRef> lk, rk;
  std::string text;
  for (size_t i = 0; i < left_keys.size(); ++i) {
    for (const auto& o : OriginsOf(left_keys[i])) key_refs.insert(o);
    const int ri = right.plan_.output_schema->GetFieldIndex(right_keys[i]);
    if (ri >= 0) key_refs.insert(right.origins_[ri].begin(), right.origins_[ri].end());
    lk.emplace_back(left_keys[i]);
    rk.emplace_back(right_keys[i]);
    text += (i ? " AND " : "") + left_keys[i] + " = " + right_keys[i];
  }
  keys_lineage.referenced_columns.assign(key_refs.begin(), key_refs.end());
  keys_lineage.text = text;
  const int32_t left_root = static_cast<int32_t>(plan_.nodes.size()) - 1;
  auto left_decl = plan_.declaration;
  Merge(right);
  const int32_t right_root = static_cast<int32_t>(plan_.nodes.size()) - 1;
  plan_.lineage.exprs.push_back(std::move(keys_lineage));
  plan_.lineage.joins.push_back({JoinKindName(kind), left_keys, right_keys});
  PlanTreeNode node = Node("join");
  node.join_type = JoinKindName(kind);
  node.left_keys = left_keys;
  node.right_keys = right_keys;
  node.inputs = {left_root, right_root};
  ac::HashJoinNodeOptions options(ToAceroJoin(kind), lk, rk, cp::literal(true), "", "_right");
  const auto left_schema = plan_.output_schema;
  AddNode(std::move(node),
          ac::Declaration("hashjoin", {std::move(left_decl), right.plan_.declaration}, options));
  RefreshSchema(std::move(origins), {left_schema, right.plan_.output_schema});
  return *this;
}

PlanBuilder& PlanBuilder::Aggregate(std::vector<AggregateSpec> aggregates,
                                    std::vector<std::string> keys) {
  if (!status_.ok()) return *this;
  PlanTreeNode node = Node("aggregate");
  node.group_keys = keys;
  std::vector<cp::Aggregate> aggs;
  std::map<std::string, std::set<ColumnRef>> by_name;
  for (const auto& a : aggregates) {
    if (plan_.output_schema->GetFieldIndex(a.target) < 0) {
      Fail(Status::KeyError("aggregate ", a.function, "(", a.target, "): no such column"));
      return *this;
    }
    const std::string fn = keys.empty() ? a.function : "hash_" + a.function;
    const std::string text = a.function + "(" + a.target + ") AS " + a.name;
    aggs.emplace_back(fn, nullptr, arrow::FieldRef(a.target), a.name);
    functions_.insert(fn);
    by_name[a.name] = OriginsOf(a.target);
    node.aggregates.push_back(text);
    plan_.lineage.aggregations.push_back(text);
    auto o = OriginsOf(a.target);
    plan_.lineage.exprs.push_back({"aggregate", {o.begin(), o.end()}, {fn}, text});
  }
  std::vector<arrow::FieldRef> key_refs;
  for (const auto& k : keys) {
    if (plan_.output_schema->GetFieldIndex(k) < 0) {
      Fail(Status::KeyError("aggregate: no group key column '", k, "'"));
      return *this;
    }
    key_refs.emplace_back(k);
    by_name[k] = OriginsOf(k);
  }
  const auto input = plan_.output_schema;
  AddNode(std::move(node), ac::Declaration("aggregate", {plan_.declaration},
                                           ac::AggregateNodeOptions(aggs, key_refs)));
  auto schema = RootSchema({input});
  std::vector<std::set<ColumnRef>> origins;
  if (schema.ok()) {
    for (const auto& f : (*schema)->fields()) origins.push_back(by_name[f->name()]);
  }
  RefreshSchema(std::move(origins), {input});
  return *this;
}

PlanBuilder& PlanBuilder::OrderBy(std::vector<SortSpec> keys) {
  if (!status_.ok()) return *this;
  PlanTreeNode node = Node("order_by");
  std::vector<cp::SortKey> sort_keys;
  for (const auto& k : keys) {
    if (plan_.output_schema->GetFieldIndex(k.column) < 0) {
      Fail(Status::KeyError("order_by: no column '", k.column, "'"));
      return *this;
    }
    sort_keys.emplace_back(k.column,
                           k.descending ? cp::SortOrder::Descending : cp::SortOrder::Ascending);
    node.sort_keys.push_back(k.column + (k.descending ? " DESC" : " ASC"));
    auto o = OriginsOf(k.column);
    plan_.lineage.exprs.push_back({"order_by", {o.begin(), o.end()}, {}, node.sort_keys.back()});
  }
  const auto input = plan_.output_schema;
  AddNode(std::move(node), ac::Declaration("order_by", {plan_.declaration},
                                           ac::OrderByNodeOptions(cp::Ordering(sort_keys))));
  RefreshSchema(origins_, {input});
  return *this;
}

PlanBuilder& PlanBuilder::Union(const PlanBuilder& other) {
  if (!status_.ok()) return *this;
  if (!other.status_.ok()) {
    Fail(other.status_);
    return *this;
  }
  if (!plan_.output_schema->Equals(*other.plan_.output_schema, /*check_metadata=*/false)) {
    Fail(Status::TypeError("union: schemas differ: ", plan_.output_schema->ToString(), " vs ",
                           other.plan_.output_schema->ToString()));
    return *this;
  }
  auto origins = origins_;
  for (size_t i = 0; i < origins.size() && i < other.origins_.size(); ++i) {
    origins[i].insert(other.origins_[i].begin(), other.origins_[i].end());
  }
  const int32_t left_root = static_cast<int32_t>(plan_.nodes.size()) - 1;
  auto left_decl = plan_.declaration;
  Merge(other);
  const int32_t right_root = static_cast<int32_t>(plan_.nodes.size()) - 1;
  PlanTreeNode node = Node("union");
  node.inputs = {left_root, right_root};
  const auto left_schema = plan_.output_schema;
  AddNode(std::move(node), ac::Declaration("union", {std::move(left_decl), other.plan_.declaration},
                                           ac::ExecNodeOptions{}));
  RefreshSchema(std::move(origins), {left_schema, other.plan_.output_schema});
  return *this;
}

PlanBuilder& PlanBuilder::Limit(int64_t count, int64_t offset) {
  if (!status_.ok()) return *this;
  if (count < 0 || offset < 0) {
    Fail(Status::Invalid("limit: count and offset must be >= 0 (got ", count, ", ", offset, ")"));
    return *this;
  }
  PlanTreeNode node = Node("limit");
  node.limit = count;
  node.offset = offset;
  const auto input = plan_.output_schema;
  AddNode(std::move(node),
          ac::Declaration("fetch", {plan_.declaration}, ac::FetchNodeOptions(offset, count)));
  RefreshSchema(origins_, {input});
  return *this;
}

Result<LogicalPlan> PlanBuilder::Build() const {
  ARROW_RETURN_NOT_OK(status_);
  LogicalPlan plan = plan_;
  auto& l = plan.lineage;
  std::set<ColumnRef> all;
  std::set<std::string> tables;
  for (auto& [ds, cols] : l.required_columns_by_dataset) {
    cols = SortedUnique(std::move(cols));
    tables.insert(ds);
    for (const auto& c : cols) all.insert({ds, c});
  }
  for (const auto& e : l.exprs)
    all.insert(e.referenced_columns.begin(), e.referenced_columns.end());
  l.all_required_columns.assign(all.begin(), all.end());
  l.referenced_tables.assign(tables.begin(), tables.end());
  l.filters = SortedUnique(std::move(l.filters));
  l.aggregations = SortedUnique(std::move(l.aggregations));
  plan.required_functions.assign(functions_.begin(), functions_.end());
  for (const auto& o : origins_) plan.output_origins.emplace_back(o.begin(), o.end());
  return plan;
}

}  // namespace anatomy::engine
