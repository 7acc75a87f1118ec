#include "staging/s3/s3_settings.hpp"

#include <cctype>
#include <cstdlib>

#include "core/error.hpp"
#include "core/text.hpp"

namespace wharf::staging::s3 {

namespace {

bool IsIpv4(const std::string& host) {
  if (host.empty()) return false;
  for (char c : host)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  return true;
}

// Bucket names that can be a DNS label under an https wildcard certificate.
bool DnsCompatible(const std::string& bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket)
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '-'))
      return false;
  return bucket.front() != '-' && bucket.back() != '-';
}

std::string Pick(const std::string& config, const EnvLookup& env, std::initializer_list<const char*> names) {
  if (!config.empty()) return config;
  for (const char* n : names) {
    std::string v = env(n);
    if (!v.empty()) return v;
  }
  return "";
}

}  // namespace

std::string ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v ? v : "";
}

Location ParseS3Url(const std::string& url) {
  if (url.rfind("s3://", 0) != 0) Fail(ErrorKind::kConfig, "staging.url {} is not an s3:// URL", url);
  std::string rest = url.substr(5);
  Location loc;
  auto slash = rest.find('/');
  loc.bucket = rest.substr(0, slash);
  if (slash != std::string::npos) loc.prefix = rest.substr(slash + 1);
  while (!loc.prefix.empty() && loc.prefix.front() == '/') loc.prefix.erase(0, 1);
  if (!loc.prefix.empty() && loc.prefix.back() != '/') loc.prefix += '/';
  if (loc.bucket.empty() || loc.bucket.find_first_of("?#@:") != std::string::npos) {
    Fail(ErrorKind::kConfig, "staging.url {}: expected s3://bucket/prefix with a bucket name", url);
  }
  return loc;
}

Endpoint ParseEndpoint(const std::string& url) {
  Endpoint e;
  auto sep = url.find("://");
  if (sep == std::string::npos) {
    Fail(ErrorKind::kConfig, "S3 endpoint '{}' needs a scheme: write http://host:port or https://host", url);
  }
  e.scheme = url.substr(0, sep);
  if (e.scheme != "http" && e.scheme != "https") {
    Fail(ErrorKind::kConfig, "S3 endpoint '{}': the scheme must be http or https", url);
  }
  std::string rest = url.substr(sep + 3);
  rest = rest.substr(0, rest.find('/'));
  if (rest.find('@') != std::string::npos) {
    Fail(ErrorKind::kConfig, "S3 endpoint must not carry credentials; set staging.s3.access_key_id and "
                             "secret_access_key (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY) instead");
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    std::string port = rest.substr(colon + 1);
    auto p = core::ParsePort(port);
    if (!p) Fail(ErrorKind::kConfig, "S3 endpoint '{}': '{}' is not a port number", url, port);
    e.port = *p;
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) Fail(ErrorKind::kConfig, "S3 endpoint '{}' has no host", url);
  e.host = rest;
  return e;
}

bool UsePathStyle(const std::string& addressing, const Endpoint& endpoint, const std::string& bucket) {
  if (addressing == "path") return true;
  if (addressing == "virtual") return false;
  bool aws = endpoint.host.size() > 14 && endpoint.host.ends_with(".amazonaws.com");
  return !aws || IsIpv4(endpoint.host) || !DnsCompatible(bucket);
}

Settings ResolveSettings(const core::S3Config& config, const Location& location, const EnvLookup& env) {
  Settings s;
  s.region = Pick(config.region, env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (s.region.empty()) s.region = "us-east-1";
  std::string endpoint = Pick(config.endpoint, env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  if (endpoint.empty()) endpoint = "https://s3." + s.region + ".amazonaws.com";
  s.endpoint = ParseEndpoint(endpoint);
  s.credentials.access_key_id = Pick(config.access_key_id, env, {"AWS_ACCESS_KEY_ID"});
  s.credentials.secret_access_key = Pick(config.secret_access_key, env, {"AWS_SECRET_ACCESS_KEY"});
  s.credentials.session_token = Pick(config.session_token, env, {"AWS_SESSION_TOKEN"});
  if (s.credentials.access_key_id.empty() || s.credentials.secret_access_key.empty()) {
    Fail(ErrorKind::kConfig,
         "no S3 credentials for s3://{}/{}: export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or set "
         "staging.s3.access_key_id and staging.s3.secret_access_key (e.g. ${{MY_KEY}}) in wharf.yaml",
         location.bucket, location.prefix);
  }
  const std::string& a = config.addressing;
  if (a != "auto" && a != "path" && a != "virtual") {
    Fail(ErrorKind::kConfig, "staging.s3.addressing '{}' must be auto, path or virtual", a);
  }
  s.path_style = UsePathStyle(a, s.endpoint, location.bucket);
  return s;
}

Target MakeTarget(const Settings& settings, const std::string& bucket, const std::string& key) {
  Target t;
  std::string encoded_key = UriEncode(key, true);
  if (settings.path_style) {
    t.host = settings.endpoint.HostPort();
    t.encoded_path = "/" + UriEncode(bucket, false) + (key.empty() ? "" : "/" + encoded_key);
  } else {
    t.host = bucket + "." + settings.endpoint.HostPort();
    t.encoded_path = "/" + encoded_key;
  }
  return t;
}

}  // namespace wharf::staging::s3
