#include "anatomy/delta/pruning.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <algorithm>
#include <map>

#include "anatomy/delta/stats.h"
#include "anatomy/delta/values.h"

namespace anatomy::delta {

namespace {

namespace cp = arrow::compute;

template <typename T>
int Order(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

/// -1, 0, 1; nullopt when not comparable.
std::optional<int> Compare(const arrow::Scalar& a, const arrow::Scalar& b) {
  // Strings and integers of one type, the columns files are clustered and filtered by, are
  // compared directly: pruning compares every literal of an IN list with every file's bounds.
  if (a.is_valid && b.is_valid && a.type->Equals(*b.type)) {
    if (arrow::is_base_binary_like(a.type->id())) {
      return Order(static_cast<const arrow::BaseBinaryScalar&>(a).view(),
                   static_cast<const arrow::BaseBinaryScalar&>(b).view());
    }
    if (arrow::is_signed_integer(a.type->id())) {
      auto v = [](const arrow::Scalar& x) -> int64_t {
        switch (x.type->id()) {
          case arrow::Type::INT8:
            return static_cast<const arrow::Int8Scalar&>(x).value;
          case arrow::Type::INT16:
            return static_cast<const arrow::Int16Scalar&>(x).value;
          case arrow::Type::INT32:
            return static_cast<const arrow::Int32Scalar&>(x).value;
          default:
            return static_cast<const arrow::Int64Scalar&>(x).value;
        }
      };
      return Order(v(a), v(b));
    }
  }
  auto lt = cp::CallFunction("less", {a.GetSharedPtr(), b.GetSharedPtr()});
  auto eq = cp::CallFunction("equal", {a.GetSharedPtr(), b.GetSharedPtr()});
  if (!lt.ok() || !eq.ok()) return std::nullopt;
  const auto& l = lt->scalar_as<arrow::BooleanScalar>();
  const auto& e = eq->scalar_as<arrow::BooleanScalar>();
  if (!l.is_valid || !e.is_valid) return std::nullopt;
  return l.value ? -1 : (e.value ? 0 : 1);
}

/// A predicate bound to a column: its kind, type and typed literals.
struct Bound {
  const Predicate* p;
  std::string physical;
  bool partition = false;
  std::shared_ptr<arrow::DataType> type;
  std::vector<std::shared_ptr<arrow::Scalar>> literals;
  bool sorted = false;  // kIn: literals ascending, so a file's bounds are found by bisection
};

/// Exact evaluation on a partition value (null compares false, as SQL).
bool PartitionMatches(const Bound& b, const arrow::Scalar& v) {
  switch (b.p->op) {
    case PredicateOp::kIsNull:
      return !v.is_valid;
    case PredicateOp::kIsNotNull:
      return v.is_valid;
    default:
      break;
  }
  if (!v.is_valid) return false;
  if (b.p->op == PredicateOp::kIn) {
    for (const auto& l : b.literals) {
      if (Compare(v, *l) == 0) return true;
    }
    return false;
  }
  auto c = Compare(v, *b.literals[0]);
  if (!c) return true;
  switch (b.p->op) {
    case PredicateOp::kEq:
      return *c == 0;
    case PredicateOp::kNe:
      return *c != 0;
    case PredicateOp::kLt:
      return *c < 0;
    case PredicateOp::kLe:
      return *c <= 0;
    case PredicateOp::kGt:
      return *c > 0;
    case PredicateOp::kGe:
      return *c >= 0;
    default:
      return true;
  }
}

/// False only when the stats prove no row can match.
bool StatsMayMatch(const Bound& b, const FileStats& fs) {
  auto it = fs.columns.find(b.physical);
  if (it == fs.columns.end()) return true;
  const ColumnStats& cs = it->second;
  bool all_null = cs.null_count && fs.num_records && *cs.null_count == *fs.num_records;
  bool none_null = cs.null_count && *cs.null_count == 0;
  switch (b.p->op) {
    case PredicateOp::kIsNull:
      return !none_null;
    case PredicateOp::kIsNotNull:
      return !all_null;
    default:
      break;
  }
  if (all_null) return false;  // comparisons with null are never true
  auto lt = [](const std::shared_ptr<arrow::Scalar>& a, const std::shared_ptr<arrow::Scalar>& c) {
    if (!a || !c) return false;
    auto r = Compare(*a, *c);
    return r && *r < 0;
  };
  auto le = [](const std::shared_ptr<arrow::Scalar>& a, const std::shared_ptr<arrow::Scalar>& c) {
    if (!a || !c) return false;
    auto r = Compare(*a, *c);
    return r && *r <= 0;
  };
  const auto& lit = b.literals.empty() ? nullptr : b.literals[0];
  switch (b.p->op) {
    case PredicateOp::kEq:
      return !(lt(cs.max, lit) || lt(lit, cs.min));
    case PredicateOp::kNe: {
      if (!none_null || !cs.min || !cs.max) return true;
      auto a = Compare(*cs.min, *lit), c = Compare(*cs.max, *lit);
      return !(a == 0 && c == 0);
    }
    case PredicateOp::kLt:
      return !le(lit, cs.min);  // prune when min >= lit
    case PredicateOp::kLe:
      return !lt(lit, cs.min);  // prune when min > lit
    case PredicateOp::kGt:
      return !le(cs.max, lit);  // prune when max <= lit
    case PredicateOp::kGe:
      return !lt(cs.max, lit);  // prune when max < lit
    case PredicateOp::kIn: {
      if (b.sorted && cs.min && cs.max) {
        // The first literal not below min is the only one that can be within [min, max].
        auto first = std::partition_point(b.literals.begin(), b.literals.end(),
                                          [&](const auto& l) { return lt(l, cs.min); });
        return first != b.literals.end() && !lt(cs.max, *first);
      }
      for (const auto& l : b.literals) {
        if (!(lt(cs.max, l) || lt(l, cs.min))) return true;
      }
      return b.literals.empty();
    }
    default:
      return true;
  }
}

/// `p` bound to its column in `snapshot`: physical name, type, typed literals (an IN list of
/// strings or integers sorted).
Result<Bound> Bind(const Snapshot& snapshot, const Predicate& p, bool mapping) {
  const StructField* f = snapshot.schema.FindField(p.column);
  if (!f) return Status::Invalid("filter: unknown column '", p.column, "'");
  Bound b{&p, f->PhysicalName(mapping), false, nullptr, {}};
  for (const auto& pc : snapshot.metadata.partition_columns)
    b.partition = b.partition || pc == p.column;
  ARROW_ASSIGN_OR_RAISE(b.type, ToArrowType(*f->type));
  if (arrow::is_nested(b.type->id())) {
    return Status::Invalid("filter: column '", p.column, "' of type ", b.type->ToString(),
                           " cannot be filtered");
  }
  for (const auto& v : p.values) {
    ARROW_ASSIGN_OR_RAISE(auto lit, BindLiteral(v, b.type));
    b.literals.push_back(std::move(lit));
  }
  if (p.op == PredicateOp::kIn &&
      (arrow::is_base_binary_like(b.type->id()) || arrow::is_signed_integer(b.type->id()))) {
    // Strings and integers order totally (no NaN); a null literal leaves the list unsorted.
    b.sorted = std::all_of(b.literals.begin(), b.literals.end(),
                           [](const auto& l) { return l->is_valid; });
    if (b.sorted) {
      std::sort(b.literals.begin(), b.literals.end(),
                [](const auto& x, const auto& y) { return *Compare(*x, *y) < 0; });
    }
  }
  if (p.op != PredicateOp::kIsNull && p.op != PredicateOp::kIsNotNull && b.literals.empty()) {
    return Status::Invalid("filter: ", p.ToString(), " has no value");
  }
  return b;
}

}  // namespace

Result<PruningResult> PruneFilesAny(const Snapshot& snapshot,
                                    const std::vector<std::vector<Predicate>>& any) {
  PruningResult out;
  out.total_files = static_cast<int64_t>(snapshot.files.size());
  bool mapping = snapshot.column_mapping_mode() != ColumnMappingMode::kNone;
  std::vector<std::vector<Bound>> terms;
  std::map<std::string, std::shared_ptr<arrow::DataType>> stats_columns;
  for (const auto& filters : any) {
    std::vector<Bound> bound;
    for (const auto& p : filters) {
      ARROW_ASSIGN_OR_RAISE(auto b, Bind(snapshot, p, mapping));
      if (!b.partition) stats_columns[b.physical] = b.type;
      bound.push_back(std::move(b));
    }
    terms.push_back(std::move(bound));
  }
  for (const auto& file : snapshot.files) {
    // The file's stats, parsed once for every term (not at all when partitions decide).
    std::optional<Result<FileStats>> stats;
    bool keep = false, by_partition = true;
    for (const auto& bound : terms) {
      bool term_keeps = true, term_by_partition = false;
      for (const auto& b : bound) {
        if (!b.partition) continue;
        auto it = file.partition_values.find(b.physical);
        std::optional<std::string> text =
            it == file.partition_values.end() ? std::nullopt : it->second;
        ARROW_ASSIGN_OR_RAISE(auto v, ParsePartitionValue(text, b.type));
        if (!PartitionMatches(b, *v)) {
          term_keeps = false;
          term_by_partition = true;
          break;
        }
      }
      if (term_keeps && !stats_columns.empty() && file.stats) {
        if (!stats) stats = ParseFileStats(*file.stats, stats_columns);
        if (stats->ok()) {
          for (const auto& b : bound) {
            if (!b.partition && !StatsMayMatch(b, **stats)) {
              term_keeps = false;
              break;
            }
          }
        }
      }
      by_partition = by_partition && term_by_partition;
      if (term_keeps) {
        keep = true;
        break;
      }
    }
    if (keep) {
      out.candidates.push_back(file);
    } else {
      ++out.pruned_files;
      ++(by_partition ? out.pruned_by_partition : out.pruned_by_stats);
    }
  }
  out.candidate_files = static_cast<int64_t>(out.candidates.size());
  return out;
}

Result<PruningResult> PruneFiles(const Snapshot& snapshot, const std::vector<Predicate>& filters) {
  return PruneFilesAny(snapshot, {filters});
}

}  // namespace anatomy::delta
