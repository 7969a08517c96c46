#pragma once

// The folder fixture every layer's tests share.

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>

namespace anatomy::test_support {

/// \brief A fresh empty folder under the system's temporary folder, removed with everything in
/// it when the object goes.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "anatomy-test-") {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            (std::string(prefix) + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

  /// Writes `text` to `rel` under the folder, creating the folders on its way.
  void Write(const std::string& rel, const std::string& text) const {
    const auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace anatomy::test_support
