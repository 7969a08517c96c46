#include "anatomy/engine/sort.h"

#include <arrow/api.h>
#include <arrow/array/concatenate.h>
#include <arrow/compute/api.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/thread_pool.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "anatomy/core/parallel.h"

namespace anatomy::engine {

namespace {

namespace cp = arrow::compute;
using Row = uint32_t;

// Where a row sorts by its value class, before its value: Arrow places nulls and NaNs
// together at one end ([values][NaN][null], or [null][NaN][values] with nulls first),
// whatever the order of the key.
enum ValueClass : uint8_t { kValue = 0, kNaN = 1, kNull = 2 };

bool IsStringLike(arrow::Type::type id) {
  return id == arrow::Type::STRING || id == arrow::Type::BINARY ||
         id == arrow::Type::LARGE_STRING || id == arrow::Type::LARGE_BINARY;
}

bool IsSupportedKey(const arrow::DataType& type) {
  return IsStringLike(type.id()) || arrow::is_integer(type.id()) || arrow::is_floating(type.id()) ||
         type.id() == arrow::Type::BOOL;
}

// One sort key, materialised per row: dense ranks when it has few distinct values, the raw
// values otherwise.
struct Key {
  bool descending = false;
  bool nulls_first = false;
  bool ranked = false;
  std::vector<uint32_t> rank;  // ranked: the row's position among the key's classes and values
  uint64_t rank_count = 0;
  std::vector<uint8_t> value_class;  // raw: the row's ValueClass
  std::vector<std::string_view> strings;
  std::vector<int64_t> ints;
  std::vector<uint64_t> uints;
  std::vector<double> doubles;
  enum { kString, kInt, kUInt, kDouble } raw_kind = kString;

  // Orders the classes of two rows as Arrow does (null placement ignores the direction).
  int CompareClass(uint8_t a, uint8_t b) const {
    if (a == b) return 0;
    const int order = a < b ? -1 : 1;
    return nulls_first ? -order : order;
  }

  // Raw keys: -1, 0, 1 as row a sorts before, with or after row b.
  int Compare(Row a, Row b) const {
    if (ranked) return rank[a] < rank[b] ? -1 : (rank[a] > rank[b] ? 1 : 0);
    const uint8_t ca = value_class[a], cb = value_class[b];
    if (ca != cb) return CompareClass(ca, cb);
    if (ca != kValue) return 0;
    int c = 0;
    switch (raw_kind) {
      case kString: {
        const int r = strings[a].compare(strings[b]);
        c = r < 0 ? -1 : (r > 0 ? 1 : 0);
        break;
      }
      case kInt:
        c = ints[a] < ints[b] ? -1 : (ints[a] > ints[b] ? 1 : 0);
        break;
      case kUInt:
        c = uints[a] < uints[b] ? -1 : (uints[a] > uints[b] ? 1 : 0);
        break;
      case kDouble:
        c = doubles[a] < doubles[b] ? -1 : (doubles[a] > doubles[b] ? 1 : 0);
        break;
    }
    return descending ? -c : c;
  }
};

// Big-endian first eight bytes, zero padded: compares like the strings' first bytes.
uint64_t Prefix(std::string_view s) {
  unsigned char bytes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::memcpy(bytes, s.data(), std::min<size_t>(8, s.size()));
  uint64_t v = 0;
  for (unsigned char b : bytes) v = (v << 8) | b;
  return v;
}

// The row's string, or null; for every chunk of a string-like column.
template <typename ArrayType>
void CollectStrings(const arrow::ChunkedArray& column, Key* key) {
  for (const auto& chunk : column.chunks()) {
    const auto& a = static_cast<const ArrayType&>(*chunk);
    for (int64_t i = 0; i < a.length(); ++i) {
      const bool valid = a.IsValid(i);
      key->value_class.push_back(valid ? kValue : kNull);
      key->strings.push_back(valid ? std::string_view(a.GetView(i)) : std::string_view());
    }
  }
}

// Replaces a string key's values by dense ranks when it has at most `limit` distinct values.
void RankStrings(Key* key, size_t limit) {
  std::unordered_map<std::string_view, uint32_t> codes;
  std::vector<uint32_t> code(key->strings.size());
  std::vector<std::string_view> distinct;
  std::string_view previous;
  uint32_t previous_code = UINT32_MAX;
  for (size_t i = 0; i < key->strings.size(); ++i) {
    if (key->value_class[i] != kValue) continue;
    const std::string_view s = key->strings[i];
    if (previous_code != UINT32_MAX && s == previous) {  // keys come in runs
      code[i] = previous_code;
      continue;
    }
    auto [it, inserted] = codes.try_emplace(s, static_cast<uint32_t>(distinct.size()));
    if (inserted) {
      distinct.push_back(s);
      if (distinct.size() > limit) return;  // high cardinality: stays raw
    }
    code[i] = previous_code = it->second;
    previous = s;
  }
  std::vector<uint32_t> by_value(distinct.size());
  std::iota(by_value.begin(), by_value.end(), 0);
  std::sort(by_value.begin(), by_value.end(),
            [&](uint32_t a, uint32_t b) { return distinct[a] < distinct[b]; });
  const auto d = static_cast<uint32_t>(distinct.size());
  std::vector<uint32_t> rank_of_code(d);
  for (uint32_t r = 0; r < d; ++r) {
    const uint32_t value_rank = key->descending ? d - 1 - r : r;
    rank_of_code[by_value[r]] = key->nulls_first ? value_rank + 1 : value_rank;
  }
  const uint32_t null_rank = key->nulls_first ? 0 : d;
  for (size_t i = 0; i < code.size(); ++i) {
    code[i] = key->value_class[i] == kValue ? rank_of_code[code[i]] : null_rank;
  }
  key->rank = std::move(code);
  key->rank_count = d + 1;
  key->ranked = true;
  key->strings.clear();
  key->strings.shrink_to_fit();
}

Result<Key> MakeKey(const arrow::ChunkedArray& column, const cp::SortKey& sort_key) {
  Key key;
  key.descending = sort_key.order == cp::SortOrder::Descending;
  key.nulls_first = sort_key.null_placement == cp::NullPlacement::AtStart;
  const auto n = static_cast<size_t>(column.length());
  key.value_class.reserve(n);
  const arrow::Type::type id = column.type()->id();
  if (IsStringLike(id)) {
    key.strings.reserve(n);
    if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
      CollectStrings<arrow::BinaryArray>(column, &key);
    } else {
      CollectStrings<arrow::LargeBinaryArray>(column, &key);
    }
    // Kinds and file ids rank; ids (about one value per row) stay raw.
    RankStrings(&key, std::max<size_t>(1024, n / 16));
    return key;
  }
  // Numbers and booleans: through a cast to the widest type of their kind.
  std::shared_ptr<arrow::DataType> wide;
  if (arrow::is_floating(id)) {
    wide = arrow::float64();
    key.raw_kind = Key::kDouble;
  } else if (arrow::is_unsigned_integer(id)) {
    wide = arrow::uint64();
    key.raw_kind = Key::kUInt;
  } else {
    wide = arrow::int64();  // signed integers and booleans (false < true)
    key.raw_kind = Key::kInt;
  }
  for (const auto& chunk : column.chunks()) {
    ARROW_ASSIGN_OR_RAISE(auto cast, cp::Cast(*chunk, wide));
    const arrow::ArrayData& data = *cast->data();
    for (int64_t i = 0; i < data.length; ++i) {
      const bool valid = cast->IsValid(i);
      if (key.raw_kind == Key::kDouble) {
        const double v = data.GetValues<double>(1)[i];
        key.doubles.push_back(v);
        key.value_class.push_back(!valid ? kNull : (std::isnan(v) ? kNaN : kValue));
      } else if (key.raw_kind == Key::kUInt) {
        key.uints.push_back(data.GetValues<uint64_t>(1)[i]);
        key.value_class.push_back(valid ? kValue : kNull);
      } else {
        key.ints.push_back(data.GetValues<int64_t>(1)[i]);
        key.value_class.push_back(valid ? kValue : kNull);
      }
    }
  }
  return key;
}

// A row while its run is refined by one key: the key's value as two order-preserving words
// (a string's eight bytes after its run's common prefix, and the eight after them) behind
// its class.
struct Entry {
  uint64_t word, word2;
  Row row;
  uint8_t klass;  // position of the value class in the key's order
};

bool EntryLess(const Entry& a, const Entry& b) {
  if (a.klass != b.klass) return a.klass < b.klass;
  if (a.word != b.word) return a.word < b.word;
  return a.word2 < b.word2;
}

bool EntryEqual(const Entry& a, const Entry& b) {
  return a.klass == b.klass && a.word == b.word && a.word2 == b.word2;
}

// Order-preserving unsigned images of the raw values (flipped for a descending key).
uint64_t OrderedBits(int64_t v) { return static_cast<uint64_t>(v) ^ (uint64_t{1} << 63); }
uint64_t OrderedBits(double v) {
  if (v == 0) v = 0;  // -0.0 ties with 0.0, as the comparison does
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return (bits >> 63) ? ~bits : bits | (uint64_t{1} << 63);
}

// Sorts `run` (rows tied on the keys before `k`) by keys[k..], then by row.
void SortRun(const std::vector<Key>& keys, size_t k, std::span<Entry> run) {
  if (run.size() < 2) return;
  if (k == keys.size()) {
    std::sort(run.begin(), run.end(), [](const Entry& a, const Entry& b) { return a.row < b.row; });
    return;
  }
  const Key& key = keys[k];
  const bool raw_string = !key.ranked && key.raw_kind == Key::kString;
  // A run's strings share their first `common` bytes (ids of one kind share "kind:").
  size_t common = 0;
  if (raw_string) {
    std::string_view head;
    bool seen = false;
    for (const Entry& e : run) {
      if (key.value_class[e.row] != kValue) continue;
      const std::string_view s = key.strings[e.row];
      if (!seen) {
        head = s;
        common = s.size();
        seen = true;
        continue;
      }
      const size_t limit = std::min(common, s.size());
      size_t j = 0;
      while (j < limit && s[j] == head[j]) ++j;
      common = j;
    }
  }
  const uint64_t flip = key.descending ? ~uint64_t{0} : 0;
  for (Entry& e : run) {
    const Row r = e.row;
    e.word = e.word2 = 0;
    if (key.ranked) {
      e.klass = 0;
      e.word = key.rank[r];  // ranks already hold the direction and null placement
      continue;
    }
    const uint8_t c = key.value_class[r];
    e.klass = key.nulls_first ? static_cast<uint8_t>(kNull - c) : c;
    if (c != kValue) continue;
    switch (key.raw_kind) {
      case Key::kString: {
        const std::string_view rest = key.strings[r].substr(common);
        e.word = Prefix(rest) ^ flip;
        e.word2 = (rest.size() > 8 ? Prefix(rest.substr(8)) : 0) ^ flip;
        break;
      }
      case Key::kInt:
        e.word = OrderedBits(key.ints[r]) ^ flip;
        break;
      case Key::kUInt:
        e.word = key.uints[r] ^ flip;
        break;
      case Key::kDouble:
        e.word = OrderedBits(key.doubles[r]) ^ flip;
        break;
    }
  }
  std::sort(run.begin(), run.end(), EntryLess);
  for (size_t b = 0; b < run.size();) {
    size_t e = b + 1;
    while (e < run.size() && EntryEqual(run[e], run[b])) ++e;
    std::span<Entry> tied = run.subspan(b, e - b);
    b = e;
    if (tied.size() < 2) continue;
    // Strings tied on their words may still differ past them (or in trailing NUL bytes):
    // compared whole, unless they are all equal (one id's many edges).
    const bool exact = !raw_string || tied[0].klass != (key.nulls_first ? kNull : kValue);
    if (!exact) {
      const std::string_view first = key.strings[tied[0].row];
      bool all_equal = true;
      for (const Entry& t : tied) {
        if (key.strings[t.row] != first) {
          all_equal = false;
          break;
        }
      }
      if (!all_equal) {
        std::sort(tied.begin(), tied.end(),
                  [&](const Entry& x, const Entry& y) { return key.Compare(x.row, y.row) < 0; });
        for (size_t i = 0; i < tied.size();) {
          size_t j = i + 1;
          while (j < tied.size() && key.Compare(tied[j].row, tied[i].row) == 0) ++j;
          SortRun(keys, k + 1, tied.subspan(i, j - i));
          i = j;
        }
        continue;
      }
    }
    SortRun(keys, k + 1, tied);
  }
}

// The permutation that sorts the rows by `keys`; the buckets of the leading keys are refined
// on up to `threads` threads, in groups of about `group_rows` rows.
Result<std::vector<Row>> SortedOrder(const std::vector<Key>& keys, Row n, int threads,
                                     int64_t group_rows) {
  // Leading ranked keys pack into one mixed-radix integer.
  size_t packed = 0;
  uint64_t range = 1;
  while (packed < keys.size() && keys[packed].ranked &&
         range <= (uint64_t{1} << 62) / keys[packed].rank_count) {
    range *= keys[packed].rank_count;
    ++packed;
  }
  std::vector<uint64_t> major(packed > 0 ? n : 0, 0);
  for (size_t k = 0; k < packed; ++k) {
    for (Row i = 0; i < n; ++i) major[i] = major[i] * keys[k].rank_count + keys[k].rank[i];
  }

  std::vector<Row> order(n);
  std::vector<std::pair<Row, Row>> buckets;  // [begin, end) of rows with one major value
  if (packed == 0) {
    std::iota(order.begin(), order.end(), 0);
    buckets.push_back({0, n});
  } else if (range <= uint64_t{2} * n + 1024) {
    // Counting sort: stable, so equal keys keep their input order.
    std::vector<Row> start(range + 1, 0);
    for (Row i = 0; i < n; ++i) ++start[major[i] + 1];
    for (uint64_t m = 0; m < range; ++m) start[m + 1] += start[m];
    for (uint64_t m = 0; m < range; ++m) {
      if (start[m + 1] - start[m] > 1) buckets.push_back({start[m], start[m + 1]});
    }
    for (Row i = 0; i < n; ++i) order[start[major[i]]++] = i;
  } else {
    std::vector<std::pair<uint64_t, Row>> pairs(n);
    for (Row i = 0; i < n; ++i) pairs[i] = {major[i], i};
    std::sort(pairs.begin(), pairs.end());
    for (Row i = 0; i < n; ++i) order[i] = pairs[i].second;
    for (Row b = 0; b < n;) {
      Row e = b + 1;
      while (e < n && pairs[e].first == pairs[b].first) ++e;
      if (e - b > 1) buckets.push_back({b, e});
      b = e;
    }
  }
  if (packed == keys.size()) return order;  // ties keep their input order

  // Within each bucket: the remaining keys one at a time, each refining the runs the keys
  // before it left tied, then the input order (a stable sort).
  // Buckets hold disjoint ranges of `order`: consecutive ones are refined together.
  std::vector<size_t> group_starts;
  int64_t in_group = group_rows;
  for (size_t b = 0; b < buckets.size(); ++b) {
    if (in_group >= group_rows) {
      group_starts.push_back(b);
      in_group = 0;
    }
    in_group += buckets[b].second - buckets[b].first;
  }
  group_starts.push_back(buckets.size());
  ARROW_RETURN_NOT_OK(core::ParallelFor(group_starts.size() - 1, threads, [&](size_t g) {
    std::vector<Entry> entries;
    for (size_t b = group_starts[g]; b < group_starts[g + 1]; ++b) {
      const auto [begin, end] = buckets[b];
      entries.clear();
      for (Row i = begin; i < end; ++i) entries.push_back({0, 0, order[i], 0});
      SortRun(keys, packed, entries);
      for (Row i = begin; i < end; ++i) order[i] = entries[i - begin].row;
    }
    return Status::OK();
  }));
  return order;
}

// --- gather ----------------------------------------------------------------------------------

struct Location {
  uint32_t chunk;
  uint32_t offset;
};

using Locations = std::span<const Location>;

Result<std::shared_ptr<arrow::Buffer>> GatherValidity(const arrow::ChunkedArray& column,
                                                      Locations at, arrow::MemoryPool* pool) {
  if (column.null_count() == 0) return nullptr;
  ARROW_ASSIGN_OR_RAISE(auto bitmap,
                        arrow::AllocateEmptyBitmap(static_cast<int64_t>(at.size()), pool));
  uint8_t* out = bitmap->mutable_data();
  for (size_t i = 0; i < at.size(); ++i) {
    if (column.chunk(at[i].chunk)->IsValid(at[i].offset)) arrow::bit_util::SetBit(out, i);
  }
  return bitmap;
}

template <int kWidth>
void GatherFixed(const std::vector<const uint8_t*>& bases, Locations at, uint8_t* out) {
  for (size_t i = 0; i < at.size(); ++i) {
    std::memcpy(out + i * kWidth, bases[at[i].chunk] + size_t{at[i].offset} * kWidth, kWidth);
  }
}

template <typename Offset>
Result<std::shared_ptr<arrow::ArrayData>> GatherBinary(const arrow::ChunkedArray& column,
                                                       Locations at, arrow::MemoryPool* pool) {
  std::vector<const Offset*> offsets;
  std::vector<const uint8_t*> data;
  for (const auto& chunk : column.chunks()) {
    offsets.push_back(chunk->data()->GetValues<Offset>(1));
    data.push_back(chunk->data()->buffers[2] ? chunk->data()->buffers[2]->data() : nullptr);
  }
  const size_t n = at.size();
  ARROW_ASSIGN_OR_RAISE(
      auto out_offsets,
      arrow::AllocateBuffer(static_cast<int64_t>((n + 1) * sizeof(Offset)), pool));
  auto* o = reinterpret_cast<Offset*>(out_offsets->mutable_data());
  int64_t total = 0;
  o[0] = 0;
  for (size_t i = 0; i < n; ++i) {
    const Offset* off = offsets[at[i].chunk] + at[i].offset;
    total += off[1] - off[0];
    if (total > std::numeric_limits<Offset>::max()) {
      return Status::CapacityError("sort: column of type ", column.type()->ToString(),
                                   " exceeds its offsets' capacity");
    }
    o[i + 1] = static_cast<Offset>(total);
  }
  ARROW_ASSIGN_OR_RAISE(auto out_data, arrow::AllocateBuffer(total, pool));
  uint8_t* d = out_data->mutable_data();
  for (size_t i = 0; i < n; ++i) {
    const Offset* off = offsets[at[i].chunk] + at[i].offset;
    if (off[1] > off[0]) std::memcpy(d + o[i], data[at[i].chunk] + off[0], off[1] - off[0]);
  }
  ARROW_ASSIGN_OR_RAISE(auto validity, GatherValidity(column, at, pool));
  return arrow::ArrayData::Make(column.type(), static_cast<int64_t>(n),
                                {validity, std::move(out_offsets), std::move(out_data)});
}

// One column's rows at the sorted locations, as one array.
Result<std::shared_ptr<arrow::Array>> Gather(const arrow::ChunkedArray& column, Locations at,
                                             std::span<const Row> order, arrow::MemoryPool* pool) {
  const auto& type = column.type();
  const auto n = static_cast<int64_t>(at.size());
  switch (type->id()) {
    case arrow::Type::STRING:
    case arrow::Type::BINARY: {
      ARROW_ASSIGN_OR_RAISE(auto data, GatherBinary<int32_t>(column, at, pool));
      return arrow::MakeArray(data);
    }
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY: {
      ARROW_ASSIGN_OR_RAISE(auto data, GatherBinary<int64_t>(column, at, pool));
      return arrow::MakeArray(data);
    }
    case arrow::Type::NA:
      return arrow::MakeArrayOfNull(type, n, pool);
    default:
      break;
  }
  const int bits = arrow::is_fixed_width(type->id()) && type->id() != arrow::Type::BOOL &&
                           type->id() != arrow::Type::DICTIONARY &&
                           type->id() != arrow::Type::FIXED_SIZE_LIST
                       ? type->bit_width()
                       : 0;
  if (bits == 8 || bits == 16 || bits == 32 || bits == 64) {
    const int width = bits / 8;
    std::vector<const uint8_t*> bases;
    for (const auto& chunk : column.chunks()) {
      bases.push_back(chunk->data()->buffers[1]->data() + chunk->offset() * width);
    }
    ARROW_ASSIGN_OR_RAISE(auto values, arrow::AllocateBuffer(n * width, pool));
    uint8_t* out = values->mutable_data();
    switch (width) {
      case 1:
        GatherFixed<1>(bases, at, out);
        break;
      case 2:
        GatherFixed<2>(bases, at, out);
        break;
      case 4:
        GatherFixed<4>(bases, at, out);
        break;
      default:
        GatherFixed<8>(bases, at, out);
        break;
    }
    ARROW_ASSIGN_OR_RAISE(auto validity, GatherValidity(column, at, pool));
    return arrow::MakeArray(arrow::ArrayData::Make(type, n, {validity, std::move(values)}));
  }
  // Booleans, nested and other types: Arrow's take over the concatenated chunks.
  std::shared_ptr<arrow::Array> values;
  if (column.num_chunks() == 1) {
    values = column.chunk(0);
  } else {
    ARROW_ASSIGN_OR_RAISE(values, arrow::Concatenate(column.chunks(), pool));
  }
  auto indices =
      std::make_shared<arrow::UInt32Array>(n, arrow::Buffer::Wrap(order.data(), order.size()));
  ARROW_ASSIGN_OR_RAISE(auto taken,
                        cp::Take(values, indices, cp::TakeOptions::NoBoundsCheck(), nullptr));
  return taken.make_array();
}

// The keys with the ordering's own null placement (deprecated in Arrow, still honoured), if set.
std::vector<cp::SortKey> EffectiveKeys(const cp::Ordering& ordering) {
  std::vector<cp::SortKey> keys = ordering.sort_keys();
  if (ordering.null_placement()) {
    for (auto& key : keys) key.null_placement = *ordering.null_placement();
  }
  return keys;
}

Result<std::shared_ptr<arrow::Table>> ArrowSort(const std::shared_ptr<arrow::Table>& table,
                                                const cp::Ordering& ordering) {
  ARROW_ASSIGN_OR_RAISE(
      auto indices, cp::SortIndices(arrow::Datum(table), cp::SortOptions(EffectiveKeys(ordering))));
  ARROW_ASSIGN_OR_RAISE(auto sorted, cp::Take(table, indices));
  return sorted.table();
}

}  // namespace

Result<std::shared_ptr<arrow::Table>> SortTable(std::shared_ptr<arrow::Table> table,
                                                const cp::Ordering& ordering,
                                                const SortOptions& options) {
  const int64_t rows = table->num_rows();
  std::vector<int> key_columns;
  const std::vector<cp::SortKey> sort_keys = EffectiveKeys(ordering);
  for (const auto& sort_key : sort_keys) {
    auto path = sort_key.target.FindOne(*table->schema());
    const bool supported = path.ok() && path->indices().size() == 1 &&
                           IsSupportedKey(*table->schema()->field((*path)[0])->type());
    if (!supported || rows > std::numeric_limits<Row>::max()) return ArrowSort(table, ordering);
    key_columns.push_back((*path)[0]);
  }
  // As many threads as the rows keep busy; one below that.
  const int64_t per_thread = std::max<int64_t>(1, options.min_rows_per_thread);
  const int threads = static_cast<int>(std::clamp<int64_t>(
      rows / per_thread, 1,
      options.threads > 0 ? options.threads : arrow::GetCpuThreadPoolCapacity()));
  const auto n = static_cast<Row>(rows);
  std::vector<Key> keys(key_columns.size());
  ARROW_RETURN_NOT_OK(core::ParallelFor(keys.size(), threads, [&](size_t k) -> Status {
    ARROW_ASSIGN_OR_RAISE(keys[k], MakeKey(*table->column(key_columns[k]), sort_keys[k]));
    return Status::OK();
  }));
  ARROW_ASSIGN_OR_RAISE(
      std::vector<Row> order,
      SortedOrder(keys, n, threads, std::max<int64_t>(per_thread, rows / (4 * threads))));
  keys.clear();

  // Output chunks: one, unless a string column holds more than max_chunk_bytes.
  int64_t max_bytes = 0;
  for (const auto& column : table->columns()) {
    if (!IsStringLike(column->type()->id())) continue;
    int64_t bytes = 0;  // from the offsets: chunks may be slices of one buffer
    for (const auto& chunk : column->chunks()) {
      if (chunk->length() == 0) continue;
      const auto& data = *chunk->data();
      bytes +=
          column->type()->id() == arrow::Type::STRING || column->type()->id() == arrow::Type::BINARY
              ? data.GetValues<int32_t>(1)[data.length] - data.GetValues<int32_t>(1)[0]
              : data.GetValues<int64_t>(1)[data.length] - data.GetValues<int64_t>(1)[0];
    }
    max_bytes = std::max(max_bytes, bytes);
  }
  const int64_t chunk_rows = max_bytes <= options.max_chunk_bytes
                                 ? std::max<int64_t>(rows, 1)
                                 : std::max<int64_t>(1, rows * options.max_chunk_bytes / max_bytes);

  // Each sorted row's chunk and offset, resolved once per chunking of the columns (columns of
  // a table produced by a plan share theirs).
  auto chunk_lengths = [](const arrow::ChunkedArray& column) {
    std::vector<int64_t> lengths;
    for (const auto& chunk : column.chunks()) lengths.push_back(chunk->length());
    return lengths;
  };
  std::vector<std::pair<std::vector<int64_t>, std::vector<Location>>> layouts;
  std::vector<size_t> layout_of;
  for (const auto& column : table->columns()) {
    auto lengths = chunk_lengths(*column);
    size_t l = 0;
    while (l < layouts.size() && layouts[l].first != lengths) ++l;
    layout_of.push_back(l);
    if (l < layouts.size()) continue;
    std::vector<Location> of_row(n);
    Row row = 0;
    for (int c = 0; c < column->num_chunks(); ++c) {
      for (int64_t i = 0; i < column->chunk(c)->length(); ++i) {
        of_row[row++] = {static_cast<uint32_t>(c), static_cast<uint32_t>(i)};
      }
    }
    std::vector<Location> at(n);
    for (Row i = 0; i < n; ++i) at[i] = of_row[order[i]];
    layouts.emplace_back(std::move(lengths), std::move(at));
  }

  // Each input column is let go once gathered (when the caller gave the table up, its memory
  // is freed as the sorted copy grows, instead of both being held whole).
  const std::shared_ptr<arrow::Schema> schema = table->schema();
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns = table->columns();
  table.reset();
  ARROW_RETURN_NOT_OK(core::ParallelFor(columns.size(), threads, [&](size_t c) -> Status {
    const Locations at = layouts[layout_of[c]].second;
    arrow::ArrayVector sorted_chunks;
    for (int64_t begin = 0; begin < rows; begin += chunk_rows) {
      const auto size = static_cast<size_t>(std::min(chunk_rows, rows - begin));
      ARROW_ASSIGN_OR_RAISE(auto sorted,
                            Gather(*columns[c], at.subspan(begin, size),
                                   std::span<const Row>(order).subspan(begin, size), options.pool));
      sorted_chunks.push_back(std::move(sorted));
    }
    columns[c] =
        std::make_shared<arrow::ChunkedArray>(std::move(sorted_chunks), columns[c]->type());
    return Status::OK();
  }));
  return arrow::Table::Make(schema, columns, rows);
}

}  // namespace anatomy::engine
