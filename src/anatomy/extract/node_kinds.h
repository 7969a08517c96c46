#pragma once
// O(1) mapping of tree-sitter-python symbols and fields to the kinds the analyzer uses.

#include <tree_sitter/api.h>

#include <cstdint>

extern "C" const TSLanguage* tree_sitter_python();

namespace anatomy::extract {

// clang-format reflows these X-macro lists differently on every run.
// clang-format off
#define ANATOMY_NODE_KINDS(X)                                                                      \
  X(module)                                                                                        \
  X(identifier)                                                                                    \
  X(keyword_identifier)                                                                            \
  X(attribute) X(subscript) X(call) X(argument_list) X(keyword_argument) X(function_definition) X( \
      class_definition) X(decorated_definition) X(decorator) X(lambda) X(lambda_parameters)        \
      X(parameters) X(typed_parameter) X(default_parameter) X(typed_default_parameter) X(          \
          list_splat_pattern) X(dictionary_splat_pattern) X(tuple_pattern) X(list_pattern)         \
          X(pattern_list) X(tuple) X(list) X(parenthesized_expression) X(list_splat) X(            \
              dictionary_splat) X(assignment) X(augmented_assignment) X(delete_statement)          \
              X(global_statement) X(nonlocal_statement) X(import_statement) X(                     \
                  import_from_statement) X(future_import_statement) X(aliased_import)              \
                  X(dotted_name) X(relative_import) X(import_prefix) X(wildcard_import) X(         \
                      for_statement) X(for_in_clause) X(if_clause) X(except_clause) X(as_pattern)  \
                      X(as_pattern_target) X(list_comprehension) X(set_comprehension)              \
                          X(dictionary_comprehension) X(generator_expression) X(pair) X(           \
                              named_expression) X(match_statement) X(case_clause) X(case_pattern)  \
                              X(class_pattern) X(keyword_pattern) X(splat_pattern) X(dict_pattern) \
                                  X(union_pattern) X(complex_pattern) X(type_alias_statement)      \
                                      X(type_parameter) X(type) X(splat_type) X(generic_type)      \
                                          X(constrained_type) X(member_type) X(comment)            \
                                              X(expression_list) X(positional_separator)           \
                                                  X(keyword_separator) X(block)                    \
                                                      X(expression_statement) X(string)            \
                                                          X(concatenated_string)                   \
                                                              X(line_continuation)         \
  X(dictionary) X(set) X(return_statement) X(yield) X(with_statement) X(with_clause) X(with_item) \
  X(while_statement)
// clang-format on

enum class NK : uint8_t {
  kOther = 0,
#define ANATOMY_NK_ENUM(n) n,
  ANATOMY_NODE_KINDS(ANATOMY_NK_ENUM)
#undef ANATOMY_NK_ENUM
};

// clang-format off
#define ANATOMY_FIELDS(X)                                                                  \
  X(name)                                                                                  \
  X(parameters)                                                                            \
  X(body)                                                                                  \
  X(return_type) X(type_parameters) X(superclasses) X(definition) X(left) X(right) X(type) \
      X(value) X(alias) X(function) X(arguments) X(object) X(attribute) X(module_name)     \
          X(subscript) X(key) X(guard) X(subject) X(consequence) X(alternative) X(code)    \
              X(argument)
// clang-format on

struct Fields {
#define ANATOMY_FIELD_MEMBER(n) TSFieldId n = 0;
  ANATOMY_FIELDS(ANATOMY_FIELD_MEMBER)
#undef ANATOMY_FIELD_MEMBER
};

/// \brief The kind of a node (its visible symbol, aliases included).
NK KindOf(TSNode node);

/// \brief The field ids of the grammar, resolved once.
const Fields& PyFields();

}  // namespace anatomy::extract
