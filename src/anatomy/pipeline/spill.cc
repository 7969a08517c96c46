#include "anatomy/pipeline/spill.h"

#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>
#include <arrow/table.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace anatomy::pipeline {

namespace {

// An open file with no name: the kernel frees it when its last descriptor closes, so a build
// that is killed leaves nothing behind. O_TMPFILE makes it nameless from the start; where the
// file system cannot, it is created at `path` and unlinked at once.
Result<int> OpenUnnamed(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
#ifdef O_TMPFILE
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
    return Status::IOError("cannot create spill file '", path, "': ", std::strerror(errno));
  }
#endif
  const int named = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
  if (named < 0) {
    return Status::IOError("cannot create spill file '", path, "': ", std::strerror(errno));
  }
  ::unlink(path.c_str());
  return named;
}

}  // namespace

struct Spill::Writer {
  int fd = -1;  // the unnamed file; the streams below own duplicates of it
  std::shared_ptr<arrow::io::FileOutputStream> file;
  std::shared_ptr<arrow::ipc::RecordBatchWriter> ipc;
  ~Writer() {
    if (ipc) (void)ipc->Close();
    if (file) (void)file->Close();
    if (fd >= 0) ::close(fd);
  }
};

Spill::Spill(std::string path) : path_(std::move(path)) {}

Spill::~Spill() = default;

Status Spill::Append(const arrow::Table& table) {
  if (table.num_rows() == 0) return Status::OK();
  if (!writer_) {
    auto w = std::make_unique<Writer>();
    ARROW_ASSIGN_OR_RAISE(w->fd, OpenUnnamed(path_));
    const int out = ::dup(w->fd);
    if (out < 0) return Status::IOError("spill '", path_, "': ", std::strerror(errno));
    ARROW_ASSIGN_OR_RAISE(w->file, arrow::io::FileOutputStream::Open(out));  // owns `out`
    ARROW_ASSIGN_OR_RAISE(w->ipc, arrow::ipc::MakeFileWriter(w->file, table.schema()));
    writer_ = std::move(w);
  }
  auto st = writer_->ipc->WriteTable(table);
  if (!st.ok()) return st.WithMessage("spilling to '", path_, "': ", st.message());
  rows_ += table.num_rows();
  return Status::OK();
}

Result<std::shared_ptr<arrow::Table>> Spill::ReadAll() {
  if (!writer_) return nullptr;
  ARROW_RETURN_NOT_OK(writer_->ipc->Close());
  writer_->ipc.reset();
  ARROW_RETURN_NOT_OK(writer_->file->Close());
  writer_->file.reset();
  const int in = ::dup(writer_->fd);
  if (in < 0) return Status::IOError("spill '", path_, "': ", std::strerror(errno));
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(in));  // owns `in`
  writer_.reset();  // the reader's descriptor keeps the file
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchFileReader::Open(file));
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
  if (table->num_rows() != rows_) {
    return Status::IOError("spill '", path_, "' holds ", table->num_rows(), " rows, not ", rows_);
  }
  return table;
}

}  // namespace anatomy::pipeline
