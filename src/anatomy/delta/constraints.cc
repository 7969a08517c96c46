#include "anatomy/delta/constraints.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include <cctype>
#include <nlohmann/json.hpp>

namespace anatomy::delta {

namespace cp = arrow::compute;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// ParseFilter reads an unquoted word after an operator as a literal; in SQL it is a column or
/// a function. Returns the first such word (true/false/null excepted), or "" when none.
std::string BareWordInValuePosition(std::string_view s) {
  bool value_position = false, in_list = false;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '\'' || c == '"' || c == '`') {
      // Quoted: a string literal ('...', '' escapes) or a quoted identifier.
      size_t j = i + 1;
      while (j < s.size()) {
        if (s[j] == c && c == '\'' && j + 1 < s.size() && s[j + 1] == '\'') {
          j += 2;
          continue;
        }
        if (s[j] == c) break;
        ++j;
      }
      i = j + 1;
      value_position = false;
    } else if (std::string_view("=!<>").find(c) != std::string_view::npos) {
      while (i < s.size() && std::string_view("=!<>").find(s[i]) != std::string_view::npos) ++i;
      value_position = true;
    } else if (c == '(') {
      ++i;
      in_list = value_position = true;
    } else if (c == ',') {
      ++i;
      value_position = in_list;
    } else if (c == ')') {
      ++i;
      in_list = value_position = false;
    } else {
      size_t j = i;
      while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j])) &&
             std::string_view("=!<>(),'\"`").find(s[j]) == std::string_view::npos) {
        ++j;
      }
      std::string word(s.substr(i, j - i));
      const bool starts_alpha = std::isalpha(static_cast<unsigned char>(word[0])) || word[0] == '_';
      const std::string low = Lower(word);
      if (value_position && starts_alpha && low != "true" && low != "false" && low != "null") {
        return word;
      }
      value_position = false;
      i = j;
    }
  }
  return "";
}

/// Parses one expression into predicates over top-level columns of `schema` (resolved
/// case-insensitively, as Spark does), or NotImplemented naming the constraint.
Result<Constraint> Parse(std::string name, std::string expression, const DeltaType& schema) {
  Constraint c{std::move(name), std::move(expression), {}};
  auto refuse = [&](const std::string& why) {
    return Status::NotImplemented(c.name, " (", c.expression,
                                  ") cannot be evaluated by anatomy: ", why,
                                  "; writes to this table are refused");
  };
  auto parsed = ParseFilter(c.expression);
  if (!parsed.ok()) {
    return refuse(
        "only conjunctions (AND) of column =, !=, <, <=, >, >=, IN, IS [NOT] NULL "
        "literal are supported (" +
        parsed.status().message() + ")");
  }
  if (auto word = BareWordInValuePosition(c.expression); !word.empty()) {
    return refuse("'" + word + "' compares with a column or function, not a literal");
  }
  if (parsed->empty()) return refuse("empty expression");
  for (auto& p : *parsed) {
    if (schema.FindField(p.column)) continue;
    const StructField* match = nullptr;
    int matches = 0;
    for (const auto& f : schema.fields) {
      if (Lower(f.name) == Lower(p.column)) {
        match = &f;
        ++matches;
      }
    }
    if (matches != 1) return refuse("'" + p.column + "' is not a top-level column");
    p.column = match->name;
  }
  c.filters = std::move(*parsed);
  return c;
}

/// Invariants of the fields of a struct; nested ones are refused (our grammar names top-level
/// columns only).
Status CollectInvariants(const DeltaType& type, const DeltaType& schema, const std::string& prefix,
                         std::vector<Constraint>* out) {
  for (const auto& f : type.fields) {
    const std::string path = prefix.empty() ? f.name : prefix + "." + f.name;
    auto md = nlohmann::json::parse(f.metadata_json, nullptr, /*allow_exceptions=*/false);
    if (md.is_object()) {
      auto inv = md.find("delta.invariants");
      if (inv != md.end()) {
        const std::string name = "invariant of column " + path;
        // The value is JSON text: {"expression": {"expression": "<SQL>"}}.
        nlohmann::json parsed = inv->is_string()
                                    ? nlohmann::json::parse(inv->get<std::string>(), nullptr, false)
                                    : *inv;
        std::string expr;
        if (parsed.is_object() && parsed.contains("expression") &&
            parsed["expression"].is_object() && parsed["expression"].contains("expression") &&
            parsed["expression"]["expression"].is_string()) {
          expr = parsed["expression"]["expression"].get<std::string>();
        } else {
          return Status::Invalid(name,
                                 ": delta.invariants is not {\"expression\": "
                                 "{\"expression\": \"<SQL>\"}}");
        }
        if (!prefix.empty()) {
          return Status::NotImplemented(name, " (", expr,
                                        ") cannot be evaluated by anatomy: invariants of nested "
                                        "columns are not supported; writes to this table are "
                                        "refused");
        }
        ARROW_ASSIGN_OR_RAISE(auto c, Parse(name, expr, schema));
        out->push_back(std::move(c));
      }
    }
    if (f.type && f.type->kind == DeltaType::Kind::kStruct) {
      ARROW_RETURN_NOT_OK(CollectInvariants(*f.type, schema, path, out));
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::vector<Constraint>> TableConstraints(const Metadata& metadata,
                                                 const DeltaType& schema) {
  std::vector<Constraint> out;
  for (const auto& [key, value] : metadata.configuration) {
    if (key.rfind("delta.constraints.", 0) != 0) continue;
    ARROW_ASSIGN_OR_RAISE(auto c, Parse("CHECK constraint " + key, value, schema));
    out.push_back(std::move(c));
  }
  ARROW_RETURN_NOT_OK(CollectInvariants(schema, schema, "", &out));
  return out;
}

Status EnforceConstraints(const std::vector<Constraint>& constraints, const arrow::Table& data) {
  if (constraints.empty() || data.num_rows() == 0) return Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto batch, data.CombineChunksToBatch());
  for (const auto& c : constraints) {
    auto expr = ToExpression(c.filters, *data.schema());
    if (expr.ok()) expr = expr->Bind(*data.schema());
    if (!expr.ok()) {
      return Status::NotImplemented(c.name, " (", c.expression,
                                    ") cannot be evaluated: ", expr.status().message());
    }
    ARROW_ASSIGN_OR_RAISE(auto mask,
                          cp::ExecuteScalarExpression(*expr, *data.schema(), arrow::Datum(batch)));
    // A row passes only when the expression is true: false and null both violate.
    ARROW_ASSIGN_OR_RAISE(auto passed, cp::CallFunction("coalesce", {mask, arrow::Datum(false)}));
    ARROW_ASSIGN_OR_RAISE(auto failed, cp::Invert(passed));
    ARROW_ASSIGN_OR_RAISE(auto count, cp::Sum(failed));
    int64_t n = 0;
    if (count.scalar()->is_valid) {
      ARROW_ASSIGN_OR_RAISE(auto as_int, count.scalar()->CastTo(arrow::int64()));
      n = static_cast<const arrow::Int64Scalar&>(*as_int).value;
    }
    if (n > 0) {
      return Status::Invalid(c.name, " (", c.expression, ") is violated by ", n, " of ",
                             data.num_rows(), " rows; nothing was written");
    }
  }
  return Status::OK();
}

}  // namespace anatomy::delta
