// Deletion vectors applied by scans: inline ('i'), relative file ('u') and absolute path ('p').

#include "anatomy/delta/deletion_vector.h"

#include <arrow/api.h>
#include <arrow/util/crc32.h>
#include <gtest/gtest.h>

#include "anatomy/delta/api.h"
#include "anatomy/delta/log_files.h"
#include "test_util.h"

namespace anatomy::delta {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::string Be32(uint32_t v) {
  std::string s;
  for (int i = 3; i >= 0; --i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}

/// A one-file table of 10 rows (v = 0..9) and its snapshot.
std::shared_ptr<Snapshot> MakeTable(const TempDir& dir) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < 10; ++i) EXPECT_TRUE(b.Append(i).ok());
  auto t = arrow::Table::Make(arrow::schema({arrow::field("v", arrow::int64())}),
                              {b.Finish().ValueOrDie()});
  EXPECT_TRUE(WriteTable(dir.str(), t).ok());
  return LoadSnapshot(dir.str()).ValueOrDie();
}

/// Commits remove(file) + add(file with `dv`) as version 1 and scans.
std::vector<std::string> ScanWithDv(const TempDir& dir, const Snapshot& snap,
                                    const DeletionVectorDescriptor& dv) {
  AddFile add = snap.files[0];
  RemoveFile rm;
  rm.path = add.path;
  rm.deletion_timestamp = 1;
  add.deletion_vector = dv;
  WriteFile(dir.path() / "_delta_log" / testing::CommitName(1), SerializeActions({rm, add}));
  auto s = LoadSnapshot(dir.str()).ValueOrDie();
  EXPECT_EQ(s->files.size(), 1u);
  EXPECT_EQ(s->NumRecords().value_or(-1), 10 - dv.cardinality);
  auto t = ScanToTable(*s);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? testing::CanonicalRows(**t) : std::vector<std::string>{};
}

const std::vector<std::string> kKept = {"1|", "2|", "4|", "5|", "6|", "7|", "8|"};

TEST(DeletionVectorTest, Inline) {
  TempDir dir;
  auto snap = MakeTable(dir);
  std::string bitmap = EncodeRoaringBitmapArray({0, 3, 9});
  std::string padded = bitmap + std::string((4 - bitmap.size() % 4) % 4, '\0');
  DeletionVectorDescriptor dv{"i", Z85Encode(padded).ValueOrDie(), std::nullopt,
                              static_cast<int32_t>(bitmap.size()), 3};
  EXPECT_EQ(ScanWithDv(dir, *snap, dv), kKept);
}

TEST(DeletionVectorTest, RelativeAndAbsoluteFilesWithChecksum) {
  TempDir dir;
  auto snap = MakeTable(dir);
  std::string bitmap = EncodeRoaringBitmapArray({0, 3, 9});
  uint32_t crc = arrow::internal::crc32(0, bitmap.data(), bitmap.size());
  std::string file =
      std::string(1, '\1') + Be32(static_cast<uint32_t>(bitmap.size())) + bitmap + Be32(crc);
  // 'u': <prefix><z85 uuid> → <prefix>/deletion_vector_<uuid>.bin
  std::string uuid_bytes(16, '\0');
  for (int i = 0; i < 16; ++i) uuid_bytes[i] = static_cast<char>(i * 17);
  std::string z = "ab" + Z85Encode(uuid_bytes).ValueOrDie();
  DeletionVectorDescriptor u{"u", z, 1, static_cast<int32_t>(bitmap.size()), 3};
  auto rel = DeletionVectorRelativePath(u).ValueOrDie();
  EXPECT_EQ(rel, "ab/deletion_vector_00112233-4455-6677-8899-aabbccddeeff.bin");
  WriteFile(dir.path() / rel, file);
  EXPECT_EQ(ScanWithDv(dir, *snap, u), kKept);

  // 'p': an absolute path inside the table.
  WriteFile(dir.path() / "dv.bin", file);
  DeletionVectorDescriptor p{"p", "file://" + (dir.path() / "dv.bin").string(), 1,
                             static_cast<int32_t>(bitmap.size()), 3};
  EXPECT_EQ(ScanWithDv(dir, *snap, p), kKept);

  // A corrupted checksum is an error naming the file, not wrong rows.
  std::string bad = file;
  bad.back() ^= 1;
  WriteFile(dir.path() / "dv.bin", bad);
  auto s = LoadSnapshot(dir.str()).ValueOrDie();
  auto t = ScanToTable(*s);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("checksum"), std::string::npos) << t.status().ToString();
  EXPECT_NE(t.status().message().find("dv.bin"), std::string::npos) << t.status().ToString();
}

}  // namespace
}  // namespace anatomy::delta
