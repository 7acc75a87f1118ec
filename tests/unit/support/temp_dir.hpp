#pragma once
// A fresh directory under the system's temporary directory, removed with
// everything in it when the object goes.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

namespace wharf::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "wharf_test") {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            (prefix + "_" + std::to_string(::getpid()) + "_" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "_" +
             std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wharf::test
