#pragma once
// Where staged batches and capture state live. Narrow on purpose: a local
// directory today, S3 behind the same calls. Paths are relative, '/'-separated.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "staging/lease.hpp"

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

// Reads one object front to back in pieces, so an object of any size can be
// processed in bounded memory. Also the shape of every byte stream the loader
// pulls from (decompression reads one of these and is one).
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Copies up to `size` bytes into `buf`; returns how many. 0 only at the end
  // of the object (or when `size` is 0). Throws kStaging on an I/O error.
  virtual size_t Read(char* buf, size_t size) = 0;
};

// An ObjectReader over bytes in memory, handing out at most `max_read` bytes
// per call (tests use tiny values to split streams at every position).
// `bytes` must outlive the reader.
class MemoryReader : public ObjectReader {
 public:
  explicit MemoryReader(std::string_view bytes, size_t max_read = SIZE_MAX)
      : bytes_(bytes), max_read_(max_read) {}
  size_t Read(char* buf, size_t size) override {
    size_t n = std::min({size, max_read_, bytes_.size() - pos_});
    if (n) std::memcpy(buf, bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view bytes_;
  size_t max_read_;
  size_t pos_ = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual std::unique_ptr<ObjectWriter> OpenWriter(const std::string& path) = 0;
  // Streams an object (staged data files, which can be many GB).
  virtual std::unique_ptr<ObjectReader> OpenReader(const std::string& path) = 0;
  // Reads a whole object: for small ones (manifests, state).
  virtual std::string Read(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) = 0;
  // All object paths under `prefix` (recursive), sorted.
  virtual std::vector<std::string> List(const std::string& prefix) = 0;
  // The paths of List(prefix) that sort after `start_after` (a full path), so
  // a loader lists only manifests newer than the last one applied; S3 asks
  // the server for just those (ListObjectsV2 start-after).
  virtual std::vector<std::string> ListAfter(const std::string& prefix, const std::string& start_after) {
    auto all = List(prefix);
    all.erase(all.begin(), std::upper_bound(all.begin(), all.end(), start_after));
    return all;
  }
  virtual void Remove(const std::string& path) = 0;
  // Takes the lease object at `path` (lease.hpp) for `me`, or throws kBusy
  // naming its holder. Held until the returned object is destroyed.
  virtual std::unique_ptr<Lease> TakeLease(const std::string& path, const LeaseRecord& me) = 0;
  // For messages: where this store is, without secrets.
  virtual std::string Describe() const = 0;
  // A local directory store's root (streamed transactions spool beside it);
  // nullopt for a remote store.
  virtual std::optional<std::filesystem::path> LocalRoot() const { return std::nullopt; }
  // A bucket store's bucket and key prefix (upload notifications name
  // them); nullopt for a local store.
  struct BucketPrefix {
    std::string bucket;
    std::string prefix;
  };
  virtual std::optional<BucketPrefix> Bucket() const { return std::nullopt; }

  void Put(const std::string& path, std::string_view bytes) {
    auto w = OpenWriter(path);
    w->Write(bytes);
    w->Commit();
  }
};

// Opens a store from a staging URL: file://path (relative to `base_dir` when not absolute),
// a plain path, or s3://bucket/prefix (settings from staging.s3 over the AWS_* environment).
std::unique_ptr<ObjectStore> OpenObjectStore(const core::StagingConfig& staging, const std::string& base_dir);
// The same with staging.s3 left at its defaults (environment only).
std::unique_ptr<ObjectStore> OpenObjectStore(const std::string& url, const std::string& base_dir);

}  // namespace wharf::staging
