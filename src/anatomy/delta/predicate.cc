#include "anatomy/delta/predicate.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <cctype>

#include "anatomy/delta/values.h"

namespace anatomy::delta {

namespace cp = arrow::compute;

namespace {

const char* OpText(PredicateOp op) {
  switch (op) {
    case PredicateOp::kEq:
      return "=";
    case PredicateOp::kNe:
      return "!=";
    case PredicateOp::kLt:
      return "<";
    case PredicateOp::kLe:
      return "<=";
    case PredicateOp::kGt:
      return ">";
    case PredicateOp::kGe:
      return ">=";
    case PredicateOp::kIn:
      return "IN";
    case PredicateOp::kIsNull:
      return "IS NULL";
    case PredicateOp::kIsNotNull:
      return "IS NOT NULL";
  }
  return "?";
}

/// A tiny tokenizer for the filter grammar.
class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}
  void SkipSpace() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool AtEnd() {
    SkipSpace();
    return pos_ >= s_.size();
  }
  size_t pos() const { return pos_; }
  bool Keyword(std::string_view kw) {
    SkipSpace();
    if (s_.size() - pos_ < kw.size()) return false;
    for (size_t i = 0; i < kw.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(s_[pos_ + i])) != kw[i]) return false;
    }
    size_t end = pos_ + kw.size();
    if (end < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[end])) || s_[end] == '_'))
      return false;
    pos_ = end;
    return true;
  }
  bool Punct(std::string_view p) {
    SkipSpace();
    if (s_.substr(pos_, p.size()) == p) {
      pos_ += p.size();
      return true;
    }
    return false;
  }
  Result<std::string> Identifier() {
    SkipSpace();
    if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '`')) {
      char q = s_[pos_++];
      size_t end = s_.find(q, pos_);
      if (end == std::string_view::npos) return Err("unterminated quoted identifier");
      std::string id(s_.substr(pos_, end - pos_));
      pos_ = end + 1;
      return id;
    }
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
                                s_[pos_] == '_' || s_[pos_] == '.')) {
      ++pos_;
    }
    if (start == pos_) return Err("expected a column name");
    return std::string(s_.substr(start, pos_ - start));
  }
  Result<std::string> Literal() {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '\'') {
      ++pos_;
      std::string out;
      while (true) {
        if (pos_ >= s_.size()) return Err("unterminated string literal");
        if (s_[pos_] == '\'') {
          if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '\'') {
            out.push_back('\'');
            pos_ += 2;
            continue;
          }
          ++pos_;
          return out;
        }
        out.push_back(s_[pos_++]);
      }
    }
    size_t start = pos_;
    while (pos_ < s_.size() &&
           (std::isalnum(static_cast<unsigned char>(s_[pos_])) ||
            std::string_view("+-._:").find(s_[pos_]) != std::string_view::npos)) {
      ++pos_;
    }
    if (start == pos_) return Err("expected a literal");
    return std::string(s_.substr(start, pos_ - start));
  }
  Status Err(std::string_view what) const {
    return Status::Invalid("filter: ", what, " at offset ", pos_, " in '", s_, "'");
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::string Predicate::ToString() const {
  std::string out = column + " " + OpText(op);
  if (op == PredicateOp::kIn) {
    out += " (";
    for (size_t i = 0; i < values.size(); ++i) out += (i ? ", '" : "'") + values[i] + "'";
    return out + ")";
  }
  if (!values.empty()) out += " '" + values[0] + "'";
  return out;
}

Result<std::vector<Predicate>> ParseFilter(std::string_view text) {
  Lexer lx(text);
  std::vector<Predicate> out;
  if (lx.AtEnd()) return out;
  do {
    Predicate p;
    ARROW_ASSIGN_OR_RAISE(p.column, lx.Identifier());
    if (lx.Keyword("IS")) {
      p.op = lx.Keyword("NOT") ? PredicateOp::kIsNotNull : PredicateOp::kIsNull;
      if (!lx.Keyword("NULL")) return lx.Err("expected NULL");
    } else if (lx.Keyword("IN")) {
      p.op = PredicateOp::kIn;
      if (!lx.Punct("(")) return lx.Err("expected '(' after IN");
      do {
        ARROW_ASSIGN_OR_RAISE(auto v, lx.Literal());
        p.values.push_back(std::move(v));
      } while (lx.Punct(","));
      if (!lx.Punct(")")) return lx.Err("expected ')'");
    } else {
      if (lx.Punct("!=") || lx.Punct("<>")) {
        p.op = PredicateOp::kNe;
      } else if (lx.Punct("<=")) {
        p.op = PredicateOp::kLe;
      } else if (lx.Punct(">=")) {
        p.op = PredicateOp::kGe;
      } else if (lx.Punct("==") || lx.Punct("=")) {
        p.op = PredicateOp::kEq;
      } else if (lx.Punct("<")) {
        p.op = PredicateOp::kLt;
      } else if (lx.Punct(">")) {
        p.op = PredicateOp::kGt;
      } else {
        return lx.Err("expected an operator (=, !=, <, <=, >, >=, IN, IS [NOT] NULL)");
      }
      ARROW_ASSIGN_OR_RAISE(auto v, lx.Literal());
      p.values.push_back(std::move(v));
    }
    out.push_back(std::move(p));
  } while (lx.Keyword("AND"));
  if (!lx.AtEnd()) return lx.Err("expected AND or the end of the filter");
  return out;
}

Result<std::shared_ptr<arrow::Scalar>> BindLiteral(const std::string& text,
                                                   const std::shared_ptr<arrow::DataType>& type) {
  auto r = ParsePartitionValue(text, type);
  if (!r.ok()) {
    // The reason without the partition-value wording (empty text, the one difference, parses).
    auto why = ParseValueText(text, type);
    return Status::Invalid("filter literal '", text, "' is not a ", type->ToString(),
                           why.ok() ? "" : " (" + why.status().message() + ")");
  }
  return r;
}

Result<cp::Expression> ToExpression(const std::vector<Predicate>& filters,
                                    const arrow::Schema& schema) {
  std::vector<cp::Expression> terms;
  for (const auto& p : filters) {
    auto field = schema.GetFieldByName(p.column);
    if (!field) return Status::Invalid("filter: unknown column '", p.column, "'");
    auto ref = cp::field_ref(p.column);
    if (p.op == PredicateOp::kIsNull) {
      terms.push_back(cp::is_null(ref));
      continue;
    }
    if (p.op == PredicateOp::kIsNotNull) {
      terms.push_back(cp::is_valid(ref));
      continue;
    }
    if (p.values.empty()) return Status::Invalid("filter: ", p.column, " needs a value");
    if (p.op == PredicateOp::kIn) {
      std::unique_ptr<arrow::ArrayBuilder> builder;
      ARROW_RETURN_NOT_OK(
          arrow::MakeBuilder(arrow::default_memory_pool(), field->type(), &builder));
      for (const auto& v : p.values) {
        ARROW_ASSIGN_OR_RAISE(auto s, BindLiteral(v, field->type()));
        ARROW_RETURN_NOT_OK(builder->AppendScalar(*s));
      }
      ARROW_ASSIGN_OR_RAISE(auto set, builder->Finish());
      terms.push_back(cp::call("is_in", {ref}, cp::SetLookupOptions(set)));
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto lit, BindLiteral(p.values[0], field->type()));
    auto l = cp::literal(lit);
    switch (p.op) {
      case PredicateOp::kEq:
        terms.push_back(cp::equal(ref, l));
        break;
      case PredicateOp::kNe:
        terms.push_back(cp::not_equal(ref, l));
        break;
      case PredicateOp::kLt:
        terms.push_back(cp::less(ref, l));
        break;
      case PredicateOp::kLe:
        terms.push_back(cp::less_equal(ref, l));
        break;
      case PredicateOp::kGt:
        terms.push_back(cp::greater(ref, l));
        break;
      case PredicateOp::kGe:
        terms.push_back(cp::greater_equal(ref, l));
        break;
      default:
        break;
    }
  }
  if (terms.empty()) return cp::literal(true);
  return cp::and_(terms);
}

}  // namespace anatomy::delta
