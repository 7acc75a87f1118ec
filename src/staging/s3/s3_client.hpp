#pragma once
// Signed S3 requests over libcurl with retries: exponential backoff with full
// jitter on 5xx, 429/SlowDown, timeouts and connection errors. Every error
// says which request failed and what to do; none carries a secret (headers
// are never logged or put in messages).
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "staging/s3/s3_settings.hpp"

namespace wharf::staging::s3 {

struct Request {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string key;     // object key; "" for bucket operations
  Params query;        // unencoded
  Params headers;      // extra headers, e.g. Range
  std::string_view body;
};

struct Response {
  long status = 0;
  std::string body;
  Params headers;  // names lower-cased
  std::string Header(const std::string& name) const;
};

class Client {
 public:
  Client(Settings settings, std::string bucket);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends with retries. Returns any response whose status is in `accept`
  // (2xx is always accepted); throws an Error for anything else.
  Response Send(const Request& request, std::initializer_list<long> accept = {});

  const Settings& settings() const { return settings_; }
  const std::string& bucket() const { return bucket_; }
  // "s3://bucket/key at http://endpoint": for messages, no secrets.
  std::string Where(const std::string& key) const;

 private:
  struct Attempt;
  Attempt Perform(const Request& request);
  void* AcquireHandle();
  void ReleaseHandle(void* handle);

  Settings settings_;
  std::string bucket_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* kept for connection reuse, owned
};

}  // namespace wharf::staging::s3
