#pragma once
// ObjectStore over an S3 bucket (AWS or any S3-compatible server).
//   - Small objects go up with one PUT; an object that grows past
//     Settings::part_size becomes a multipart upload, one part per
//     part_size bytes as they fill. Either way nothing is visible until
//     Commit() (the PUT, or CompleteMultipartUpload); a writer destroyed
//     uncommitted aborts its multipart upload (best effort: a bucket
//     lifecycle rule for incomplete uploads cleans up after a crash).
//   - Readers stream with ranged GETs of Settings::read_chunk bytes, so a
//     multi-GB object is read in bounded memory.
//   - List uses ListObjectsV2 with pagination; ListAfter passes start-after.
#include <memory>

#include "staging/object_store.hpp"
#include "staging/s3/s3_client.hpp"

namespace wharf::staging::s3 {

class S3Store : public ObjectStore {
 public:
  S3Store(Settings settings, Location location);

  std::unique_ptr<ObjectWriter> OpenWriter(const std::string& path) override;
  std::unique_ptr<ObjectReader> OpenReader(const std::string& path) override;
  std::string Read(const std::string& path) override;
  bool Exists(const std::string& path) override;
  std::vector<std::string> List(const std::string& prefix) override;
  std::vector<std::string> ListAfter(const std::string& prefix, const std::string& start_after) override;
  void Remove(const std::string& path) override;
  // A conditional PUT (If-None-Match: *), renewed with If-Match every ttl/3.
  std::unique_ptr<Lease> TakeLease(const std::string& path, const LeaseRecord& me) override;
  std::string Describe() const override;
  std::optional<BucketPrefix> Bucket() const override { return BucketPrefix{location_.bucket, location_.prefix}; }

  const Location& location() const { return location_; }

 private:
  std::string Key(const std::string& path) const { return location_.prefix + path; }

  Location location_;
  std::unique_ptr<Client> client_;
};

}  // namespace wharf::staging::s3
