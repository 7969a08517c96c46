#pragma once

// Arrow schemas of row types and the conversion between std::vector<Row> and
// arrow::RecordBatch. Non-optional fields are NOT NULL, std::optional fields nullable;
// vector -> list, map<string,T> -> map<utf8,T>, nested struct -> struct, enum -> utf8,
// Bytes -> binary. List items and map values are nullable only when their C++ type is optional.

#include <arrow/api.h>

#include <memory>
#include <string>
#include <vector>

#include "anatomy/core/status.h"
#include "anatomy/serde/msgpack_codec.h"
#include "anatomy/serde/path.h"
#include "anatomy/serde/struct.h"

namespace anatomy::serde {
namespace internal {

template <typename T>
std::shared_ptr<arrow::DataType> ArrowTypeOf();

template <typename T>
std::shared_ptr<arrow::Field> ArrowFieldOf(const std::string& name) {
  if constexpr (IsOptional<T>::value) {
    return arrow::field(name, ArrowTypeOf<typename T::value_type>(), /*nullable=*/true);
  } else {
    return arrow::field(name, ArrowTypeOf<T>(), /*nullable=*/false);
  }
}

template <SerdeStruct T>
arrow::FieldVector ArrowFieldsOf() {
  arrow::FieldVector fields;
  ForEachField<T>([&](const auto& f, auto) {
    using M = std::decay_t<decltype(std::declval<T>().*f.member)>;
    fields.push_back(ArrowFieldOf<M>(std::string(f.name)));
  });
  return fields;
}

template <typename T>
std::shared_ptr<arrow::DataType> ArrowTypeOf() {
  if constexpr (std::is_same_v<T, bool>) {
    return arrow::boolean();
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return arrow::int32();
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return arrow::int64();
  } else if constexpr (std::is_same_v<T, double>) {
    return arrow::float64();
  } else if constexpr (std::is_same_v<T, std::string> || SerdeEnum<T>) {
    return arrow::utf8();
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return arrow::binary();
  } else if constexpr (IsOptional<T>::value) {
    return ArrowTypeOf<typename T::value_type>();
  } else if constexpr (IsVector<T>::value) {
    return arrow::list(ArrowFieldOf<typename T::value_type>("item"));
  } else if constexpr (IsStringMap<T>::value) {
    return std::make_shared<arrow::MapType>(arrow::field("key", arrow::utf8(), false),
                                            ArrowFieldOf<typename T::mapped_type>("value"));
  } else if constexpr (SerdeStruct<T>) {
    return arrow::struct_(ArrowFieldsOf<T>());
  } else {
    static_assert(kAlwaysFalse<T>, "type has no Arrow mapping");
  }
}

template <typename T>
Status AppendArrow(arrow::ArrayBuilder* b, const T& v) {
  if constexpr (std::is_same_v<T, bool>) {
    return static_cast<arrow::BooleanBuilder*>(b)->Append(v);
  } else if constexpr (std::is_same_v<T, int32_t>) {
    return static_cast<arrow::Int32Builder*>(b)->Append(v);
  } else if constexpr (std::is_same_v<T, int64_t>) {
    return static_cast<arrow::Int64Builder*>(b)->Append(v);
  } else if constexpr (std::is_same_v<T, double>) {
    return static_cast<arrow::DoubleBuilder*>(b)->Append(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return static_cast<arrow::StringBuilder*>(b)->Append(v);
  } else if constexpr (SerdeEnum<T>) {
    return static_cast<arrow::StringBuilder*>(b)->Append(EnumLiteral(v));
  } else if constexpr (std::is_same_v<T, Bytes>) {
    return static_cast<arrow::BinaryBuilder*>(b)->Append(v.data);
  } else if constexpr (IsOptional<T>::value) {
    return v ? AppendArrow(b, *v) : b->AppendNull();
  } else if constexpr (IsVector<T>::value) {
    auto* lb = static_cast<arrow::ListBuilder*>(b);
    ARROW_RETURN_NOT_OK(lb->Append());
    for (const auto& e : v) ARROW_RETURN_NOT_OK(AppendArrow(lb->value_builder(), e));
    return Status::OK();
  } else if constexpr (IsStringMap<T>::value) {
    auto* mb = static_cast<arrow::MapBuilder*>(b);
    ARROW_RETURN_NOT_OK(mb->Append());
    for (const auto& [k, e] : v) {
      ARROW_RETURN_NOT_OK(static_cast<arrow::StringBuilder*>(mb->key_builder())->Append(k));
      ARROW_RETURN_NOT_OK(AppendArrow(mb->item_builder(), e));
    }
    return Status::OK();
  } else if constexpr (SerdeStruct<T>) {
    auto* sb = static_cast<arrow::StructBuilder*>(b);
    ARROW_RETURN_NOT_OK(sb->Append());
    Status st;
    ForEachField<T>([&](const auto& f, auto i) {
      if (st.ok()) st = AppendArrow(sb->field_builder(static_cast<int>(i.value)), v.*f.member);
    });
    return st;
  } else {
    static_assert(kAlwaysFalse<T>, "type has no Arrow mapping");
  }
}

template <typename T>
Status ReadArrow(const arrow::Array& a, int64_t i, const Path& path, T* out) {
  if constexpr (IsOptional<T>::value) {
    if (a.IsNull(i)) {
      out->reset();
      return Status::OK();
    }
    return ReadArrow(a, i, path, &out->emplace());
  } else {
    if (a.IsNull(i)) return PathError(path, "unexpected null in a NOT NULL field");
    if constexpr (std::is_same_v<T, bool>) {
      *out = static_cast<const arrow::BooleanArray&>(a).Value(i);
    } else if constexpr (std::is_same_v<T, int32_t>) {
      *out = static_cast<const arrow::Int32Array&>(a).Value(i);
    } else if constexpr (std::is_same_v<T, int64_t>) {
      *out = static_cast<const arrow::Int64Array&>(a).Value(i);
    } else if constexpr (std::is_same_v<T, double>) {
      *out = static_cast<const arrow::DoubleArray&>(a).Value(i);
    } else if constexpr (std::is_same_v<T, std::string>) {
      *out = std::string(static_cast<const arrow::StringArray&>(a).GetView(i));
    } else if constexpr (SerdeEnum<T>) {
      auto s = static_cast<const arrow::StringArray&>(a).GetView(i);
      auto e = EnumFromLiteral<T>(s);
      if (!e) return EnumError(path, s, kEnumLiterals<T>);
      *out = *e;
    } else if constexpr (std::is_same_v<T, Bytes>) {
      out->data = std::string(static_cast<const arrow::BinaryArray&>(a).GetView(i));
    } else if constexpr (IsVector<T>::value) {
      const auto& la = static_cast<const arrow::ListArray&>(a);
      int64_t begin = la.value_offset(i);
      int64_t n = la.value_length(i);
      const arrow::Array& values = *la.values();
      out->clear();
      out->reserve(static_cast<size_t>(n));
      for (int64_t k = 0; k < n; ++k) {
        ARROW_RETURN_NOT_OK(ReadArrow(values, begin + k, path.Index(static_cast<uint64_t>(k)),
                                      &out->emplace_back()));
      }
    } else if constexpr (IsStringMap<T>::value) {
      const auto& ma = static_cast<const arrow::MapArray&>(a);
      int64_t begin = ma.value_offset(i);
      int64_t n = ma.value_length(i);
      const auto& keys = static_cast<const arrow::StringArray&>(*ma.keys());
      const arrow::Array& items = *ma.items();
      out->clear();
      for (int64_t k = 0; k < n; ++k) {
        std::string key(keys.GetView(begin + k));
        typename T::mapped_type v{};
        ARROW_RETURN_NOT_OK(ReadArrow(items, begin + k, path.Key(key), &v));
        out->insert_or_assign(std::move(key), std::move(v));
      }
    } else if constexpr (SerdeStruct<T>) {
      const auto& sa = static_cast<const arrow::StructArray&>(a);
      *out = T{};
      Status st;
      ForEachField<T>([&](const auto& f, auto k) {
        // field(k) is already sliced to the struct array's offset.
        if (st.ok()) {
          st = ReadArrow(*sa.field(static_cast<int>(k.value)), i, path.Field(f.name),
                         &(out->*f.member));
        }
      });
      return st;
    } else {
      static_assert(kAlwaysFalse<T>, "type has no Arrow mapping");
    }
    return Status::OK();
  }
}

/// Same physical layout, ignoring field nullability and child names (other writers differ
/// there, e.g. a list item called "element").
bool SameArrowLayout(const arrow::DataType& a, const arrow::DataType& b);

/// `column` in the layout of `expected`: as is when SameArrowLayout, else cast when Arrow
/// can (large_string, string_view, large_list, dictionary ... as other readers return them),
/// else an error naming the column.
Result<std::shared_ptr<arrow::Array>> ConformColumn(
    const std::string& name, std::shared_ptr<arrow::Array> column,
    const std::shared_ptr<arrow::DataType>& expected);

}  // namespace internal

/// \brief The Arrow schema of a row type, with metadata `anatomy.schema_name` and
/// `anatomy.schema_version` taken from the type's registered name (`..._vN`).
template <SerdeStruct T>
std::shared_ptr<arrow::Schema> ArrowSchemaOf() {
  constexpr auto& info = kStructInfo<T>;
  auto metadata = arrow::key_value_metadata(
      {"anatomy.schema_name", "anatomy.schema_version"},
      {std::string(info.name), std::to_string(SchemaVersionOf(info.name))});
  return arrow::schema(internal::ArrowFieldsOf<T>(), std::move(metadata));
}

/// \brief Rows to one record batch with ArrowSchemaOf<T>().
template <SerdeStruct T>
Result<std::shared_ptr<arrow::RecordBatch>> ToRecordBatch(
    const std::vector<T>& rows, arrow::MemoryPool* pool = arrow::default_memory_pool()) {
  auto schema = ArrowSchemaOf<T>();
  arrow::ArrayVector columns;
  Status st;
  ForEachField<T>([&](const auto& f, auto k) {
    if (!st.ok()) return;
    std::unique_ptr<arrow::ArrayBuilder> builder;
    st = arrow::MakeBuilder(pool, schema->field(static_cast<int>(k.value))->type(), &builder);
    if (!st.ok()) return;
    st = builder->Reserve(static_cast<int64_t>(rows.size()));
    for (const auto& row : rows) {
      if (!st.ok()) return;
      st = internal::AppendArrow(builder.get(), row.*f.member);
    }
    if (!st.ok()) return;
    std::shared_ptr<arrow::Array> array;
    st = builder->Finish(&array);
    columns.push_back(std::move(array));
  });
  ARROW_RETURN_NOT_OK(st);
  return arrow::RecordBatch::Make(schema, static_cast<int64_t>(rows.size()), std::move(columns));
}

/// \brief Rows of a record batch whose columns match ArrowSchemaOf<T>() by name and type
/// (extra columns are ignored; large/view string and list variants are cast; a missing
/// column, other type or null in a NOT NULL field is an error naming the row and column,
/// e.g. `$[4].delta_version`).
template <SerdeStruct T>
Result<std::vector<T>> FromRecordBatch(const arrow::RecordBatch& batch) {
  auto expected = ArrowSchemaOf<T>();
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (const auto& field : expected->fields()) {
    auto column = batch.GetColumnByName(field->name());
    if (column == nullptr) {
      return Status::Invalid("record batch has no column '", field->name(), "' of ",
                             kStructInfo<T>.name);
    }
    ARROW_ASSIGN_OR_RAISE(column,
                          internal::ConformColumn(field->name(), std::move(column), field->type()));
    columns.push_back(std::move(column));
  }
  std::vector<T> rows(static_cast<size_t>(batch.num_rows()));
  Path root;
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    Path row_path = root.Index(static_cast<uint64_t>(i));
    Status st;
    ForEachField<T>([&](const auto& f, auto k) {
      if (st.ok()) {
        st = internal::ReadArrow(*columns[k.value], i, row_path.Field(f.name),
                                 &(rows[static_cast<size_t>(i)].*f.member));
      }
    });
    ARROW_RETURN_NOT_OK(st);
  }
  return rows;
}

}  // namespace anatomy::serde
