#include <filesystem>

#include "staging/local_store.hpp"
#include "staging/object_store.hpp"
#include "staging/s3/s3_store.hpp"

namespace wharf::staging {

namespace fs = std::filesystem;

std::unique_ptr<ObjectStore> OpenObjectStore(const core::StagingConfig& staging, const std::string& base_dir) {
  const std::string& url = staging.url;
  if (url.rfind("s3://", 0) == 0) {
    auto location = s3::ParseS3Url(url);
    return std::make_unique<s3::S3Store>(s3::ResolveSettings(staging.s3, location, s3::ProcessEnv), location);
  }
  std::string path = url;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  fs::path p(path);
  if (p.is_relative()) p = fs::path(base_dir) / p;
  return std::make_unique<LocalStore>(p.lexically_normal());
}

std::unique_ptr<ObjectStore> OpenObjectStore(const std::string& url, const std::string& base_dir) {
  core::StagingConfig staging;
  staging.url = url;
  return OpenObjectStore(staging, base_dir);
}

}  // namespace wharf::staging
