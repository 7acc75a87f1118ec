#pragma once
// Where staged batches and capture state live. Narrow on purpose: a local
// directory today, S3 behind the same calls. Paths are relative, '/'-separated.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wharf::staging {

// Streams one object. Nothing is visible under `path` until Commit() returns;
// destroying an uncommitted writer discards what was written.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual void Write(std::string_view bytes) = 0;
  // Makes the object durable and visible atomically.
  virtual void Commit() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual std::unique_ptr<ObjectWriter> OpenWriter(const std::string& path) = 0;
  virtual std::string Read(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // All object paths under `prefix` (recursive), sorted.
  virtual std::vector<std::string> List(const std::string& prefix) = 0;
  virtual void Remove(const std::string& path) = 0;
  // For messages: where this store is, without secrets.
  virtual std::string Describe() const = 0;

  void Put(const std::string& path, std::string_view bytes) {
    auto w = OpenWriter(path);
    w->Write(bytes);
    w->Commit();
  }
};

// Opens a store from a staging URL: file://path (relative to `base_dir` when not absolute)
// or a plain path.
std::unique_ptr<ObjectStore> OpenObjectStore(const std::string& url, const std::string& base_dir);

}  // namespace wharf::staging
