#pragma once

// Where a table's bytes live. Paths are relative to the table root, '/'-separated, already
// URI-decoded. The local filesystem is the only backend today; an object store needs only
// this interface (PutIfAbsent maps to a conditional PUT).

#include <arrow/io/interfaces.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "anatomy/core/status.h"

namespace anatomy::delta {

/// One directory entry.
struct StorageEntry {
  std::string path;  ///< relative to the table root
  int64_t size = 0;
  int64_t modification_time_ms = 0;
  bool is_dir = false;
};

/// A table location.
class Storage {
 public:
  virtual ~Storage() = default;
  /// Human-readable location, used in error messages.
  virtual const std::string& root() const = 0;
  /// Direct children of `dir` (files and folders); an absent folder lists as empty.
  virtual Result<std::vector<StorageEntry>> List(const std::string& dir) = 0;
  /// Direct children of `dir` without sizes or times (cheaper: no stat per entry).
  virtual Result<std::vector<StorageEntry>> ListNames(const std::string& dir) { return List(dir); }
  /// Size and modification time of one file.
  virtual Result<StorageEntry> Stat(const std::string& path) = 0;
  /// Every file under `dir`, recursively.
  virtual Result<std::vector<StorageEntry>> ListRecursive(const std::string& dir) = 0;
  /// The whole content of a file.
  virtual Result<std::shared_ptr<arrow::Buffer>> Read(const std::string& path) = 0;
  /// Random access for Parquet readers.
  virtual Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenRead(
      const std::string& path) = 0;
  /// A new file for writing (parent folders are created).
  virtual Result<std::shared_ptr<arrow::io::OutputStream>> OpenWrite(const std::string& path) = 0;
  /// Writes a whole file atomically, replacing any existing one (e.g. `_last_checkpoint`).
  virtual Status PutAtomic(const std::string& path, std::string_view data) = 0;
  /// Writes a whole file atomically only if `path` does not exist; Status::AlreadyExists if it
  /// does.
  virtual Status PutIfAbsent(const std::string& path, std::string_view data) = 0;
  virtual Status Delete(const std::string& path) = 0;
  virtual Result<bool> Exists(const std::string& path) = 0;
  /// Absolute local path of a relative path (for engines that open files themselves).
  virtual std::string LocalPath(const std::string& path) const = 0;
};

/// The local filesystem backend rooted at `root` (created on write when absent).
Result<std::shared_ptr<Storage>> OpenLocalStorage(const std::string& root);

/// Resolves a path as written in the log (URI-encoded, relative or absolute `file:` URI) to a
/// path relative to the table root. Rejects paths that escape the root ("..", other absolute
/// locations) and non-local schemes, naming `where`.
Result<std::string> ResolveLogPath(const Storage& storage, const std::string& log_path,
                                   const std::string& where);

/// Percent-decodes a URI path component.
Result<std::string> UriDecode(std::string_view s);
/// Percent-encodes what RFC 2396 does not allow in a path (keeps '/').
std::string UriEncodePath(std::string_view s);

}  // namespace anatomy::delta
