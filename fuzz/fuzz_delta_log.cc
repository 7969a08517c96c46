// libFuzzer target: commit-file parsing and everything a commit's content feeds (schema
// strings, stats, log paths, inline deletion vectors, filters). Bad input must give a Status,
// never a crash. `fuzz_delta_log --write-seeds DIR` writes generated seeds and exits.

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <string_view>

#include "anatomy/delta/api.h"
#include "anatomy/delta/deletion_vector.h"
#include "anatomy/delta/stats.h"
#include "seeds.h"

namespace dl = anatomy::delta;

namespace {

void WriteSeeds(const std::string& dir) {
  const char* seeds[] = {
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}})",
      R"({"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":{\"type\":\"array\",\"elementType\":\"decimal(10,2)\",\"containsNull\":true},\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":1}}]}","partitionColumns":[],"configuration":{}}})",
      R"({"add":{"path":"p=a%20b/f.parquet","partitionValues":{"p":null},"size":1,"modificationTime":0,"dataChange":true,"stats":"{\"numRecords\":3,\"minValues\":{\"a\":1},\"maxValues\":{\"a\":\"2021-01-01T00:00:00.000Z\"},\"nullCount\":{\"a\":0}}","deletionVector":{"storageType":"i","pathOrInlineDv":"wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L","sizeInBytes":40,"cardinality":6}}})",
      R"({"remove":{"path":"../x","deletionTimestamp":1,"dataChange":true}})",
      R"({"commitInfo":{"timestamp":1,"operation":"WRITE","operationParameters":{"mode":"Append","n":[1,2]},"engineInfo":"e","k":"v"}})",
      R"({"txn":{"appId":"a","version":1}})"
      "\n"
      R"({"domainMetadata":{"domain":"d","configuration":"{}","removed":false}})",
      R"({"cdc":{"path":"_change_data/x.parquet","partitionValues":{},"size":1,"dataChange":false}})"
      "\n"
      R"({"sidecar":{"path":"s.parquet","sizeInBytes":1,"modificationTime":1}})",
  };
  int i = 0;
  for (const char* s : seeds) {
    std::ofstream(dir + "/gen-" + std::to_string(i++)) << s << "\n";
  }
}

struct NullStorage final : dl::Storage {
  std::string r = "/table";
  const std::string& root() const override { return r; }
  anatomy::Result<std::vector<dl::StorageEntry>> List(const std::string&) override {
    return std::vector<dl::StorageEntry>{};
  }
  anatomy::Result<dl::StorageEntry> Stat(const std::string&) override {
    return arrow::Status::IOError("none");
  }
  anatomy::Result<std::vector<dl::StorageEntry>> ListRecursive(const std::string&) override {
    return std::vector<dl::StorageEntry>{};
  }
  anatomy::Result<std::shared_ptr<arrow::Buffer>> Read(const std::string&) override {
    return arrow::Status::IOError("none");
  }
  anatomy::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenRead(
      const std::string&) override {
    return arrow::Status::IOError("none");
  }
  anatomy::Result<std::shared_ptr<arrow::io::OutputStream>> OpenWrite(const std::string&) override {
    return arrow::Status::IOError("none");
  }
  arrow::Status PutAtomic(const std::string&, std::string_view) override {
    return arrow::Status::IOError("none");
  }
  arrow::Status PutIfAbsent(const std::string&, std::string_view) override {
    return arrow::Status::IOError("none");
  }
  arrow::Status Delete(const std::string&) override { return arrow::Status::OK(); }
  anatomy::Result<bool> Exists(const std::string&) override { return false; }
  std::string LocalPath(const std::string& p) const override { return r + "/" + p; }
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  anatomy::fuzz::HandleWriteSeeds(argc, argv, WriteSeeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  NullStorage storage;
  auto actions = dl::ParseCommit(text, "fuzz.json");
  if (actions.ok()) {
    for (const auto& a : *actions) {
      if (const auto* m = std::get_if<dl::Metadata>(&a)) {
        auto schema = dl::ParseSchema(m->schema_string, "fuzz");
        if (schema.ok()) {
          auto arrow_schema = dl::ToArrowSchema(*schema);
          (void)dl::SerializeSchema(*schema);
        }
      } else if (const auto* add = std::get_if<dl::AddFile>(&a)) {
        (void)dl::ResolveLogPath(storage, add->path, "fuzz");
        if (add->stats) {
          (void)dl::NumRecordsFromStats(*add->stats);
          (void)dl::ParseFileStats(*add->stats,
                                   {{"a", arrow::int64()},
                                    {"b", arrow::utf8()},
                                    {"c", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")}});
        }
        if (add->deletion_vector && add->deletion_vector->size_in_bytes < (1 << 20)) {
          (void)dl::LoadDeletionVector(storage, *add->deletion_vector);
        }
      }
    }
    (void)dl::SerializeActions(*actions);
  }
  (void)dl::DecodeRoaringBitmapArray(text);
  (void)dl::ParseFilter(text);
  return 0;
}
