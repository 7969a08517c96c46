#include "anatomy/pipeline/spill.h"

#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>
#include <arrow/ipc/writer.h>
#include <arrow/table.h>

#include <filesystem>

namespace anatomy::pipeline {

struct Spill::Writer {
  std::shared_ptr<arrow::io::FileOutputStream> file;
  std::shared_ptr<arrow::ipc::RecordBatchWriter> ipc;
};

Spill::Spill(std::string path) : path_(std::move(path)) {}

Spill::~Spill() {
  if (writer_) (void)writer_->ipc->Close();
  writer_.reset();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

Status Spill::Append(const arrow::Table& table) {
  if (table.num_rows() == 0) return Status::OK();
  if (!writer_) {
    auto w = std::make_unique<Writer>();
    ARROW_ASSIGN_OR_RAISE(w->file, arrow::io::FileOutputStream::Open(path_));
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
  ARROW_RETURN_NOT_OK(writer_->file->Close());
  writer_.reset();
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path_));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchFileReader::Open(file));
  ARROW_ASSIGN_OR_RAISE(auto table, reader->ToTable());
  if (table->num_rows() != rows_) {
    return Status::IOError("spill '", path_, "' holds ", table->num_rows(), " rows, not ", rows_);
  }
  return table;
}

}  // namespace anatomy::pipeline
