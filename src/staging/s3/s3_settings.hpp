#pragma once
// Where an S3 staging store is and how to reach it: the s3:// URL, the
// endpoint, region, credentials and addressing style, resolved from
// wharf.yaml's staging.s3 over the AWS environment variables (AWS tools'
// conventions). Pure: the environment is passed in, nothing is fetched.
#include <functional>
#include <string>

#include "core/config.hpp"
#include "staging/s3/sigv4.hpp"

namespace wharf::staging::s3 {

// s3://bucket[/prefix]; prefix is "" or ends with '/'.
struct Location {
  std::string bucket;
  std::string prefix;
};
Location ParseS3Url(const std::string& url);  // throws kConfig

struct Endpoint {
  std::string scheme;  // http | https
  std::string host;    // without port
  int port = 0;        // 0: the scheme's default
  std::string HostPort() const { return port ? host + ":" + std::to_string(port) : host; }
  std::string ToString() const { return scheme + "://" + HostPort(); }
};
Endpoint ParseEndpoint(const std::string& url);  // throws kConfig

struct Settings {
  Endpoint endpoint;
  std::string region;
  Credentials credentials;
  bool path_style = true;
  int max_attempts = 6;          // per request, with exponential backoff and jitter
  size_t part_size = 8u << 20;   // multipart upload part (S3's minimum is 5 MiB)
  size_t read_chunk = 8u << 20;  // ranged GET size when streaming an object
  int list_page = 1000;          // max-keys per ListObjectsV2 request (S3's maximum)
};

using EnvLookup = std::function<std::string(const std::string&)>;  // "" when unset
std::string ProcessEnv(const std::string& name);

// Config values win over the environment; throws kConfig naming what to set.
Settings ResolveSettings(const core::S3Config& config, const Location& location, const EnvLookup& env);

// auto: virtual-hosted style for AWS endpoints when the bucket name is a
// valid DNS label, path style for custom endpoints (MinIO, IPs, localhost).
bool UsePathStyle(const std::string& addressing, const Endpoint& endpoint, const std::string& bucket);

// Host header and encoded request path for an object key ("" for the bucket).
struct Target {
  std::string host;
  std::string encoded_path;
  std::string Url(const Settings& s, const std::string& query) const {
    return s.endpoint.scheme + "://" + host + encoded_path + (query.empty() ? "" : "?" + query);
  }
};
Target MakeTarget(const Settings& settings, const std::string& bucket, const std::string& key);

}  // namespace wharf::staging::s3
