#include "anatomy/delta/storage.h"

#include <arrow/buffer.h>
#include <arrow/io/buffered.h>
#include <arrow/io/file.h>
#include <arrow/memory_pool.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace anatomy::delta {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kWriteBufferBytes = 1 << 20;

std::string RandomSuffix() {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ (counter++ << 8) ^ ::getpid();
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

Status WriteAllAndSync(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError("cannot create ", path, ": ", std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(path.c_str());
      return Status::IOError("cannot write ", path, ": ", std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(path.c_str());
    return Status::IOError("cannot sync ", path, ": ", std::strerror(errno));
  }
  return Status::OK();
}

void SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

class LocalStorage final : public Storage {
 public:
  explicit LocalStorage(std::string root) : root_(std::move(root)) {}

  const std::string& root() const override { return root_; }

  std::string LocalPath(const std::string& path) const override {
    return path.empty() ? root_ : root_ + "/" + path;
  }

  Result<std::vector<StorageEntry>> List(const std::string& dir) override {
    std::vector<StorageEntry> out;
    std::error_code ec;
    fs::directory_iterator it(LocalPath(dir), ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory) return out;
      return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
      out.push_back(Entry(dir, *it));
    }
    return out;
  }

  Result<std::vector<StorageEntry>> ListNames(const std::string& dir) override {
    std::vector<StorageEntry> out;
    std::error_code ec;
    fs::directory_iterator it(LocalPath(dir), ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory) return out;
      return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
    }
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
      StorageEntry e;
      std::string name = it->path().filename().string();
      e.path = dir.empty() ? name : dir + "/" + name;
      e.is_dir = it->is_directory(ec);  // from d_type: no stat on most filesystems
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<StorageEntry> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(LocalPath(path).c_str(), &st) != 0) {
      return Status::IOError("cannot stat ", LocalPath(path), ": ", std::strerror(errno));
    }
    StorageEntry e;
    e.path = path;
    e.size = static_cast<int64_t>(st.st_size);
    e.modification_time_ms =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
    e.is_dir = S_ISDIR(st.st_mode);
    return e;
  }

  Result<std::vector<StorageEntry>> ListRecursive(const std::string& dir) override {
    std::vector<StorageEntry> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(LocalPath(dir), ec);
    if (ec) {
      if (ec == std::errc::no_such_file_or_directory) return out;
      return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) return Status::IOError("cannot list ", LocalPath(dir), ": ", ec.message());
      if (it->is_directory(ec)) continue;
      std::string rel = fs::relative(it->path(), root_, ec).generic_string();
      StorageEntry e;
      e.path = rel;
      e.size = static_cast<int64_t>(it->file_size(ec));
      e.modification_time_ms = MTimeMs(it->path());
      out.push_back(std::move(e));
    }
    return out;
  }

  Result<std::shared_ptr<arrow::Buffer>> Read(const std::string& path) override {
    ARROW_ASSIGN_OR_RAISE(auto f, OpenRead(path));
    ARROW_ASSIGN_OR_RAISE(int64_t size, f->GetSize());
    return f->ReadAt(0, size);
  }

  Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenRead(const std::string& path) override {
    auto r = arrow::io::ReadableFile::Open(LocalPath(path));
    if (!r.ok())
      return Status::IOError("cannot open ", LocalPath(path), ": ", r.status().message());
    return std::shared_ptr<arrow::io::RandomAccessFile>(*r);
  }

  Result<std::shared_ptr<arrow::io::OutputStream>> OpenWrite(const std::string& path) override {
    std::error_code ec;
    fs::create_directories(fs::path(LocalPath(path)).parent_path(), ec);
    if (ec)
      return Status::IOError("cannot create folder for ", LocalPath(path), ": ", ec.message());
    ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::FileOutputStream::Open(LocalPath(path)));
    // Parquet writes each page header, page and footer piece on its own and asks for the
    // position after each: unbuffered, that is a write and an lseek per call (about 900,000
    // system calls for the standard library's build). The buffer answers Tell() itself.
    ARROW_ASSIGN_OR_RAISE(auto out, arrow::io::BufferedOutputStream::Create(
                                        kWriteBufferBytes, arrow::default_memory_pool(), file));
    return std::shared_ptr<arrow::io::OutputStream>(out);
  }

  Status PutAtomic(const std::string& path, std::string_view data) override {
    ARROW_ASSIGN_OR_RAISE(auto tmp, WriteTemp(path, data));
    if (::rename(tmp.c_str(), LocalPath(path).c_str()) != 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return Status::IOError("cannot rename to ", LocalPath(path), ": ", std::strerror(e));
    }
    SyncDir(fs::path(LocalPath(path)).parent_path());
    return Status::OK();
  }

  Status PutIfAbsent(const std::string& path, std::string_view data) override {
    ARROW_ASSIGN_OR_RAISE(auto tmp, WriteTemp(path, data));
    // link() never replaces its target: the whole file appears under `path`, or nothing does.
    int rc = ::link(tmp.c_str(), LocalPath(path).c_str());
    int e = errno;
    ::unlink(tmp.c_str());
    if (rc != 0) {
      if (e == EEXIST) return Status::AlreadyExists(LocalPath(path), " already exists");
      return Status::IOError("cannot link ", LocalPath(path), ": ", std::strerror(e));
    }
    SyncDir(fs::path(LocalPath(path)).parent_path());
    return Status::OK();
  }

  Status Delete(const std::string& path) override {
    if (::unlink(LocalPath(path).c_str()) != 0 && errno != ENOENT) {
      return Status::IOError("cannot delete ", LocalPath(path), ": ", std::strerror(errno));
    }
    return Status::OK();
  }

  Result<bool> Exists(const std::string& path) override {
    struct stat st;
    return ::stat(LocalPath(path).c_str(), &st) == 0;
  }

 private:
  static int64_t MTimeMs(const fs::path& p) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  }

  StorageEntry Entry(const std::string& dir, const fs::directory_entry& de) const {
    StorageEntry e;
    std::string name = de.path().filename().string();
    e.path = dir.empty() ? name : dir + "/" + name;
    std::error_code ec;
    e.is_dir = de.is_directory(ec);
    if (!e.is_dir) e.size = static_cast<int64_t>(de.file_size(ec));
    e.modification_time_ms = MTimeMs(de.path());
    return e;
  }

  Result<std::string> WriteTemp(const std::string& path, std::string_view data) {
    fs::path target(LocalPath(path));
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      return Status::IOError("cannot create folder ", target.parent_path().string(), ": ",
                             ec.message());
    // Hidden name in the same folder: rename/link stay within one filesystem, and readers
    // listing _delta_log skip names starting with '.'.
    std::string tmp =
        (target.parent_path() / ("." + target.filename().string() + "." + RandomSuffix() + ".tmp"))
            .string();
    ARROW_RETURN_NOT_OK(WriteAllAndSync(tmp, data));
    return tmp;
  }

  std::string root_;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::shared_ptr<Storage>> OpenLocalStorage(const std::string& root) {
  if (root.empty()) return Status::Invalid("empty table path");
  std::error_code ec;
  fs::path p = fs::absolute(fs::path(root), ec).lexically_normal();
  if (ec) return Status::IOError("cannot resolve ", root, ": ", ec.message());
  std::string s = p.generic_string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return std::make_shared<LocalStorage>(s);
}

Result<std::string> UriDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) {
        return Status::Invalid("bad percent-escape at offset ", i, " in '", s, "'");
      }
      int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0)
        return Status::Invalid("bad percent-escape at offset ", i, " in '", s, "'");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string UriEncodePath(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    bool keep = std::isalnum(c) || std::strchr("/-_.~!$&'()*+,;=:@", c) != nullptr;
    if (keep && c != 0) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Result<std::string> ResolveLogPath(const Storage& storage, const std::string& log_path,
                                   const std::string& where) {
  std::string_view p = log_path;
  bool absolute = false;
  if (p.rfind("file://", 0) == 0) {
    p.remove_prefix(7);
    absolute = true;
  } else if (p.rfind("file:", 0) == 0) {
    p.remove_prefix(5);
    absolute = true;
  } else if (auto colon = p.find(':'); colon != std::string_view::npos &&
                                       p.find('/') != std::string_view::npos &&
                                       colon < p.find('/')) {
    return Status::Invalid(where, ": path '", log_path, "' uses a scheme this storage cannot read");
  }
  auto decoded = UriDecode(p);
  if (!decoded.ok()) return Status::Invalid(where, ": ", decoded.status().message());
  std::string path = *decoded;
  if (path.empty()) return Status::Invalid(where, ": empty file path");
  if (path.find('\0') != std::string::npos) return Status::Invalid(where, ": NUL in path");
  if (!path.empty() && path[0] == '/') absolute = true;
  std::string rel;
  if (absolute) {
    std::string norm = fs::path(path).lexically_normal().generic_string();
    const std::string& root = storage.root();
    if (norm.size() <= root.size() + 1 || norm.compare(0, root.size(), root) != 0 ||
        norm[root.size()] != '/') {
      return Status::Invalid(where, ": path '", log_path, "' is outside the table root ", root);
    }
    rel = norm.substr(root.size() + 1);
  } else {
    rel = path;
  }
  // Every segment must stay inside the root: no "..", no empty or "." games.
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t end = rel.find('/', start);
    if (end == std::string::npos) end = rel.size();
    std::string seg = rel.substr(start, end - start);
    if (seg == "..") {
      return Status::Invalid(where, ": path '", log_path, "' escapes the table root");
    }
    if (!seg.empty() && seg != ".") parts.push_back(seg);
    start = end + 1;
  }
  if (parts.empty()) return Status::Invalid(where, ": path '", log_path, "' names no file");
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out;
}

}  // namespace anatomy::delta
