#include "anatomy/delta/data_writer.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/byte_size.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>
#include <parquet/metadata.h>
#include <parquet/properties.h>
#include <parquet/statistics.h>
// For the parameter names only (Arrow links its own zstd): the experimental ones too.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "anatomy/delta/values.h"

namespace anatomy::delta {

namespace cp = arrow::compute;

std::string NewUuid() {
  thread_local std::mt19937_64 rng{
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count())};
  uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;
  b = (b & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;
  char buf[37];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xFFFF), static_cast<unsigned>(a & 0xFFFF),
                static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFull));
  return buf;
}

namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Cuts a UTF-8 string to at most `n` code points.
std::string Utf8Prefix(std::string_view s, int n, bool* truncated) {
  size_t i = 0;
  int count = 0;
  while (i < s.size() && count < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    i += len;
    ++count;
  }
  if (i > s.size()) i = s.size();
  *truncated = i < s.size();
  return std::string(s.substr(0, i));
}

Result<nlohmann::json> StatValue(const arrow::Scalar& s, bool is_max, int prefix) {
  if (!s.is_valid) return nlohmann::json(nullptr);
  switch (s.type->id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64: {
      ARROW_ASSIGN_OR_RAISE(auto v, s.CastTo(arrow::int64()));
      return nlohmann::json(static_cast<const arrow::Int64Scalar&>(*v).value);
    }
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE: {
      ARROW_ASSIGN_OR_RAISE(auto v, s.CastTo(arrow::float64()));
      double d = static_cast<const arrow::DoubleScalar&>(*v).value;
      if (!std::isfinite(d)) return nlohmann::json(nullptr);
      return nlohmann::json(d);
    }
    case arrow::Type::STRING: {
      bool truncated = false;
      std::string p =
          Utf8Prefix(static_cast<const arrow::StringScalar&>(s).view(), prefix, &truncated);
      // A truncated max must stay an upper bound: append the largest code point.
      if (truncated && is_max) p += "\xF4\x8F\xBF\xBF";
      return nlohmann::json(p);
    }
    case arrow::Type::DATE32:
      return nlohmann::json(s.ToString());
    case arrow::Type::TIMESTAMP: {
      // Milliseconds, floor (the spec truncates timestamp stats to milliseconds).
      const auto& ts = static_cast<const arrow::TimestampType&>(*s.type);
      ARROW_ASSIGN_OR_RAISE(auto us,
                            s.CastTo(arrow::timestamp(arrow::TimeUnit::MICRO, ts.timezone())));
      int64_t v = static_cast<const arrow::TimestampScalar&>(*us).value;
      int64_t ms = v >= 0 ? v / 1000 : -((-v + 999) / 1000);
      auto msv =
          std::make_shared<arrow::TimestampScalar>(ms, arrow::timestamp(arrow::TimeUnit::MILLI));
      std::string text = msv->ToString();  // "YYYY-MM-DD HH:MM:SS.mmm"
      if (text.find('.') == std::string::npos) text += ".000";
      text[10] = 'T';
      if (!ts.timezone().empty()) text += "Z";
      return nlohmann::json(text);
    }
    case arrow::Type::DECIMAL128: {
      // A JSON number, as the specification asks. Up to 15 digits a double's shortest form is
      // the decimal itself; wider decimals would round, which could prune wrongly: none.
      const auto& type = static_cast<const arrow::Decimal128Type&>(*s.type);
      if (type.precision() > 15) return nlohmann::json(nullptr);
      return nlohmann::json(
          static_cast<const arrow::Decimal128Scalar&>(s).value.ToDouble(type.scale()));
    }
    default:
      return nlohmann::json(nullptr);  // no min/max for booleans, binaries, nested
  }
}

/// A Parquet leaf column: its path (`edges.list.element.edge_id`, `decorators.list.element`).
struct Leaf {
  std::string path;
  const arrow::DataType* type;
  bool in_list;
};

void AddLeaves(const arrow::DataType& type, const std::string& path, bool in_list,
               std::vector<Leaf>* out) {
  if (const auto* list = dynamic_cast<const arrow::BaseListType*>(&type)) {
    AddLeaves(*list->value_type(), path + ".list.element", true, out);
  } else if (type.id() == arrow::Type::STRUCT) {
    for (const auto& field : type.fields())
      AddLeaves(*field->type(), path + "." + field->name(), in_list, out);
  } else {
    out->push_back({path, &type, in_list});
  }
}

std::vector<Leaf> Leaves(const arrow::Schema& schema) {
  std::vector<Leaf> out;
  for (const auto& field : schema.fields()) AddLeaves(*field->type(), field->name(), false, &out);
  return out;
}

}  // namespace

// The build's ids are hex digests that repeat as whole ids or not at all. Stepping over
// unmatched input faster (targetLength 3, with Huffman-coded literals kept on, which a
// targetLength otherwise turns off) and a 4K-entry hash table compressed their pages about 30%
// faster to the same size or smaller. Integer pages lose matches that way, and the pages of
// a dictionary column are its indices: they keep level 1 as it is.
std::shared_ptr<arrow::util::CodecOptions> StringPageCodecOptions(int level) {
  auto options = std::make_shared<arrow::util::ZstdCodecOptions>();
  options->compression_level = level;
  if (level == 1) {
    options->compression_context_params = {{ZSTD_c_targetLength, 3},
                                           {ZSTD_c_literalCompressionMode, ZSTD_ps_enable},
                                           {ZSTD_c_hashLog, 12}};
  }
  return options;
}

namespace {

/// Columns whose values repeat little: dictionary encoding of them is wasted work, so it is
/// turned off for them. The Parquet writer hashes every value into the dictionary, and zstd
/// already finds the repeats of a plain page (an entity's id on its few adjacent property
/// rows, a path on a file's rows). On the stdlib build, keeping dictionaries only for columns
/// whose values average kMinRepeats rows each (kinds, keys, methods) took 2.5% less CPU than
/// keeping them for all but mostly-unique columns, and wrote 2% fewer bytes. Judged on a sample
/// of the first values. The fields of a list of structs are judged on their elements
/// (`edges.list.element.edge_id`: Parquet column paths).
constexpr int64_t kMinRowsToJudge = 1024;
constexpr int64_t kMinRepeats = 64;

bool IsDictionaryCandidate(const arrow::DataType& type) {
  auto id = type.id();
  return arrow::is_integer(id) || arrow::is_floating(id) || arrow::is_base_binary_like(id) ||
         id == arrow::Type::TIMESTAMP || id == arrow::Type::DATE32 || id == arrow::Type::DECIMAL128;
}

bool RepeatsLittle(const arrow::Datum& sample, int64_t length) {
  auto distinct = cp::CallFunction("count_distinct", {sample});
  return distinct.ok() && kMinRepeats * distinct->scalar_as<arrow::Int64Scalar>().value > length;
}

std::vector<std::string> RarelyRepeatedColumns(const arrow::Table& table) {
  constexpr int64_t kSample = 1 << 13;  // enough to tell "repeats little" from "repeats"
  std::vector<std::string> out;
  for (int i = 0; i < table.num_columns(); ++i) {
    const auto& col = table.column(i);
    const std::string& name = table.schema()->field(i)->name();
    if (col->num_chunks() == 0) continue;
    if (IsDictionaryCandidate(*col->type())) {
      if (col->length() < kMinRowsToJudge) continue;
      auto sample = col->Slice(0, std::min(kSample, col->length()));
      if (RepeatsLittle(sample, sample->length())) out.push_back(name);
      continue;
    }
    const auto* list = dynamic_cast<const arrow::ListType*>(col->type().get());
    if (!list || list->value_type()->id() != arrow::Type::STRUCT) continue;
    // The elements of the first chunk's lists.
    const auto& lists = static_cast<const arrow::ListArray&>(*col->chunk(0));
    auto elements = lists.values()->Slice(
        lists.value_offset(0), lists.value_offset(lists.length()) - lists.value_offset(0));
    if (elements->length() < kMinRowsToJudge) continue;
    elements = elements->Slice(0, std::min(kSample, elements->length()));
    const auto& structs = static_cast<const arrow::StructArray&>(*elements);
    const auto& type = static_cast<const arrow::StructType&>(*structs.type());
    for (int f = 0; f < type.num_fields(); ++f) {
      if (!IsDictionaryCandidate(*type.field(f)->type())) continue;
      auto field = structs.GetFlattenedField(f);
      if (field.ok() && RepeatsLittle(*field, (*field)->length()))
        out.push_back(name + ".list.element." + type.field(f)->name());
    }
  }
  return out;
}

/// How many rows make a given number of bytes in a file. Rows of nested outputs differ in size
/// by orders of magnitude (a node's list of edges holds one or 40,000), so a row group of a fixed
/// count would make files far over their target: rows are weighed as one plus the elements of
/// their top-level lists, and a unit's encoded size is learned from the row groups written (at
/// first, a guess from the in-memory size). Tables without lists are cut by row counts only.
class RowSizes {
 public:
  explicit RowSizes(const arrow::Table& table) {
    std::vector<const arrow::ChunkedArray*> lists;
    for (const auto& column : table.columns()) {
      if (column->type()->id() == arrow::Type::LIST) lists.push_back(column.get());
    }
    if (lists.empty() || table.num_rows() == 0) return;
    units_.assign(static_cast<size_t>(table.num_rows()) + 1, 0);
    for (int64_t i = 0; i < table.num_rows(); ++i) units_[i + 1] = 1;
    for (const auto* column : lists) {
      int64_t row = 0;
      for (const auto& chunk : column->chunks()) {
        const auto& list = static_cast<const arrow::ListArray&>(*chunk);
        for (int64_t i = 0; i < list.length(); ++i, ++row) units_[row + 1] += list.value_length(i);
      }
    }
    for (size_t i = 1; i < units_.size(); ++i) units_[i] += units_[i - 1];
    // Parquet with zstd keeps about a quarter of the in-memory bytes of these tables.
    const auto bytes = arrow::util::TotalBufferSize(table);
    bytes_per_unit_ = std::max(1.0, static_cast<double>(bytes) / 4 / units_.back());
  }

  /// Rows from `offset` that make about `bytes` (at least one); all of them when unweighed.
  int64_t RowsFor(int64_t offset, int64_t bytes) const {
    if (units_.empty()) return std::numeric_limits<int64_t>::max();
    const double want = std::max<double>(bytes, 0) / bytes_per_unit_;
    auto end = std::lower_bound(units_.begin() + offset + 1, units_.end(),
                                units_[offset] + static_cast<int64_t>(want));
    return std::max<int64_t>(1, end - (units_.begin() + offset));
  }

  /// Rows [offset, offset + n) took `bytes` in the file.
  void Learn(int64_t offset, int64_t n, int64_t bytes) {
    if (units_.empty() || bytes <= 0) return;
    bytes_per_unit_ = static_cast<double>(bytes) / (units_[offset + n] - units_[offset]);
  }

 private:
  std::vector<int64_t> units_;  // prefix sums of row weights
  double bytes_per_unit_ = 1;
};

// Writes `part`'s rows as files of the target size. With `full_rows` (a streamed write that
// goes on), the rows left over after the last full file, fewer than a full file holds (as
// learned from the files written, *full_rows; at first a row group), are not written: the
// offset of the first of them is returned. Columns in `plain` are written without a
// dictionary.
Result<int64_t> WriteOneFile(Storage& storage, const std::shared_ptr<arrow::Table>& part,
                             const std::string& dir, const PartitionValues& pvalues,
                             const DataWriteOptions& options,
                             const std::vector<std::string>& stats_columns,
                             std::vector<AddFile>* out, const std::vector<std::string>& plain,
                             int64_t* full_rows = nullptr) {
  parquet::WriterProperties::Builder builder;
  builder.compression(arrow::Compression::ZSTD)
      ->compression_level(options.compression_level)
      ->enable_statistics()
      ->max_row_group_length(options.row_group_rows);
  const auto string_codec = StringPageCodecOptions(options.compression_level);
  for (const auto& leaf : Leaves(*part->schema())) {
    // Delta statistics cover top-level columns only, and readers do not prune on list
    // elements, so the writer's min/max of these (a third of the build's string statistics:
    // the element columns of the nested outputs) would be computed for nothing.
    if (leaf.in_list) builder.disable_statistics(leaf.path);
    if (std::find(plain.begin(), plain.end(), leaf.path) == plain.end()) continue;
    builder.disable_dictionary(leaf.path);
    if (arrow::is_base_binary_like(leaf.type->id())) builder.codec_options(leaf.path, string_codec);
  }
  auto props = builder.build();
  auto arrow_props = parquet::ArrowWriterProperties::Builder()
                         .coerce_timestamps(arrow::TimeUnit::MICRO)
                         ->set_use_threads(true)  // encode columns in parallel
                         ->build();
  int64_t offset = 0;
  const int64_t rows = part->num_rows();
  RowSizes sizes(*part);
  int file_index = 0;
  do {
    if (full_rows && rows - offset < std::max(*full_rows, options.row_group_rows)) return offset;
    std::string name =
        "part-" + std::string(5 - std::min<size_t>(5, std::to_string(file_index).size()), '0') +
        std::to_string(file_index) + "-" + NewUuid() + "-c000.zstd.parquet";
    ++file_index;
    std::string rel = dir.empty() ? name : dir + "/" + name;
    ARROW_ASSIGN_OR_RAISE(auto sink, storage.OpenWrite(rel));
    ARROW_ASSIGN_OR_RAISE(
        auto writer, parquet::arrow::FileWriter::Open(*part->schema(), arrow::default_memory_pool(),
                                                      sink, props, arrow_props));
    int64_t start = offset;
    ARROW_ASSIGN_OR_RAISE(int64_t pos, sink->Tell());
    do {
      int64_t n = std::min(sizes.RowsFor(offset, options.target_file_size - pos),
                           std::min(options.row_group_rows, rows - offset));
      ARROW_RETURN_NOT_OK(writer->WriteTable(*part->Slice(offset, n), n));
      ARROW_ASSIGN_OR_RAISE(int64_t now, sink->Tell());
      sizes.Learn(offset, n, now - pos);
      offset += n;
      pos = now;
      if (pos >= options.target_file_size) break;
    } while (offset < rows);
    ARROW_RETURN_NOT_OK(writer->Close());
    std::shared_ptr<parquet::FileMetaData> footer = writer->metadata();
    ARROW_ASSIGN_OR_RAISE(int64_t size, sink->Tell());
    if (full_rows && size >= options.target_file_size) *full_rows = offset - start;
    ARROW_RETURN_NOT_OK(sink->Close());
    AddFile add;
    add.path = UriEncodePath(rel);
    add.partition_values = pvalues;
    add.size = size;
    add.modification_time = NowMs();
    add.data_change = true;
    ARROW_ASSIGN_OR_RAISE(auto stats,
                          ComputeStatsJson(*part->Slice(start, offset - start), stats_columns,
                                           options.string_prefix_length, footer.get()));
    add.stats = std::move(stats);
    out->push_back(std::move(add));
  } while (offset < rows);
  return offset;
}

/// The min and max of a top-level column over every row group of a file just written, from the
/// statistics the Parquet writer gathered while encoding (no second pass over the data).
/// nullopt when they cannot stand in for a compute pass: floating point (Parquet leaves NaN out
/// of its bounds; Delta stats must then have none), a row group without min/max (e.g. values
/// longer than the statistics size limit), or a type the footer does not map back exactly.
std::optional<std::pair<std::shared_ptr<arrow::Scalar>, std::shared_ptr<arrow::Scalar>>>
FooterMinMax(const parquet::FileMetaData& footer, const std::string& name,
             const std::shared_ptr<arrow::DataType>& type) {
  auto id = type->id();
  bool exact = arrow::is_integer(id) || id == arrow::Type::STRING || id == arrow::Type::DATE32;
  if (!exact) return std::nullopt;
  int leaf = footer.schema()->ColumnIndex(name);
  if (leaf < 0 || footer.num_row_groups() == 0) return std::nullopt;
  arrow::ScalarVector mins, maxs;
  for (int rg = 0; rg < footer.num_row_groups(); ++rg) {
    auto chunk = footer.RowGroup(rg)->ColumnChunk(leaf);
    auto st = chunk->statistics();
    if (!st) return std::nullopt;
    if (st->HasNullCount() && st->null_count() == chunk->num_values()) continue;  // all null
    if (!st->HasMinMax()) return std::nullopt;
    std::shared_ptr<arrow::Scalar> lo, hi;
    if (!parquet::arrow::StatisticsAsScalars(*st, &lo, &hi).ok()) return std::nullopt;
    auto lo_cast = lo->CastTo(type);
    auto hi_cast = hi->CastTo(type);
    if (!lo_cast.ok() || !hi_cast.ok()) return std::nullopt;
    mins.push_back(*lo_cast);
    maxs.push_back(*hi_cast);
  }
  if (mins.empty()) return std::nullopt;
  auto fold = [&](const arrow::ScalarVector& v, int which) -> std::shared_ptr<arrow::Scalar> {
    auto builder = arrow::MakeBuilder(type);
    if (!builder.ok() || !(*builder)->AppendScalars(v).ok()) return nullptr;
    auto arr = (*builder)->Finish();
    if (!arr.ok()) return nullptr;
    auto mm = cp::CallFunction("min_max", {*arr});
    if (!mm.ok()) return nullptr;
    return mm->scalar_as<arrow::StructScalar>().value[which];
  };
  auto lo = fold(mins, 0), hi = fold(maxs, 1);
  if (!lo || !hi) return std::nullopt;
  return std::make_pair(lo, hi);
}

/// Min and max of a floating-point column in one pass, with whether it holds a NaN (values under
/// nulls ignored). Arrow's min_max kernel calls fmin/fmax per value, which costs an append of
/// a 10M-row double column more than encoding it.
template <typename ArrowType>
std::pair<std::shared_ptr<arrow::Scalar>, std::shared_ptr<arrow::Scalar>> FloatMinMax(
    const arrow::ChunkedArray& col, bool* has_nan) {
  using T = typename ArrowType::c_type;
  T lo = std::numeric_limits<T>::infinity(), hi = -std::numeric_limits<T>::infinity();
  bool nan = false, any = false;
  for (const auto& chunk : col.chunks()) {
    const auto& a = static_cast<const arrow::NumericArray<ArrowType>&>(*chunk);
    const T* v = a.raw_values();
    const int64_t n = a.length();
    if (a.null_count() == 0) {
      for (int64_t i = 0; i < n; ++i) {
        T x = v[i];
        nan |= x != x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
      }
      any = any || n > 0;
    } else {
      for (int64_t i = 0; i < n; ++i) {
        if (a.IsNull(i)) continue;
        T x = v[i];
        nan |= x != x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        any = true;
      }
    }
  }
  *has_nan = nan;
  if (!any) return {nullptr, nullptr};
  return {std::make_shared<arrow::NumericScalar<ArrowType>>(lo),
          std::make_shared<arrow::NumericScalar<ArrowType>>(hi)};
}

}  // namespace

Result<std::string> ComputeStatsJson(const arrow::Table& table,
                                     const std::vector<std::string>& columns,
                                     int string_prefix_length,
                                     const parquet::FileMetaData* footer) {
  nlohmann::ordered_json j;
  j["numRecords"] = table.num_rows();
  nlohmann::ordered_json mins = nlohmann::ordered_json::object(), maxs = mins, nulls = mins;
  for (const auto& name : columns) {
    auto col = table.GetColumnByName(name);
    if (!col) continue;
    // Nested columns would need stats mirroring their structure; they get none.
    if (arrow::is_nested(col->type()->id())) continue;
    nulls[name] = col->null_count();
    if (col->null_count() == col->length()) continue;
    std::shared_ptr<arrow::Scalar> min, max;
    auto id = col->type()->id();
    if (id == arrow::Type::FLOAT || id == arrow::Type::DOUBLE) {
      // NaN makes bounds meaningless for readers that order it above +inf: leave them out.
      bool nan = false;
      std::tie(min, max) = id == arrow::Type::FLOAT ? FloatMinMax<arrow::FloatType>(*col, &nan)
                                                    : FloatMinMax<arrow::DoubleType>(*col, &nan);
      if (nan || !min) continue;
    } else if (footer) {
      auto mm = FooterMinMax(*footer, name, col->type());
      if (mm) std::tie(min, max) = *mm;
    }
    if (!min || !max) {
      auto mm = cp::CallFunction("min_max", {col});
      if (!mm.ok()) continue;
      const auto& st = mm->scalar_as<arrow::StructScalar>();
      min = st.value[0];
      max = st.value[1];
    }
    ARROW_ASSIGN_OR_RAISE(auto lo, StatValue(*min, false, string_prefix_length));
    ARROW_ASSIGN_OR_RAISE(auto hi, StatValue(*max, true, string_prefix_length));
    if (!lo.is_null()) mins[name] = nlohmann::ordered_json::parse(lo.dump());
    if (!hi.is_null()) maxs[name] = nlohmann::ordered_json::parse(hi.dump());
  }
  j["minValues"] = mins;
  j["maxValues"] = maxs;
  j["nullCount"] = nulls;
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

DataFileWriter::DataFileWriter(Storage& storage, std::vector<std::string> partition_columns,
                               DataWriteOptions options)
    : storage_(storage),
      partition_columns_(std::move(partition_columns)),
      options_(std::move(options)) {}

DataFileWriter::~DataFileWriter() = default;

Result<std::vector<AddFile>> DataFileWriter::Write(const std::shared_ptr<arrow::Table>& data,
                                                   bool last) {
  std::vector<AddFile> out;
  if (data->num_rows() > 0) ARROW_RETURN_NOT_OK(WritePartitions(data, last, &out));
  if (last) {
    // What earlier chunks held back and this one did not reach.
    for (auto& [dir, held] : held_) {
      ARROW_RETURN_NOT_OK(WriteOneFile(storage_, held.rows, dir, held.values, options_,
                                       stats_columns_, &out, PlainColumns(dir, *held.rows))
                              .status());
    }
    held_.clear();
  }
  return out;
}

std::vector<std::string> DataFileWriter::PlainColumns(const std::string& dir,
                                                      const arrow::Table& rows) {
  auto it = plain_.find(dir);
  if (it != plain_.end()) return it->second;
  // Decided once per partition and write, on the first rows enough to judge by (the later
  // chunks of a streamed write are more of the same); smaller samples are judged again.
  auto plain = RarelyRepeatedColumns(rows);
  if (rows.num_rows() >= kMinRowsToJudge) plain_.emplace(dir, plain);
  return plain;
}

Status DataFileWriter::WritePart(std::shared_ptr<arrow::Table> part, const std::string& dir,
                                 const PartitionValues& values, bool last,
                                 std::vector<AddFile>* out) {
  auto held = held_.find(dir);
  if (held != held_.end()) {
    ARROW_ASSIGN_OR_RAISE(part, arrow::ConcatenateTables({held->second.rows, part}));
    held_.erase(held);
  }
  int64_t* full_rows = last ? nullptr : &full_rows_[dir];
  ARROW_ASSIGN_OR_RAISE(int64_t written,
                        WriteOneFile(storage_, part, dir, values, options_, stats_columns_, out,
                                     PlainColumns(dir, *part), full_rows));
  if (written == part->num_rows()) return Status::OK();
  // Held back: copied, so that the chunk it comes from can go.
  auto tail = part->Slice(written);
  arrow::ArrayVector columns;
  for (const auto& column : tail->columns()) {
    ARROW_ASSIGN_OR_RAISE(auto copy, arrow::Concatenate(column->chunks()));
    columns.push_back(std::move(copy));
  }
  held_[dir] = {arrow::Table::Make(tail->schema(), columns, tail->num_rows()), values};
  return Status::OK();
}

Status DataFileWriter::WritePartitions(const std::shared_ptr<arrow::Table>& data, bool last,
                                       std::vector<AddFile>* out) {
  // Data columns (partition columns live in folder names and the log, not in the files).
  std::vector<int> data_idx;
  std::vector<std::string> data_names;
  for (int i = 0; i < data->num_columns(); ++i) {
    const auto& n = data->schema()->field(i)->name();
    bool is_part = std::find(partition_columns_.begin(), partition_columns_.end(), n) !=
                   partition_columns_.end();
    if (!is_part) {
      data_idx.push_back(i);
      data_names.push_back(n);
    }
  }
  stats_columns_.clear();
  if (options_.stats_columns) {
    stats_columns_ = *options_.stats_columns;
  } else {
    for (size_t i = 0; i < data_names.size() && static_cast<int>(i) < options_.num_indexed_cols;
         ++i) {
      stats_columns_.push_back(data_names[i]);
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto data_only, data->SelectColumns(data_idx));
  if (partition_columns_.empty()) return WritePart(data_only, "", {}, last, out);
  const auto& partition_columns = partition_columns_;
  // Group rows by the tuple of partition values (dictionary indexes per column).
  std::vector<std::shared_ptr<arrow::Array>> dicts;
  std::vector<std::shared_ptr<arrow::Int32Array>> codes;
  for (const auto& pc : partition_columns) {
    auto col = data->GetColumnByName(pc);
    if (!col) return Status::Invalid("partition column '", pc, "' is missing from the data");
    ARROW_ASSIGN_OR_RAISE(auto combined, arrow::Concatenate(col->chunks()));
    ARROW_ASSIGN_OR_RAISE(auto enc, cp::DictionaryEncode(combined));
    auto dict = std::static_pointer_cast<arrow::DictionaryArray>(enc.make_array());
    ARROW_ASSIGN_OR_RAISE(auto idx, cp::Cast(*dict->indices(), arrow::int32()));
    dicts.push_back(dict->dictionary());
    codes.push_back(std::static_pointer_cast<arrow::Int32Array>(idx));
  }
  // Runs of equal partition values, in row order. When each partition is one run (rows come
  // ordered by partition, as the write pipeline orders them), its rows are a zero-copy slice.
  struct Run {
    int64_t start, length;
  };
  std::map<std::vector<int32_t>, std::vector<Run>> groups;
  std::vector<int32_t> key(partition_columns.size()), previous;
  for (int64_t r = 0; r < data->num_rows(); ++r) {
    for (size_t c = 0; c < codes.size(); ++c)
      key[c] = codes[c]->IsNull(r) ? -1 : codes[c]->Value(r);
    if (r > 0 && key == previous) {
      ++groups[key].back().length;
      continue;
    }
    groups[key].push_back({r, 1});
    previous = key;
  }
  for (const auto& [k, runs] : groups) {
    PartitionValues pv;
    std::string dir;
    for (size_t c = 0; c < k.size(); ++c) {
      std::optional<std::string> text;
      if (k[c] >= 0) {
        ARROW_ASSIGN_OR_RAISE(auto s, dicts[c]->GetScalar(k[c]));
        ARROW_ASSIGN_OR_RAISE(text, SerializePartitionValue(*s));
      }
      pv[partition_columns[c]] = text;
      dir += (dir.empty() ? "" : "/") + HivePartitionSegment(partition_columns[c], text);
    }
    std::shared_ptr<arrow::Table> part;
    if (runs.size() == 1) {
      part = data_only->Slice(runs[0].start, runs[0].length);
    } else {
      std::vector<std::shared_ptr<arrow::Table>> slices;
      for (const auto& run : runs) slices.push_back(data_only->Slice(run.start, run.length));
      ARROW_ASSIGN_OR_RAISE(part, arrow::ConcatenateTables(slices));
    }
    ARROW_RETURN_NOT_OK(WritePart(std::move(part), dir, pv, last, out));
  }
  return Status::OK();
}

Result<std::vector<AddFile>> WriteDataFiles(Storage& storage,
                                            const std::shared_ptr<arrow::Table>& data,
                                            const std::vector<std::string>& partition_columns,
                                            const DataWriteOptions& options) {
  return DataFileWriter(storage, partition_columns, options).Write(data, /*last=*/true);
}

}  // namespace anatomy::delta
