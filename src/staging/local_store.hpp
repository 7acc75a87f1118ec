#pragma once
// ObjectStore over a local directory. Writes go to a temporary file that is
// fsynced, renamed into place and followed by an fsync of the directory, so a
// crash leaves either the whole object or none of it.
#include <filesystem>

#include "staging/object_store.hpp"

namespace wharf::staging {

class LocalStore : public ObjectStore {
 public:
  explicit LocalStore(std::filesystem::path root);

  std::unique_ptr<ObjectWriter> OpenWriter(const std::string& path) override;
  std::unique_ptr<ObjectReader> OpenReader(const std::string& path) override;
  std::string Read(const std::string& path) override;
  bool Exists(const std::string& path) override;
  std::vector<std::string> List(const std::string& prefix) override;
  void Remove(const std::string& path) override;
  // An flock on the file: the kernel drops it when the holder exits, however.
  std::unique_ptr<Lease> TakeLease(const std::string& path, const LeaseRecord& me) override;
  std::string Describe() const override { return root_.string(); }
  std::optional<std::filesystem::path> LocalRoot() const override { return root_; }

  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
};

}  // namespace wharf::staging
